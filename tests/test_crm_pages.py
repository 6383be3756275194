"""The learner's CRM in the browser's terms: pages, forms, and what each change leaves behind."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from crm_sandbox.extensions import db
from crm_sandbox.models import Contact, Interaction, Need, Role
from crm_sandbox.services import action_log, contacts, conversations
from crm_sandbox.services.context import SandboxContext

CALL = {
    "channel": "phone",
    "direction": "inbound",
    "initiative": "reactive",
    "summary": "Customer rang about a late delivery of a sofa",
    "outcome": "Promised a call back with the new date",
    "follow_up_on": "",
}


@pytest.fixture
def learner_crm(client, auth, provision):
    """A signed-in learner with a practice sandbox; returns (sandbox, url prefix)."""
    sandbox = provision()
    auth.login(sandbox.owner.email)
    return sandbox, f"/s/{sandbox.id}"


def external_with_history(sandbox) -> Contact:
    return db.session.scalar(
        select(Contact)
        .join(Interaction, Interaction.contact_id == Contact.id)
        .where(
            Contact.sandbox_id == sandbox.id,
            Contact.category == "external",
            Contact.merged_into_id.is_(None),
        )
        .group_by(Contact.id)
        .order_by(func.count(Interaction.id).desc(), Contact.id)
        .limit(1)
    )


def count(model, sandbox) -> int:
    db.session.rollback()
    return db.session.scalar(
        select(func.count()).select_from(model).where(model.sandbox_id == sandbox.id)
    )


def test_the_learner_opens_their_practice_crm_from_home(client, auth, create_user):
    learner = create_user(Role.LEARNER)
    auth.login(learner.email)
    response = client.get("/learner/crm")
    assert response.status_code == 302
    match = re.fullmatch(r"/s/(\d+)/", response.headers["Location"])
    assert match
    dashboard = client.get(response.headers["Location"])
    assert b"Dashboard" in dashboard.data and b"Business time (sandbox clock)" in dashboard.data
    # a second visit reuses the same sandbox
    assert client.get("/learner/crm").headers["Location"] == response.headers["Location"]


def test_find_an_external_customer_log_a_call_and_confirm_a_need(client, learner_crm):
    sandbox, base = learner_crm
    customer = external_with_history(sandbox)
    listing = client.get(f"{base}/contacts?category=external&q={customer.last_name}")
    assert customer.display_name.encode() in listing.data
    page = client.get(f"{base}/contacts/{customer.id}")
    assert b"Conversations" in page.data and b"Outcome:" in page.data  # seeded history shows

    response = client.post(f"{base}/contacts/{customer.id}/interactions/new", data=CALL)
    assert response.status_code == 302
    client.post(
        f"{base}/contacts/{customer.id}/needs",
        data={
            "need_type": "timescale",
            "description": "Needs delivery before Saturday for a house move",
        },
    )
    need = db.session.scalar(
        select(Need).where(Need.contact_id == customer.id, Need.description.like("%house move%"))
    )
    assert need is not None and not need.confirmed and need.need_type == "timescale"
    # No box to tick: the need is confirmed by pointing at the customer's reply.
    client.post(f"{base}/needs/{need.id}/confirm", data={"method": "summarised"})
    db.session.refresh(need)
    assert not need.confirmed
    ctx = SandboxContext(sandbox, None, customer.display_name)
    reply = conversations.receive_message(
        ctx,
        customer,
        answer_kind="needs_reply",
        channel="email",
        summary="Yes, that is right: before Saturday.",
        occurred_at=ctx.now(),
        details={"confirmed": [need.id], "corrected": [], "added": []},
    )
    db.session.commit()
    client.post(f"{base}/needs/{need.id}/confirm", data={"reply": reply.id})
    db.session.refresh(need)
    assert need.confirmed and need.confirmed_by_id == reply.id

    page = client.get(f"{base}/contacts/{customer.id}").data.decode()
    assert "Customer rang about a late delivery of a sofa" in page
    assert "Needs delivery before Saturday for a house move" in page and "confirmed" in page
    log = client.get(f"{base}/log").data.decode()
    # The learner's own log reads in words, as the assessor's timeline does: no raw verbs.
    assert "Logged an inbound phone call with" in log and "Recorded a need for" in log
    assert "Confirmed" in log
    for verb in ("interaction.logged", "need.recorded", "need.confirmed"):
        assert verb not in log
    assert action_log.verify(sandbox.id).ok


def test_the_contact_list_pages_through_every_match_keeps_its_filters_and_counts_them(
    client, learner_crm
):
    sandbox, base = learner_crm
    ctx = SandboxContext(sandbox, sandbox.owner)
    for i in range(60):  # more than one page of external customers
        contacts.create_contact(
            ctx, {"first_name": "Page", "last_name": f"Filler {i:02d}", "category": "external"}
        )
    db.session.commit()
    external = db.session.scalars(
        select(Contact)
        .where(
            Contact.sandbox_id == sandbox.id,
            Contact.category == "external",
            Contact.merged_into_id.is_(None),
        )
        .order_by(Contact.sort_name, Contact.id)
    ).all()
    assert len(external) > 50  # two pages
    first = client.get(f"{base}/contacts?category=external").data.decode()
    assert f"{len(external)} contacts match." in first
    assert '<option value="external" selected>External customer</option>' in first
    assert '<option value="internal">' in first  # the other types stay choosable
    shown = re.findall(r'<a href="/s/\d+/contacts/(\d+)">', first)
    assert [int(i) for i in shown] == [c.id for c in external[:50]]
    assert "<td>External customer</td>" in first  # the type cell of each row
    next_page = re.search(r'href="([^"]*after=[^"]*)">Next page', first).group(1)
    second = client.get(next_page.replace("&amp;", "&")).data.decode()
    assert f"{len(external)} contacts match." in second  # counted on later pages too
    shown = re.findall(r'<a href="/s/\d+/contacts/(\d+)">', second)
    assert [int(i) for i in shown] == [c.id for c in external[50:100]]
    past_the_end = f"{base}/contacts?category=external&after=zzzz%7C{2**31 - 1}"
    assert f"{len(external)} contacts match." in client.get(past_the_end).data.decode()


def test_bad_input_gets_a_clear_message_and_saves_nothing(client, learner_crm):
    sandbox, base = learner_crm
    contacts_before = count(Contact, sandbox)
    for data, message in (
        ({"last_name": "Okafor", "email": "not-an-email"}, "not a valid email address"),
        ({"last_name": "Okafor", "phone": "12345"}, "not a valid phone number"),
        ({"last_name": "O" * 81}, "Field cannot be longer than 80 characters"),
        ({"first_name": "", "last_name": ""}, "Enter a name or an organisation"),
        ({"last_name": "Okafor", "category": "vip"}, "Not a valid choice"),
    ):
        form = {
            "category": "external",
            "account_type": "individual",
            "segment": "",
            "lifecycle_stage": "",
            **data,
        }
        response = client.post(f"{base}/contacts/new", data=form)
        assert response.status_code == 422, data
        assert message in response.data.decode(), data
    assert count(Contact, sandbox) == contacts_before
    interactions_before = count(Interaction, sandbox)
    customer = external_with_history(sandbox)
    bad = client.post(
        f"{base}/contacts/{customer.id}/interactions/new", data={**CALL, "summary": "  "}
    )
    assert bad.status_code == 422 and b"This field is required" in bad.data
    assert count(Interaction, sandbox) == interactions_before


def test_a_script_in_a_note_is_shown_as_text(client, learner_crm):
    sandbox, base = learner_crm
    client.post(
        f"{base}/contacts/new",
        data={
            "first_name": "Eve",
            "last_name": "<script>alert(1)</script>",
            "category": "external",
            "account_type": "individual",
            "segment": "",
            "lifecycle_stage": "",
            "notes": '"><img src=x onerror=alert(2)>',
        },
    )
    contact = db.session.scalar(select(Contact).where(Contact.first_name == "Eve"))
    page = client.get(f"{base}/contacts/{contact.id}").data.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "<img src=x" not in page


def test_a_correction_supersedes_the_original_which_is_kept(client, learner_crm):
    sandbox, base = learner_crm
    customer = external_with_history(sandbox)
    client.post(f"{base}/contacts/{customer.id}/interactions/new", data=CALL)
    original = db.session.scalar(select(Interaction).where(Interaction.summary == CALL["summary"]))
    client.post(
        f"{base}/interactions/{original.id}/correct",
        data={**CALL, "summary": "Customer rang about a late delivery of an armchair"},
    )
    rows = db.session.scalars(
        select(Interaction).where(
            Interaction.contact_id == customer.id, Interaction.summary.like("%late delivery%")
        )
    ).all()
    assert len(rows) == 2
    assert rows[1].supersedes_id == original.id
    page = client.get(f"{base}/contacts/{customer.id}").data.decode()
    assert "corrected by a later entry" in page
    again = client.post(
        f"{base}/interactions/{original.id}/correct", data=CALL, follow_redirects=True
    )
    assert b"already corrected" in again.data


def test_classify_merge_consent_and_accuracy(client, learner_crm):
    sandbox, base = learner_crm
    a = external_with_history(sandbox)
    client.post(f"{base}/contacts/{a.id}/classify", data={"category": "internal"})
    db.session.refresh(a)
    assert a.category == "internal"
    client.post(f"{base}/contacts/{a.id}/consent", data={"consent_email": "y"})
    db.session.refresh(a)
    assert a.consents() == {"email": True, "phone": False, "post": False, "sms": False}
    client.post(f"{base}/contacts/{a.id}/accuracy")
    db.session.refresh(a)
    assert a.accuracy_checked_at is not None

    client.post(
        f"{base}/contacts/new",
        data={
            "first_name": a.first_name,
            "last_name": a.last_name,
            "category": "internal",
            "account_type": "individual",
            "segment": "",
            "lifecycle_stage": "",
            "phone": "07911 123456",
        },
    )
    dup = db.session.scalar(select(Contact).where(Contact.phone == "07911 123456"))
    page = client.get(f"{base}/contacts/{a.id}").data.decode()
    assert "Possible duplicates" in page
    client.post(f"{base}/contacts/{a.id}/merge", data={"duplicate_id": dup.id, "confirm": "y"})
    db.session.refresh(dup)
    db.session.refresh(a)
    assert dup.merged_into_id == a.id
    verbs = [e.verb for e in action_log.entries(sandbox.id)]
    assert {
        "contact.classified",
        "contact.consent_changed",
        "contact.accuracy_checked",
        "contact.merged",
    } <= set(verbs)


def test_follow_ups_show_on_the_learner_home_page_and_can_be_done(client, learner_crm):
    sandbox, base = learner_crm
    customer = external_with_history(sandbox)
    day = "2026-03-04"
    client.post(
        f"{base}/contacts/{customer.id}/interactions/new", data={**CALL, "follow_up_on": day}
    )
    home = client.get("/learner/").data.decode()
    assert customer.display_name in home and "Wed 4 Mar 2026" in home
    followup = db.session.scalar(
        select(Interaction).where(
            Interaction.follow_up_on.is_not(None),
            Interaction.contact_id == customer.id,
            Interaction.summary == CALL["summary"],
        )
    )
    client.post(f"{base}/interactions/{followup.id}/follow-up-done")
    db.session.refresh(followup)
    assert followup.follow_up_done_sbx is not None


def test_next_working_day_moves_the_clock_and_is_logged(client, learner_crm):
    sandbox, base = learner_crm
    response = client.post(f"{base}/clock/next-working-day", follow_redirects=True)
    assert b"The sandbox clock moved on to Tue 3 Mar 2026, 09:00" in response.data
    assert action_log.entries(sandbox.id, limit=1)[0].verb == "clock.advanced"


def test_the_clock_moves_on_by_working_hours(client, learner_crm):
    sandbox, base = learner_crm
    response = client.post(f"{base}/clock/forward", data={"hours": "4"}, follow_redirects=True)
    assert b"moved on to Mon 2 Mar 2026, 13:00" in response.data
    refused = client.post(f"{base}/clock/forward", data={"hours": "99"}, follow_redirects=True)
    assert b"1 to 8 working hours" in refused.data


def test_reset_asks_for_confirmation_first(client, learner_crm):
    sandbox, base = learner_crm
    client.post(
        f"{base}/contacts/new",
        data={
            "first_name": "Temp",
            "last_name": "Person",
            "category": "external",
            "account_type": "individual",
            "segment": "",
            "lifecycle_stage": "",
        },
    )
    n = count(Contact, sandbox)
    refused = client.post(f"{base}/reset", data={})
    assert refused.status_code == 200 and b"Tick the box to confirm the reset" in refused.data
    assert count(Contact, sandbox) == n
    done = client.post(f"{base}/reset", data={"confirm": "y"}, follow_redirects=True)
    assert b"back to its starting state" in done.data
    assert count(Contact, sandbox) == n - 1


def test_another_learner_gets_404_for_every_page_and_object_of_my_sandbox(
    client, auth, provision, create_user
):
    mine = provision()
    customer = external_with_history(mine)
    need = db.session.scalar(select(Need).where(Need.sandbox_id == mine.id))
    interaction = db.session.scalar(select(Interaction).where(Interaction.sandbox_id == mine.id))
    theirs = provision()
    auth.login(theirs.owner.email)
    base = f"/s/{mine.id}"
    gets = [
        "/",
        "/contacts",
        "/organisation",
        "/log",
        "/reset",
        f"/contacts/{customer.id}",
        f"/contacts/{customer.id}/edit",
        f"/contacts/{customer.id}/merge",
        f"/contacts/{customer.id}/interactions/new",
        f"/interactions/{interaction.id}/correct",
    ]
    for path in gets:
        assert client.get(base + path).status_code == 404, path
    posts = [
        f"/contacts/{customer.id}/classify",
        f"/contacts/{customer.id}/needs",
        f"/needs/{need.id}/confirm",
        f"/contacts/{customer.id}/consent",
        f"/contacts/{customer.id}/accuracy",
        "/clock/next-working-day",
        "/reset",
        f"/interactions/{interaction.id}/follow-up-done",
    ]
    for path in posts:
        assert (
            client.post(
                base + path, data={"category": "internal", "description": "x", "confirm": "y"}
            ).status_code
            == 404
        ), path
    # and my objects through their own sandbox's URLs
    own = f"/s/{theirs.id}"
    assert client.get(f"{own}/contacts/{customer.id}").status_code == 404
    assert (
        client.post(f"{own}/needs/{need.id}/confirm", data={"method": "summarised"}).status_code
        == 404
    )
    db.session.refresh(customer)
    assert customer.category == "external"
    assert action_log.verify(mine.id).entries == 1  # nothing but the provisioning entry


def test_staff_cannot_open_a_learners_crm(client, auth, provision, create_user):
    sandbox = provision()
    for role in (Role.TUTOR, Role.ASSESSOR, Role.ADMIN):
        auth.login(create_user(role).email)
        assert client.get(f"/s/{sandbox.id}/").status_code == 403
        auth.logout()
