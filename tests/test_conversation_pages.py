"""The learner's view of conversations in the browser's terms: sending a message of each
purpose, bad input refused with the reason and nothing saved, a need confirmed only by the
customer's reply, a complaint closed as confirmed only with their yes, the dashboard's replies
waiting and promises due, and pages that do not query once a row."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from crm_sandbox.extensions import db
from crm_sandbox.models import Complaint, Contact, Interaction
from crm_sandbox.services import complaints, contacts, conversations, sandbox_clock
from crm_sandbox.services.context import SandboxContext


@pytest.fixture
def crm(client, auth, provision):
    sandbox = provision()
    auth.login(sandbox.owner.email)
    return sandbox, f"/s/{sandbox.id}"


def a_contact(sandbox, category: str = "external", skip: int = 0) -> Contact:
    return db.session.scalars(
        select(Contact)
        .where(
            Contact.sandbox_id == sandbox.id,
            Contact.category == category,
            Contact.merged_into_id.is_(None),
        )
        .order_by(Contact.id)
        .offset(skip)
        .limit(1)
    ).one()


def messages_of(contact: Contact) -> int:
    db.session.rollback()
    return db.session.scalar(
        select(func.count()).select_from(Interaction).where(Interaction.contact_id == contact.id)
    )


def customer_says(sandbox, contact, kind: str, summary: str, **extra) -> Interaction:
    """A message from the customer (as the simulated customer would send it)."""
    ctx = SandboxContext(sandbox, None, contact.display_name)
    message = conversations.receive_message(
        ctx,
        contact,
        answer_kind=kind,
        channel="email",
        summary=summary,
        occurred_at=ctx.now(),
        **extra,
    )
    db.session.commit()
    return message


def open_complaint(ctx, contact) -> Complaint:
    complaint = complaints.receive_complaint(
        ctx,
        contact,
        {
            "channel": "phone",
            "category": "Other",
            "severity": "medium",
            "description": "The kettle leaks.",
        },
    )
    db.session.commit()
    return complaint


def test_each_purpose_is_sent_from_the_form_with_its_own_content(client, crm, ctx_for):
    sandbox, base = crm
    customer = a_contact(sandbox)
    ctx = ctx_for(sandbox)
    need = contacts.add_need(ctx, customer, "Delivery before Saturday", need_type="timescale")
    pref = contacts.add_preference(ctx, customer, "Email after 5pm", pref_type="other")
    complaint = open_complaint(ctx, customer)
    url = f"{base}/contacts/{customer.id}/messages/new"
    page = client.get(url).text
    assert "Internal request" not in page  # internal purposes are for internal customers
    assert "Reactive or proactive follows from who started" in page

    common = {"channel": "email", "summary": "Hello"}
    cases = {
        "ask_needs": {"topic": "budget", "kind": "open"},
        "confirm_needs": {"needs": [str(need.id)], "preferences": [str(pref.id)]},
        "propose_resolution": {
            "remedy_type": "full_refund",
            "remedy_amount": "44.94",
            "complaint": str(complaint.id),
        },
        "acknowledge": {"complaint": str(complaint.id)},
        "update": {"complaint": str(complaint.id)},
        "ask_satisfied": {"complaint": str(complaint.id)},
        "follow_up": {},
        "marketing": {},
        "survey_invitation": {},
    }
    for purpose, fields in cases.items():
        sent = client.post(url, data={**common, "purpose": purpose, **fields})
        assert sent.status_code == 302, (purpose, sent.text[:3000])
    db.session.rollback()
    sent = {
        m.purpose: m
        for m in db.session.scalars(
            select(Interaction).where(
                Interaction.contact_id == customer.id, Interaction.purpose.is_not(None)
            )
        )
    }
    assert set(cases) <= set(sent)
    assert sent["ask_needs"].details == {"topic": "budget", "kind": "open"}
    assert sent["ask_needs"].initiative == "proactive"
    assert sent["confirm_needs"].details == {"needs": [need.id], "preferences": [pref.id]}
    assert sent["propose_resolution"].details["remedy"]["amount"] == "44.94"
    assert sent["acknowledge"].initiative == "reactive"  # about the customer's complaint
    contact_page = client.get(f"{base}/contacts/{customer.id}").text
    assert "Ask about their needs" in contact_page and "Full refund of £44.94" in contact_page

    colleague = a_contact(sandbox, "internal")
    internal = client.post(
        f"{base}/contacts/{colleague.id}/messages/new",
        data={**common, "purpose": "internal_request"},
    )
    assert internal.status_code == 302


def test_bad_messages_say_why_and_save_nothing(client, crm, ctx_for):
    sandbox, base = crm
    customer, other = a_contact(sandbox), a_contact(sandbox, skip=1)
    ctx = ctx_for(sandbox)
    theirs = contacts.add_need(ctx, other, "Someone else's need", need_type="budget")
    db.session.commit()
    yesterday = (ctx.now() - timedelta(days=1)).date().isoformat()
    before = messages_of(customer)
    url = f"{base}/contacts/{customer.id}/messages/new"
    common = {"channel": "email", "summary": "Hello", "purpose": "follow_up"}
    for fields, message in (
        ({"purpose": ""}, "Choose what the message is for."),
        ({"promise_on": yesterday, "promise_time": "10:00"}, "A promise is for a time still"),
        ({"promise_on": yesterday}, "Give both the date and the time"),
        ({"purpose": "confirm_needs", "needs": [str(theirs.id)]}, "this customer&#39;s own needs"),
        ({"purpose": "confirm_needs"}, "Choose the needs"),
        ({"purpose": "internal_request"}, "go to internal customers"),
        ({"purpose": "acknowledge"}, "Say which complaint"),
        ({"purpose": "propose_resolution"}, "Choose the remedy"),
        ({"purpose": "ask_needs", "kind": "rhetorical"}, "Kind of question must be one of"),
        ({"summary": ""}, "Write the message."),
        ({"in_reply_to": "999999999"}, "A reply goes to the customer who sent the message"),
    ):
        response = client.post(url, data={**common, **fields})
        assert response.status_code == 422, fields
        assert message in response.text, (fields, response.text[:200])
        assert "is-invalid" in response.text or "alert-danger" in response.text
    assert messages_of(customer) == before


def test_a_need_is_confirmed_only_by_the_customers_reply(client, crm, ctx_for):
    sandbox, base = crm
    customer = a_contact(sandbox)
    ctx = ctx_for(sandbox)
    need = contacts.add_need(ctx, customer, "Step-free access", need_type="accessibility")
    wrong = contacts.add_need(ctx, customer, "Calls after 5pm", need_type="other")
    db.session.commit()
    page = client.get(f"{base}/contacts/{customer.id}").text
    assert "send them a summary of their needs" in page.replace(customer.first_name, "them")
    assert 'name="method"' not in page  # no box to tick

    # A reply that does not confirm this need is refused (and one about another need too).
    answer = customer_says(sandbox, customer, "answer", "Yes, step-free please", details={})
    refused = client.post(
        f"{base}/needs/{need.id}/confirm", data={"reply": answer.id}, follow_redirects=True
    )
    assert "that reply does not confirm this need" in refused.text
    assert client.post(f"{base}/needs/{need.id}/confirm", data={"reply": "x"}).status_code == 302
    db.session.refresh(need)
    assert not need.confirmed

    reply = customer_says(
        sandbox,
        customer,
        "needs_reply",
        "Step-free is right. Calls after 5pm is only what I would like.",
        details={
            "confirmed": [need.id],
            "corrected": [{"need_id": wrong.id, "is": "preference", "value": "Calls after 5pm"}],
            "added": [],
        },
    )
    page = client.get(f"{base}/contacts/{customer.id}").text
    assert f'name="reply" id="reply-{need.id}"' in page
    assert "The customer corrected this" in page and "it is a preference, not a need" in page
    client.post(f"{base}/needs/{need.id}/confirm", data={"reply": reply.id})
    db.session.refresh(need)
    assert need.confirmed and need.confirmed_by_id == reply.id
    assert "the customer&#39;s reply" in client.get(f"{base}/contacts/{customer.id}").text


def test_a_complaint_closes_as_confirmed_only_with_the_customers_yes(client, crm, ctx_for):
    sandbox, base = crm
    customer = a_contact(sandbox)
    ctx = ctx_for(sandbox)
    complaint = open_complaint(ctx, customer)
    complaints.acknowledge(ctx, complaint, "email", "Sorry: we are looking into it.")
    complaints.start_investigation(ctx, complaint, "Checked the batch.")
    db.session.commit()
    url = f"{base}/complaints/{complaint.id}"
    proposed = client.post(
        f"{url}/propose",
        data={
            "prop-remedy_type": "replacement",
            "prop-channel": "email",
            "prop-message": "May we send a new kettle?",
        },
        follow_redirects=True,
    )
    assert "Resolution proposed" in proposed.text and "Replacement" in proposed.text
    client.post(
        f"{url}/resolve",
        data={
            "res-resolution": "Kettle replaced",
            "res-remedy_type": "replacement",
            "res-channel": "email",
            "res-outcome_message": "A new kettle is on its way.",
        },
    )
    asked = client.post(
        f"{url}/ask-satisfied",
        data={"sat-channel": "email", "sat-message": "Are you happy with the outcome?"},
        follow_redirects=True,
    )
    assert "Asked the customer whether they are satisfied" in asked.text
    assert "closed as unconfirmed" in asked.text  # no yes yet: closing is unconfirmed

    close = {
        "close-root_cause": "A faulty batch",
        "close-lessons_learned": "Check batches on delivery",
        "close-confirm": "y",
    }
    no = customer_says(
        sandbox, customer, "not_satisfied", "No.", details={"complaint_id": complaint.id}
    )
    no.complaint_id = complaint.id
    db.session.commit()
    refused = client.post(
        f"{url}/close", data={**close, "close-satisfaction_reply": no.id}, follow_redirects=True
    )
    assert "closed as confirmed only with the customer" in refused.text
    db.session.refresh(complaint)
    assert complaint.stage == "resolved"

    yes = customer_says(
        sandbox, customer, "satisfied", "Yes, thank you.", details={"complaint_id": complaint.id}
    )
    yes.complaint_id = complaint.id
    db.session.commit()
    page = client.get(url).text
    assert f'<option value="{yes.id}">Yes: confirmed by the customer' in page
    done = client.post(
        f"{url}/close", data={**close, "close-satisfaction_reply": yes.id}, follow_redirects=True
    )
    assert f"Complaint {complaint.reference} closed." in done.text
    db.session.refresh(complaint)
    assert complaint.customer_confirmed and complaint.satisfaction_reply_id == yes.id
    assert "confirmed by <a" in done.text


def test_the_dashboard_lists_a_waiting_reply_and_a_promise(client, crm, ctx_for):
    sandbox, base = crm
    customer = a_contact(sandbox)
    ctx = ctx_for(sandbox)
    conversations.send_message(
        ctx,
        customer,
        {
            "channel": "phone",
            "purpose": "follow_up",
            "summary": "I will call you back by four.",
            "promise_by": ctx.now() + timedelta(hours=2),
        },
    )
    db.session.commit()
    colleague = a_contact(sandbox, "internal")
    customer_says(sandbox, colleague, "reply", "Can you send me the figures by Friday?")
    page = client.get(f"{base}/").text
    assert "Replies waiting for you" in page and "Promises falling due" in page
    assert colleague.display_name.replace("'", "&#39;") in page
    assert "Can you send me the figures by Friday?" in page
    assert customer.display_name.replace("'", "&#39;") in page
    assert "I will call you back by four." in page


def test_a_scenario_learner_cannot_log_the_customers_words(client, auth, create_user):
    from crm_sandbox.models import Role
    from crm_sandbox.services import assignments

    learner = create_user(Role.LEARNER)
    assignments.assign("first-complaint", [learner], None)
    attempt = assignments.attempts_of(learner)[0]
    db.session.commit()
    auth.login(learner.email)
    sandbox = attempt.sandbox
    customer = a_contact(sandbox)
    base = f"/s/{sandbox.id}/contacts/{customer.id}"
    before = messages_of(customer)
    response = client.post(
        f"{base}/interactions/new", data={"channel": "phone", "summary": "They said yes"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/messages/new")
    assert messages_of(customer) == before
    assert "Note a call from them" not in client.get(base).text


@contextmanager
def counted_statements():
    engine = db.engine
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_the_contact_page_and_dashboard_do_not_query_once_a_message(client, crm, ctx_for):
    sandbox, base = crm
    customer = a_contact(sandbox)
    ctx = ctx_for(sandbox)

    def talk(n):
        for i in range(n):
            sent = conversations.send_message(
                ctx,
                customer,
                {
                    "channel": "email",
                    "purpose": "follow_up",
                    "summary": f"Note {i}",
                    "promise_by": ctx.now() + timedelta(hours=3),
                },
            )
            sent.customer_due_at = None  # nobody answers: only the page's own reads count
            conversations.receive_message(
                ctx,
                customer,
                answer_kind="reply",
                channel="email",
                summary=f"Reply {i}",
                occurred_at=ctx.now(),
                in_reply_to=sent,
            )
        db.session.commit()

    def statements(url):
        client.get(url)  # warm
        with counted_statements() as seen:
            assert client.get(url).status_code == 200
        return len(seen)

    talk(2)
    few = statements(f"{base}/contacts/{customer.id}"), statements(f"{base}/")
    talk(15)
    many = statements(f"{base}/contacts/{customer.id}"), statements(f"{base}/")
    assert many == few


def test_a_promise_is_due_until_the_customer_hears_from_us_again(client, crm, ctx_for):
    sandbox, base = crm
    first, second = a_contact(sandbox), a_contact(sandbox, skip=1)
    ctx = ctx_for(sandbox)

    def promise(contact, words):
        return conversations.send_message(
            ctx,
            contact,
            {
                "channel": "phone",
                "purpose": "follow_up",
                "summary": words,
                "promise_by": ctx.now() + timedelta(hours=6),
            },
        )

    kept, still_open = promise(first, "I will ring you back."), promise(second, "I will ring.")
    sandbox_clock.advance_by_working_hours(ctx, 1)
    conversations.send_message(
        ctx, first, {"channel": "phone", "purpose": "follow_up", "summary": "As promised."}
    )
    db.session.commit()
    assert [p.id for p in conversations.promises_due(ctx, within_hours=48)] == [still_open.id]
    page = client.get(f"{base}/").text
    promises = page.split("Promises falling due")[1].split("Follow-ups due")[0]
    assert "I will ring." in promises and "I will ring you back." not in promises
    assert kept.id not in {p.id for p in conversations.promises_due(ctx, within_hours=48)}
