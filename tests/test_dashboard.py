"""The CRM dashboard speaks to the learner about the scenario's time: recent actions in words,
and follow-ups that belong to now, not ones the seeded history left open months before."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from crm_sandbox.extensions import db
from crm_sandbox.models import Contact, Interaction, Sandbox
from crm_sandbox.services import interactions


@pytest.fixture
def crm(client, auth, provision, ctx_for, frozen):
    sandbox = provision(size="standard")
    auth.login(sandbox.owner.email)
    return sandbox, f"/s/{sandbox.id}", ctx_for(sandbox), frozen


def a_customer(sandbox) -> Contact:
    return db.session.scalar(
        select(Contact)
        .where(Contact.sandbox_id == sandbox.id, Contact.category == "external")
        .order_by(Contact.id)
        .limit(1)
    )


def test_recent_actions_are_told_in_words_not_log_verbs(client, crm):
    sandbox, base, ctx, at = crm
    customer = a_customer(sandbox)
    interactions.log_interaction(
        ctx,
        customer,
        {
            "channel": "phone",
            "direction": "inbound",
            "initiative": "reactive",
            "summary": "Asked when the new sofa will arrive",
        },
    )
    db.session.commit()
    page = client.get(f"{base}/").data.decode()
    recent = page.split("Recent actions", 1)[1]
    assert "interaction.logged" not in recent
    assert "inbound phone call" in recent and customer.display_name in recent


def test_follow_ups_the_seeded_history_left_open_long_ago_are_not_listed_as_overdue(client, crm):
    sandbox, base, ctx, at = crm
    start = db.session.get(Sandbox, sandbox.id).clock_start.date()
    old = db.session.scalars(
        select(Interaction).where(
            Interaction.sandbox_id == sandbox.id,
            Interaction.follow_up_on < start - timedelta(days=interactions.HISTORY_DAYS_SHOWN),
            Interaction.follow_up_done_sbx.is_(None),
        )
    ).all()
    assert old, "the seed leaves some old follow-ups open"
    customer = a_customer(sandbox)
    mine = interactions.log_interaction(
        ctx,
        customer,
        {
            "channel": "phone",
            "direction": "inbound",
            "initiative": "reactive",
            "summary": "Wants a call back about the delivery date",
            "follow_up_on": ctx.now().date() + timedelta(days=1),
        },
    )
    at(sandbox, (ctx.now() + timedelta(days=5)).isoformat())  # now overdue
    db.session.commit()
    due = {f.interaction.id for f in interactions.follow_ups_due(ctx)}
    assert mine.id in due
    assert not due & {i.id for i in old}
    page = client.get(f"{base}/").data.decode()
    assert "Wants a call back about the delivery date" in page


def test_a_long_follow_up_note_is_cut_at_a_word_with_the_whole_note_as_title(client, crm):
    sandbox, base, ctx, _ = crm
    summary = (
        "Customer rang to say the replacement cushion covers arrived in the wrong colour and "
        "she would like the original teal ones sent before her family visits next weekend"
    )
    interactions.log_interaction(
        ctx,
        a_customer(sandbox),
        {
            "channel": "phone",
            "direction": "inbound",
            "initiative": "reactive",
            "summary": summary,
            "follow_up_on": ctx.now().date(),
        },
    )
    db.session.commit()
    page = client.get(f"{base}/").data.decode()
    shown = re.search(rf'<span title="{re.escape(summary)}">([^<]*)</span>', page)
    assert shown, "the shortened note carries the whole note as its title"
    cut = shown.group(1)
    assert cut.endswith("…") and summary.startswith(cut[:-1])
    assert summary[len(cut) - 1] == " "  # cut between words, not inside one
