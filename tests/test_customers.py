"""The simulated customer: answers from the persona in sandbox time, as the customer, the
same way every time."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from crm_sandbox.models import ActionLogEntry, Complaint, Contact, Interaction, db
from crm_sandbox.services import complaints, contacts, conversations, customers
from crm_sandbox.services.context import SandboxContext
from crm_sandbox.services.customers import answers
from crm_sandbox.services.customers.persona import Persona
from crm_sandbox.services.errors import ServiceError

T = datetime.fromisoformat

PERSONA = Persona.model_validate(
    {
        "needs": [
            {"type": "timescale", "value": "delivery before Friday 14 March"},
            {"type": "budget", "value": "under £500"},
            {"type": "accessibility", "value": "step-free access to the door", "hidden": True},
        ],
        "preferences": [{"type": "other", "value": "emails rather than phone calls"}],
        "volunteers": 1,
        "accepts": [
            {"type": "full_refund", "amount": "44.94"},
            {"type": "redelivery", "within_working_days": 2},
        ],
        "rejects_because": "I paid £44.94 and I want all of it back.",
        "patience": {"chase_after": {"amount": 1, "unit": "working_hours"}, "chases": 1},
        "replies_within": {"amount": 2, "unit": "working_hours"},
        "marketing_consent": ["email"],
        "mood": "annoyed",
    }
)


PREFERS = PERSONA.preferences[0].value


@pytest.fixture
def setup(provision, ctx_for, frozen, monkeypatch):
    """A practice sandbox at Monday 10:00 whose first external customer has PERSONA."""
    sandbox = provision()
    ctx = ctx_for(sandbox)
    contact = db.session.scalar(
        select(Contact)
        .where(Contact.sandbox_id == sandbox.id, Contact.category == "external")
        .order_by(Contact.id)
        .limit(1)
    )
    real = customers.persona_for
    monkeypatch.setattr(
        customers,
        "persona_for",
        lambda c, who: PERSONA if who.id == contact.id else real(c, who),
    )
    frozen(sandbox, "2026-03-09 10:00")  # a Monday
    return sandbox, ctx, contact, frozen


def send(ctx, contact, purpose, summary="...", **data):
    return conversations.send_message(
        ctx, contact, {"channel": "email", "purpose": purpose, "summary": summary, **data}
    )


def answers_to(message):
    return db.session.scalars(
        select(Interaction)
        .where(Interaction.in_reply_to_id == message.id)
        .order_by(Interaction.occurred_at, Interaction.id)
    ).all()


def later(sandbox, ctx, at, when):
    at(sandbox, when)
    return customers.act_on_due(ctx)


def ask(setup, topic, kind):
    sandbox, ctx, contact, at = setup
    question = send(ctx, contact, "ask_needs", "Tell me about it", topic=topic, kind=kind)
    later(sandbox, ctx, at, str(ctx.now() + timedelta(days=1)))
    (answer,) = answers_to(question)
    return answer


def test_the_answer_waits_for_the_persona_and_lands_when_it_was_due(setup):
    sandbox, ctx, contact, at = setup
    question = send(ctx, contact, "ask_needs", "When?", topic="timescale", kind="open")
    assert question.customer_due_at == T("2026-03-09 12:00")  # 2 working hours
    assert not customers.due_now(sandbox.id, T("2026-03-09 11:59"))
    assert later(sandbox, ctx, at, "2026-03-09 11:00") == 0
    assert customers.due_now(sandbox.id, T("2026-03-09 12:00"))
    assert later(sandbox, ctx, at, "2026-03-09 16:00") == 1
    (answer,) = answers_to(question)
    assert answer.occurred_at == T("2026-03-09 12:00")  # when it was due, not "now"
    assert answer.direction == "inbound" and answer.thread_id == question.thread_id
    assert question.customer_due_at is None


def test_a_question_gets_what_was_asked_and_nothing_else(setup):
    answer = ask(setup, "budget", "open")
    assert answer.answer_kind == "answer"
    assert answer.details == {"revealed": [{"type": "budget", "value": "under £500", "as": "need"}]}
    assert "£500" in answer.summary and "Friday" not in answer.summary


def test_a_hidden_need_is_revealed_only_to_an_open_or_probing_question(setup):
    assert ask(setup, "accessibility", "closed").details == {"revealed": []}
    probed = ask(setup, "accessibility", "probing")
    assert [r["value"] for r in probed.details["revealed"]] == ["step-free access to the door"]


def test_an_open_question_about_nothing_in_particular_gets_what_they_volunteer(setup):
    answer = ask(setup, "other", "open")
    values = [r["value"] for r in answer.details["revealed"]]
    assert values == ["emails rather than phone calls", "delivery before Friday 14 March"]


def test_a_summary_is_confirmed_corrected_and_added_to(setup):
    sandbox, ctx, contact, at = setup
    right = contacts.add_need(ctx, contact, "Delivery before Friday 14th March")
    preference = contacts.add_need(ctx, contact, "Prefers email rather than phone calls")
    wrong = contacts.add_need(ctx, contact, "Budget under £300")
    summary = send(ctx, contact, "confirm_needs", needs=[right.id, preference.id, wrong.id])
    later(sandbox, ctx, at, "2026-03-09 15:00")
    (reply,) = answers_to(summary)
    assert reply.answer_kind == "needs_reply"
    assert reply.details["confirmed"] == [right.id]
    assert {
        "need_id": preference.id,
        "is": "preference",
        "value": PERSONA.preferences[0].value,
    } in (reply.details["corrected"])
    assert {"need_id": wrong.id, "is": "need", "value": "under £500"} in reply.details["corrected"]
    assert reply.details["added"] == []  # the hidden need was never asked about
    assert "preference, not a need" in reply.summary
    conversations.confirm_need_by_reply(ctx, right, reply)
    with pytest.raises(ServiceError):
        conversations.confirm_need_by_reply(ctx, preference, reply)


def test_a_need_revealed_earlier_and_left_out_of_the_summary_is_added(setup):
    sandbox, ctx, contact, at = setup
    ask(setup, "accessibility", "probing")
    need = contacts.add_need(ctx, contact, "Under 500 pounds")
    summary = send(ctx, contact, "confirm_needs", needs=[need.id])
    later(sandbox, ctx, at, "2026-03-10 15:00")
    (reply,) = answers_to(summary)
    assert reply.details["confirmed"] == [need.id]
    assert [a["value"] for a in reply.details["added"]] == [
        "delivery before Friday 14 March",
        "step-free access to the door",
    ]


def complaint_for(ctx, contact):
    complaint = complaints.receive_complaint(
        ctx,
        contact,
        {"channel": "email", "category": "Late delivery", "description": "Late again."},
    )
    complaints.acknowledge(ctx, complaint, "email", "Sorry, we are looking into it.")
    complaints.start_investigation(ctx, complaint)
    return complaint


def test_a_remedy_is_accepted_or_rejected_with_the_customers_reason(setup):
    sandbox, ctx, contact, at = setup
    complaint = complaint_for(ctx, contact)
    short = complaints.propose_resolution(
        ctx, complaint, "email", "Half back?", {"type": "partial_refund", "amount": "20"}
    )
    enough = complaints.propose_resolution(
        ctx, complaint, "email", "All back", {"type": "full_refund", "amount": "44.94"}
    )
    slow = complaints.propose_resolution(
        ctx, complaint, "email", "Next week", {"type": "redelivery", "by": "2026-03-16"}
    )
    later(sandbox, ctx, at, "2026-03-10 15:00")
    (no,), (yes,), (too_slow,) = answers_to(short), answers_to(enough), answers_to(slow)
    assert no.answer_kind == "rejects" and no.details["reason"] == PERSONA.rejects_because
    assert PERSONA.rejects_because in no.summary
    assert yes.answer_kind == "accepts" and yes.complaint_id == complaint.id
    assert too_slow.answer_kind == "rejects"


def test_satisfied_only_once_a_remedy_was_accepted_and_only_a_yes_closes_confirmed(setup):
    sandbox, ctx, contact, at = setup
    complaint = complaint_for(ctx, contact)
    early = complaints.ask_satisfied(ctx, complaint, "email", "Happy now?")
    later(sandbox, ctx, at, "2026-03-09 15:00")
    (no,) = answers_to(early)
    assert no.answer_kind == "not_satisfied" and no.details == {"complaint_id": complaint.id}
    complaints.resolve(
        ctx,
        complaint,
        "Refunded in full",
        "email",
        "We have refunded £44.94.",
        remedy={"type": "full_refund", "amount": "44.94"},
    )
    later(sandbox, ctx, at, "2026-03-10 10:00")
    again = complaints.ask_satisfied(ctx, complaint, "email", "Are you happy now?")
    later(sandbox, ctx, at, "2026-03-10 15:00")
    (yes,) = answers_to(again)
    assert yes.answer_kind == "satisfied"
    close = {"confirmation_note": "", "root_cause": "Courier", "lessons_learned": "Brief"}
    with pytest.raises(ServiceError):
        complaints.close(ctx, complaint, satisfaction_reply=no, **close)
    complaints.close(ctx, complaint, satisfaction_reply=yes, **close)
    assert complaint.customer_confirmed is True and complaint.satisfaction_reply_id == yes.id


def test_a_broken_promise_brings_a_chase_then_a_complaint(setup):
    sandbox, ctx, contact, at = setup
    promise = send(
        ctx, contact, "follow_up", "I will call you by 14:00", promise_by=T("2026-03-09 14:00")
    )
    later(sandbox, ctx, at, "2026-03-09 15:30")
    (chase,) = answers_to(promise)
    assert chase.answer_kind == "chase" and chase.details == {"promise_of": promise.id}
    assert chase.occurred_at == T("2026-03-09 15:00")
    later(sandbox, ctx, at, "2026-03-10 12:00")  # one chase, unanswered: then they complain
    _, complained = answers_to(promise)
    assert complained.answer_kind == "complaint" and complained.occurred_at == T("2026-03-09 16:00")
    raised = db.session.get(Complaint, complained.complaint_id)
    assert raised.contact_id == contact.id and raised.category == "Promise not kept"
    assert promise.customer_due_at is None


def test_a_promised_call_that_comes_brings_no_chase(setup):
    sandbox, ctx, contact, at = setup
    promise = send(
        ctx, contact, "follow_up", "I will call you by 14:00", promise_by=T("2026-03-09 14:00")
    )
    at(sandbox, "2026-03-09 13:30")
    send(ctx, contact, "follow_up", "As promised: your sofa comes Thursday.")
    assert later(sandbox, ctx, at, "2026-03-11 10:00") == 0
    assert answers_to(promise) == [] and promise.customer_due_at is None


def persona_with(monkeypatch, contact, **changes):
    persona = Persona.model_validate({**PERSONA.model_dump(), **changes})
    real = customers.persona_for
    monkeypatch.setattr(
        customers, "persona_for", lambda c, who: persona if who.id == contact.id else real(c, who)
    )


def test_a_broken_promise_about_a_complaint_ends_in_a_request_to_escalate(setup):
    sandbox, ctx, contact, at = setup
    complaint = complaint_for(ctx, contact)
    promise = complaints.send_update(ctx, complaint, "phone", "We will call you by 11:00.")
    promise.promise_by = T("2026-03-09 11:00")  # send_update makes no promise: as if it had
    promise.customer_due_at = customers.next_due(ctx, contact, promise)
    later(sandbox, ctx, at, "2026-03-10 10:00")
    chase, escalation = answers_to(promise)
    assert chase.answer_kind == "chase" and escalation.answer_kind == "escalation"
    assert escalation.complaint_id == complaint.id
    assert escalation.details == {"promise_of": promise.id}


def test_a_customer_out_of_patience_leaves(setup, monkeypatch):
    sandbox, ctx, contact, at = setup
    persona_with(monkeypatch, contact, patience={"chases": 0, "then": "leave"})
    promise = send(
        ctx, contact, "follow_up", "I'll ring by 14:00", promise_by=T("2026-03-09 14:00")
    )
    later(sandbox, ctx, at, "2026-03-09 17:00")
    (gone,) = answers_to(promise)
    assert gone.answer_kind == "leaving"
    assert contact.left_sbx == T("2026-03-09 15:00") and contact.left_reason
    entry = db.session.scalar(
        select(ActionLogEntry).where(
            ActionLogEntry.sandbox_id == sandbox.id, ActionLogEntry.verb == "contact.left"
        )
    )
    assert entry.object_id == contact.id
    question = send(ctx, contact, "ask_needs", "Still there?", topic="budget", kind="open")
    assert later(sandbox, ctx, at, "2026-03-10 17:00") == 0  # nobody answers any more
    assert answers_to(question) == []


def test_marketing_without_consent_draws_a_complaint(setup):
    sandbox, ctx, contact, at = setup
    contacts.set_consent(ctx, contact, {"email": True, "phone": True})
    by_phone = send(ctx, contact, "marketing", "Our spring sale!", channel="phone")
    by_email = send(ctx, contact, "marketing", "Our spring sale!")
    later(sandbox, ctx, at, "2026-03-10 10:00")
    (complaint,) = answers_to(by_phone)  # the persona never agreed to calls
    assert complaint.answer_kind == "complaint" and "marketing" in complaint.summary
    assert answers_to(by_email) == []  # agreed in their mind and in the CRM
    contacts.set_consent(ctx, contact, {"email": False})
    unwanted = send(ctx, contact, "marketing", "Last chance!")
    contacts.set_consent(ctx, contact, {"email": True})  # consent is judged when it was sent
    later(sandbox, ctx, at, "2026-03-11 10:00")
    assert [m.answer_kind for m in answers_to(unwanted)] == ["complaint"]


def test_an_internal_customer_says_what_they_need_and_by_when(setup):
    sandbox, ctx, _, at = setup
    colleague = db.session.scalar(
        select(Contact)
        .where(Contact.sandbox_id == sandbox.id, Contact.category == "internal")
        .order_by(Contact.id)
        .limit(1)
    )
    request = send(ctx, colleague, "internal_request", "What do you need for the report?")
    later(sandbox, ctx, at, "2026-03-10 10:00")
    (reply,) = answers_to(request)
    assert reply.answer_kind == "reply" and "By when:" in reply.summary
    persona = customers.persona_for(ctx, colleague)
    assert [r["value"] for r in reply.details["revealed"] if r["as"] == "need"] == [
        n.value for n in persona.needs
    ]


def test_the_log_shows_the_customer_acting_at_the_time_they_acted(setup):
    sandbox, ctx, contact, at = setup
    question = send(ctx, contact, "ask_needs", "When?", topic="timescale", kind="closed")
    later(sandbox, ctx, at, "2026-03-09 16:00")
    (answer,) = answers_to(question)
    entry = db.session.scalar(
        select(ActionLogEntry).where(
            ActionLogEntry.sandbox_id == sandbox.id,
            ActionLogEntry.verb == "interaction.logged",
            ActionLogEntry.object_id == answer.id,
        )
    )
    assert entry.payload["actor"] == f"Customer: {contact.display_name}"
    assert entry.actor_id is None and entry.sandbox_time == T("2026-03-09 12:00")
    assert answer.recorded_by == contact.display_name


def test_every_background_customer_can_answer_every_question(provision, ctx_for, frozen):
    for profile in ("retail", "housing", "it_services", "leisure"):
        sandbox = provision(profile=profile)
        ctx = ctx_for(sandbox)
        people = db.session.scalars(select(Contact).where(Contact.sandbox_id == sandbox.id)).all()
        for person in people:
            persona = customers.persona_for(ctx, person)
            assert persona == customers.persona_for(ctx, person)
            if person.category == "internal":
                assert answers.answer_internal_request(persona).summary
                continue
            assert any(n.hidden for n in persona.needs) and persona.accepts
            for topic in ("timescale", "budget", "accessibility", "specification", "other"):
                for kind in ("open", "closed"):
                    reply = answers.answer_question(persona, topic, kind)
                    for item in reply.details["revealed"]:
                        assert item["value"] in reply.summary


def run_the_same_conversation(ctx, contact, at, sandbox):
    """A fixed set of learner actions with one customer; the customer's replies."""
    at(sandbox, "2026-03-09 10:00")
    for topic, kind in (("other", "open"), ("budget", "closed"), ("accessibility", "probing")):
        send(ctx, contact, "ask_needs", "Tell me", topic=topic, kind=kind)
    need = contacts.add_need(ctx, contact, "Something I guessed")
    send(ctx, contact, "confirm_needs", needs=[need.id])
    complaint = complaint_for(ctx, contact)
    complaints.propose_resolution(
        ctx, complaint, "email", "Refund?", {"type": "full_refund", "amount": "10"}
    )
    send(ctx, contact, "follow_up", "Call by 14:00", promise_by=T("2026-03-09 14:00"))
    at(sandbox, "2026-03-13 17:00")
    customers.act_on_due(ctx)
    replies = db.session.scalars(
        select(Interaction)
        .where(Interaction.contact_id == contact.id, Interaction.answer_kind.is_not(None))
        .order_by(Interaction.occurred_at, Interaction.id)
    ).all()
    return [(m.occurred_at, m.answer_kind, m.summary) for m in replies]


def test_the_same_actions_give_the_same_replies_in_another_sandbox(provision, ctx_for, frozen):
    runs = []
    for _ in range(2):
        sandbox = provision(seed=5)
        contact = db.session.scalar(
            select(Contact)
            .where(Contact.sandbox_id == sandbox.id, Contact.category == "external")
            .order_by(Contact.sort_name)
            .limit(1)
        )
        runs.append(run_the_same_conversation(ctx_for(sandbox), contact, frozen, sandbox))
    assert runs[0] == runs[1]
    kinds = {kind for _, kind, _ in runs[0]}
    assert kinds >= {"answer", "needs_reply", "chase"} and kinds & {"accepts", "rejects"}


def test_a_scenario_customer_answers_from_their_persona_the_same_way_twice(
    app, create_user, frozen
):
    from crm_sandbox.models import Role
    from crm_sandbox.scenarios import engine
    from crm_sandbox.scenarios.loader import library_source

    # The shipped scenario's own persona for Mrs Okafor.
    scenario, source = library_source("first-complaint")
    runs = []
    for _ in range(2):
        attempt = engine.start_attempt(create_user(Role.LEARNER), scenario, source)
        sandbox = attempt.sandbox
        okafor = db.session.get(Contact, attempt.keys["contacts"]["okafor"])
        ctx = SandboxContext(sandbox, attempt.learner)
        assert customers.persona_for(ctx, okafor).mood == "annoyed"
        runs.append(run_the_same_conversation(ctx, okafor, frozen, sandbox))
        # Nothing scripted: she chases only when a promise made to her is broken.
        assert engine.fire_due_events(attempt) == 0
    assert runs[0] == runs[1]
    assert any("I took a day off work for nothing." in summary for *_, summary in runs[0])


def test_opening_a_crm_page_lets_due_answers_land(client, auth, provision, ctx_for, frozen):
    sandbox = provision()
    auth.login(sandbox.owner.email)
    ctx = ctx_for(sandbox)
    frozen(sandbox, "2026-03-09 10:00")
    contact = db.session.scalar(
        select(Contact)
        .where(Contact.sandbox_id == sandbox.id, Contact.category == "external")
        .order_by(Contact.id)
        .limit(1)
    )
    question = send(ctx, contact, "ask_needs", "When?", topic="timescale", kind="open")
    db.session.commit()
    assert client.get(f"/s/{sandbox.id}/").status_code == 200
    assert answers_to(question) == []  # not due yet
    frozen(sandbox, "2026-03-10 10:00")
    db.session.commit()
    assert client.get(f"/s/{sandbox.id}/").status_code == 200
    db.session.expire_all()
    (answer,) = answers_to(question)
    assert answer.answer_kind == "answer"
    assert not customers.due_now(sandbox.id, T("2026-03-10 10:00"))


def test_a_summary_corrects_the_type_and_disowns_what_they_never_needed(setup):
    sandbox, ctx, contact, at = setup
    misfiled = contacts.add_need(ctx, contact, "Under £500")
    misfiled.need_type = "timescale"
    invented = contacts.add_need(ctx, contact, "A gift wrapping service")
    summary = send(ctx, contact, "confirm_needs", needs=[misfiled.id, invented.id])
    later(sandbox, ctx, at, "2026-03-10 10:00")
    (reply,) = answers_to(summary)
    assert reply.details["confirmed"] == []
    assert reply.details["corrected"] == [
        {"need_id": misfiled.id, "is": "need", "value": "under £500", "type": "budget"},
        {"need_id": invented.id, "is": "none", "value": ""},
    ]
    assert [a["value"] for a in reply.details["added"]] == ["delivery before Friday 14 March"]


@pytest.mark.parametrize(
    ("recorded", "persona", "same"),
    [
        ("Budget: under 500 pounds", "under £500", True),
        ("UNDER £500.00!", "under £500", True),
        ("Under £300", "under £500", False),
        ("cheap", "under £500", False),
        ("Delivery before Fri 14 March", "delivery before Friday 14 March", True),
        ("Step free access", "step-free access to the door", True),
        ("Emails, not calls", "emails rather than phone calls", True),
        ("A quick answer", "delivery before Friday 14 March", False),
    ],
)
def test_values_are_compared_forgivingly(recorded, persona, same):
    assert answers.same_value(recorded, persona) is same


def test_a_question_that_also_promises_is_answered_and_then_its_promise_watched(setup):
    sandbox, ctx, contact, at = setup
    question = send(
        ctx,
        contact,
        "ask_needs",
        "What is your budget? I'll ring you tomorrow by 10:00 either way.",
        topic="budget",
        kind="open",
        promise_by=T("2026-03-10 10:00"),
    )
    later(sandbox, ctx, at, "2026-03-09 17:00")
    assert [m.answer_kind for m in answers_to(question)] == ["answer"]
    assert question.customer_due_at == T("2026-03-10 11:00")  # then they look for the call
    later(sandbox, ctx, at, "2026-03-10 11:30")
    assert [m.answer_kind for m in answers_to(question)] == ["answer", "chase"]


def test_check_my_work_lets_due_answers_land_first(app, create_user, frozen):
    from crm_sandbox.models import Role
    from crm_sandbox.scenarios import engine
    from crm_sandbox.scenarios.loader import library_source

    scenario, source = library_source("first-complaint")
    attempt = engine.start_attempt(create_user(Role.LEARNER), scenario, source)
    okafor = db.session.get(Contact, attempt.keys["contacts"]["okafor"])
    ctx = SandboxContext(attempt.sandbox, attempt.learner)
    frozen(attempt.sandbox, "2026-03-09 09:30")
    question = send(ctx, okafor, "ask_needs", "When suits you?", topic="timescale", kind="open")
    frozen(attempt.sandbox, "2026-03-09 16:00")
    engine.check_my_work(attempt, attempt.learner)
    # Her answer landed before the checks ran (she chases only a broken promise: none here).
    assert [m.answer_kind for m in answers_to(question)] == ["answer"]
