"""The complaints procedure: every legal and illegal move, due times in working time,
pauses, breaches, escalation, closure and reference numbers under concurrent writers."""

from __future__ import annotations

import multiprocessing
from datetime import datetime

import pytest
from sqlalchemy import func, select

from crm_sandbox.database import write_transactions
from crm_sandbox.extensions import db
from crm_sandbox.models import Complaint, Contact, Interaction, Sandbox, Stage
from crm_sandbox.services import action_log, complaints, conversations
from crm_sandbox.services.complaints import MOVES
from crm_sandbox.services.context import SandboxContext
from crm_sandbox.services.errors import ServiceError

from .conftest import make_app

T = datetime.fromisoformat


@pytest.fixture
def setup(provision, ctx_for, frozen):
    sandbox = provision()  # retail: Mon-Fri 09:00-17:30; ack 1 day, resolve 5 days at stage 1
    ctx = ctx_for(sandbox)
    customer = db.session.scalar(
        select(Contact)
        .where(Contact.sandbox_id == sandbox.id, Contact.category == "external")
        .limit(1)
    )
    frozen(sandbox, "2026-03-09 10:00")  # Monday

    def new(received="2026-03-09 10:00"):
        return complaints.receive_complaint(
            ctx,
            customer,
            {
                "channel": "email",
                "category": "Late or missed delivery",
                "severity": "medium",
                "description": "My sofa did not arrive on the promised day.",
                "received_at": T(received),
            },
        )

    return sandbox, ctx, new, frozen


def customer_says(ctx, complaint, kind: str = "satisfied") -> Interaction:
    """The customer's answer to "are you satisfied?" about `complaint` (as the simulated
    customer would send it)."""
    return conversations.receive_message(
        ctx,
        complaint.contact,
        answer_kind=kind,
        channel="email",
        summary="Yes, I am happy with that." if kind == "satisfied" else "No, I am not.",
        occurred_at=ctx.now(),
        complaint_id=complaint.id,
        details={"complaint_id": complaint.id},
    )


def walk_to(ctx, complaint, stage: Stage):
    """Take a complaint along the normal path to `stage`."""
    path = [Stage.ACKNOWLEDGED, Stage.INVESTIGATING, Stage.WAITING, Stage.RESOLVED, Stage.CLOSED]
    if stage == Stage.RECEIVED:
        return complaint
    complaints.acknowledge(ctx, complaint, "email", "We have received your complaint.")
    if stage == Stage.ACKNOWLEDGED:
        return complaint
    complaints.start_investigation(ctx, complaint)
    if stage == Stage.INVESTIGATING:
        return complaint
    if stage == Stage.WAITING:
        complaints.wait_for_customer(ctx, complaint, "Asked for the order number")
        return complaint
    complaints.resolve(
        ctx, complaint, "Re-delivered on Saturday", "email", "Your sofa will arrive on Saturday."
    )
    if stage == Stage.RESOLVED:
        return complaint
    assert path
    complaints.close(
        ctx,
        complaint,
        satisfaction_reply=customer_says(ctx, complaint),
        confirmation_note="Phoned",
        root_cause="Route planning error",
        lessons_learned="Check routes daily",
    )
    return complaint


RUNNERS = {
    "acknowledge": lambda ctx, c: complaints.acknowledge(ctx, c, "email", "Received, thanks."),
    "investigate": lambda ctx, c: complaints.start_investigation(ctx, c),
    "wait_for_customer": lambda ctx, c: complaints.wait_for_customer(ctx, c, "Asked for a photo"),
    "customer_replied": lambda ctx, c: complaints.customer_replied(ctx, c),
    "resolve": lambda ctx, c: complaints.resolve(ctx, c, "Refunded", "email", "Refund sent."),
    "reopen": lambda ctx, c: complaints.reopen(ctx, c, "Customer says it is still broken"),
    "close": lambda ctx, c: complaints.close(
        ctx,
        c,
        satisfaction_reply=customer_says(ctx, c),
        confirmation_note="By phone",
        root_cause="Courier",
        lessons_learned="Brief couriers",
    ),
}
ALL_MOVES = [(stage, action) for stage in Stage for action in MOVES]


@pytest.mark.parametrize(
    ("stage", "action"), ALL_MOVES, ids=[f"{s.value}-{a}" for s, a in ALL_MOVES]
)
def test_each_move_is_allowed_only_from_its_stages(setup, stage, action):
    _, ctx, new, _ = setup
    complaint = walk_to(ctx, new(), stage)
    starts, target = MOVES[action]
    if stage in starts:
        RUNNERS[action](ctx, complaint)
        assert complaint.stage == target.value
        assert complaint.events[-1].action == action
    else:
        before = complaint.stage
        with pytest.raises(ServiceError) as refused:
            RUNNERS[action](ctx, complaint)
        assert "is not possible while the complaint is" in refused.value.message
        assert complaint.stage == before


def test_the_legal_moves_are_offered_as_buttons(setup):
    _, ctx, new, _ = setup
    complaint = new()
    assert complaints.legal_actions(complaint, ctx) == ["acknowledge", "escalate"]
    walk_to(ctx, complaint, Stage.CLOSED)
    assert complaints.legal_actions(complaint, ctx) == []


def test_closing_before_resolving_names_the_missing_step(setup):
    _, ctx, new, _ = setup
    complaint = walk_to(ctx, new(), Stage.INVESTIGATING)
    with pytest.raises(
        ServiceError, match=r"record a resolution first \(procedure step: resolve\)"
    ):
        RUNNERS["close"](ctx, complaint)
    received = new()
    with pytest.raises(ServiceError, match="acknowledge the complaint first"):
        RUNNERS["resolve"](ctx, received)


def test_due_times_come_from_the_procedure_in_working_time(setup):
    _, ctx, new, _ = setup
    complaint = new("2026-03-06 15:00")  # Friday 15:00; retail day is 8.5 hours
    assert complaint.ack_due_at == T("2026-03-09 15:00")
    assert complaint.resolve_due_at == T("2026-03-13 15:00")
    assert complaint.reference.startswith("C-")


def test_due_times_skip_easter_bank_holidays(setup):
    sandbox, ctx, new, at = setup
    at(sandbox, "2026-04-02 16:00")
    complaint = new("2026-04-02 14:00")  # Thursday before Good Friday
    assert complaint.ack_due_at == T("2026-04-07 14:00")  # Good Friday, Easter Monday closed


def test_waiting_for_the_customer_pauses_the_clock(setup):
    sandbox, ctx, new, at = setup
    complaint = walk_to(ctx, new(), Stage.INVESTIGATING)
    due = complaint.resolve_due_at
    at(sandbox, "2026-03-10 10:00")
    complaints.wait_for_customer(ctx, complaint, "Asked for a photo of the damage")
    assert complaints.due_statuses(ctx, complaint)[1].state == "paused"
    at(sandbox, "2026-03-12 10:00")  # two working days later
    complaints.customer_replied(ctx, complaint)
    assert complaint.resolve_due_at == T("2026-03-18 10:00")
    assert due == T("2026-03-16 10:00")


def test_a_late_acknowledgement_is_allowed_but_recorded_as_a_breach(setup):
    sandbox, ctx, new, at = setup
    complaint = new("2026-03-09 10:00")
    at(sandbox, "2026-03-11 09:30")
    assert complaints.due_statuses(ctx, complaint)[0].state == "missed"
    complaints.acknowledge(ctx, complaint, "email", "Sorry for the delay.")
    event = complaint.events[-1]
    assert event.breach.startswith("acknowledged after the procedure's deadline")
    entry = action_log.entries(sandbox.id, limit=1)[0]
    assert entry.verb == "complaint.acknowledged" and "breach" in entry.payload["after"]
    assert complaints.due_statuses(ctx, complaint)[0].state == "missed"


def test_due_status_is_met_on_track_or_at_risk(setup):
    sandbox, ctx, new, at = setup
    complaint = new("2026-03-09 10:00")
    assert complaints.due_statuses(ctx, complaint)[0].state == "on_track"
    at(sandbox, "2026-03-10 08:00")  # before opening: 1 working hour left of 8.5
    assert complaints.due_statuses(ctx, complaint)[0].state == "at_risk"
    complaints.acknowledge(ctx, complaint, "phone", "Thank you for telling us.")
    assert complaints.due_statuses(ctx, complaint)[0].state == "met"


def test_acknowledging_logs_a_communication_linked_to_the_complaint(setup):
    sandbox, ctx, new, _ = setup
    complaint = walk_to(ctx, new(), Stage.RESOLVED)
    comms = complaints.communications(ctx, complaint)
    assert [i.outcome for i in comms] == ["Complaint acknowledged", "Complaint outcome sent"]
    assert all(i.direction == "outbound" for i in comms)


def test_escalation_needs_a_reason_and_restarts_the_timescales_at_the_next_level(setup):
    sandbox, ctx, new, at = setup
    complaint = walk_to(ctx, new(), Stage.RESOLVED)
    with pytest.raises(ServiceError, match="Give the reason for escalating"):
        complaints.escalate(ctx, complaint, "  ")
    at(sandbox, "2026-03-10 11:00")
    complaints.escalate(ctx, complaint, "She says the refund is not enough", rule=1)
    assert (complaint.level, complaint.stage) == ("supervisor", "received")
    assert complaint.escalation_rule == 1
    assert complaint.owner == "Customer Service Supervisor"
    assert complaint.ack_due_at == T("2026-03-11 11:00")
    assert complaint.resolve_due_at == T("2026-03-24 11:00")  # 10 working days
    assert complaint.events[-1].judgement is False


def test_an_escalation_outside_the_rules_is_recorded_as_a_judgement_call(setup):
    _, ctx, new, _ = setup
    complaint = new()
    complaints.escalate(ctx, complaint, "I felt unsure what to do")
    assert complaint.events[-1].judgement is True


def test_an_escalation_reason_is_the_procedures_rule_chosen_not_words_in_the_text(setup):
    """The procedure's own words typed as the reason do not make it one of its reasons: the
    rule is a choice (by number), and the log records it with its text and any amount."""
    _, ctx, new, _ = setup
    worded = new()
    complaints.escalate(ctx, worded, "the customer is not satisfied with the stage 1 response")
    assert worded.events[-1].judgement is True and worded.escalation_rule is None
    chosen = new()
    complaints.escalate(ctx, chosen, "Wants £150 back for the sofa", rule="3", amount="£150")
    assert chosen.events[-1].judgement is False
    assert (chosen.escalation_rule, chosen.escalation_amount) == (3, "150.00")
    entry = action_log.entries(ctx.sandbox_id)[0]
    assert entry.verb == "complaint.escalated"
    assert entry.payload["after"]["rule"] == 3 and entry.payload["after"]["amount"] == "150.00"
    assert "over £100" in entry.payload["after"]["rule_text"]


@pytest.mark.parametrize(
    ("rule", "amount", "field"),
    [(9, None, "rule"), ("two", None, "rule"), (1, "lots", "amount"), (1, "-5", "amount")],
)
def test_an_escalation_with_a_rule_or_amount_that_does_not_exist_changes_nothing(
    setup, rule, amount, field
):
    _, ctx, new, _ = setup
    complaint = new()
    with pytest.raises(ServiceError) as refused:
        complaints.escalate(ctx, complaint, "Not satisfied", rule=rule, amount=amount)
    assert refused.value.field == field
    assert complaint.level == "front_line" and complaint.escalation_reason == ""


def test_escalation_stops_at_the_last_level(setup):
    _, ctx, new, _ = setup
    complaint = new()
    for _ in range(3):
        complaints.escalate(ctx, complaint, "The customer is not satisfied with the response")
    assert complaint.level == "external_review"
    assert "escalate" not in complaints.legal_actions(complaint, ctx)
    with pytest.raises(ServiceError, match="last level"):
        complaints.escalate(ctx, complaint, "The customer is not satisfied with the response")


def test_closing_as_confirmed_needs_the_customers_own_yes(setup):
    _, ctx, new, _ = setup
    complaint = walk_to(ctx, new(), Stage.RESOLVED)
    other = walk_to(ctx, new(), Stage.RESOLVED)
    common = {"confirmation_note": "", "root_cause": "Courier", "lessons_learned": "Brief"}
    with pytest.raises(ServiceError, match="give the reason for your judgement"):
        complaints.close(ctx, complaint, satisfaction_reply=None, **common)
    for not_a_yes in (customer_says(ctx, complaint, "not_satisfied"), customer_says(ctx, other)):
        with pytest.raises(ServiceError, match="customer's own reply"):
            complaints.close(ctx, complaint, satisfaction_reply=not_a_yes, **common)
    yes = customer_says(ctx, complaint)
    with pytest.raises(ServiceError, match="Enter root cause"):
        complaints.close(ctx, complaint, satisfaction_reply=yes, **{**common, "root_cause": ""})
    assert complaint.stage == "resolved"
    complaints.close(ctx, complaint, satisfaction_reply=yes, **common)
    assert complaint.customer_confirmed is True
    assert complaint.satisfaction_reply_id == yes.id
    assert complaint.events[-1].judgement is False


def test_closing_without_a_yes_is_a_judgement_recorded_unconfirmed(setup):
    _, ctx, new, _ = setup
    complaint = walk_to(ctx, new(), Stage.RESOLVED)
    complaints.close(
        ctx,
        complaint,
        satisfaction_reply=None,
        confirmation_note="",
        root_cause="Courier",
        lessons_learned="Brief",
        judgement_note="No reply after two calls and a letter",
    )
    assert complaint.stage == "closed" and complaint.events[-1].judgement is True
    assert complaint.customer_confirmed is False and complaint.satisfaction_reply_id is None


def test_every_complaint_message_has_a_purpose_and_joins_the_complaints_thread(setup):
    _, ctx, new, _ = setup
    complaint = walk_to(ctx, new(), Stage.INVESTIGATING)
    complaints.send_update(ctx, complaint, "email", "Still looking into it.")
    proposal = complaints.propose_resolution(
        ctx,
        complaint,
        "email",
        "We can redeliver on Thursday.",
        {"type": "redelivery", "amount": None, "by": "2026-03-12"},
    )
    asked = complaints.ask_satisfied(ctx, complaint, "email", "Are you happy with this?")
    sent = db.session.scalars(
        select(Interaction).where(Interaction.complaint_id == complaint.id).order_by(Interaction.id)
    ).all()
    assert [m.purpose for m in sent] == [
        "acknowledge",
        "update",
        "propose_resolution",
        "ask_satisfied",
    ]
    assert len({m.thread_id for m in sent}) == 1
    assert {m.initiative for m in sent} == {"reactive"}
    assert proposal.details["remedy"] == {"type": "redelivery", "amount": None, "by": "2026-03-12"}
    assert asked.customer_due_at is not None


def test_resolving_with_a_remedy_proposes_it(setup):
    _, ctx, new, _ = setup
    complaint = walk_to(ctx, new(), Stage.INVESTIGATING)
    complaints.resolve(
        ctx,
        complaint,
        "Refunded",
        "email",
        "We have refunded you in full.",
        remedy={"type": "full_refund", "amount": "44.94"},
    )
    outcome = db.session.scalars(
        select(Interaction)
        .where(Interaction.complaint_id == complaint.id)
        .order_by(Interaction.id.desc())
    ).first()
    assert outcome.purpose == "propose_resolution"
    assert outcome.details["remedy"]["amount"] == "44.94"


def test_a_satisfaction_rating_is_asked_after_closure_and_arrives_in_sandbox_time(setup):
    sandbox, ctx, new, at = setup
    complaint = walk_to(ctx, new(), Stage.RESOLVED)
    with pytest.raises(ServiceError, match="once the complaint is closed"):
        complaints.request_satisfaction(ctx, complaint)
    walk_to_close = RUNNERS["close"]
    walk_to_close(ctx, complaint)
    complaints.request_satisfaction(ctx, complaint)
    assert 1 <= complaint.satisfaction_rating <= 5
    assert not complaints.satisfaction_visible(ctx, complaint)
    at(sandbox, "2026-03-12 09:00")
    assert complaints.satisfaction_visible(ctx, complaint)
    with pytest.raises(ServiceError, match="already requested"):
        complaints.request_satisfaction(ctx, complaint)


def test_references_are_sequential_per_sandbox(setup, provision, ctx_for):
    _, ctx, new, _ = setup
    refs = [new().reference for _ in range(3)]
    numbers = [int(r.split("-")[1]) for r in refs]
    assert numbers == list(range(numbers[0], numbers[0] + 3))
    other = provision(seed=2)
    other_customer = db.session.scalar(select(Contact).where(Contact.sandbox_id == other.id))
    first_other = complaints.receive_complaint(
        ctx_for(other),
        other_customer,
        {"channel": "phone", "category": "Other", "description": "x"},
    )
    base = db.session.scalar(
        select(func.count()).select_from(Complaint).where(Complaint.sandbox_id == other.id)
    )
    assert first_other.reference == f"C-{base:04d}"


def test_the_complaints_list_filters_and_counts_by_stage(setup):
    sandbox, ctx, new, at = setup
    open_one = new()
    walk_to(ctx, new(), Stage.CLOSED)
    escalated = new()
    complaints.escalate(ctx, escalated, "The complaint is about a member of staff")
    counts = complaints.counts_by_stage(ctx)
    mine = complaints.list_complaints(ctx, complaints.ComplaintFilters(escalated=True))
    assert escalated in mine and open_one not in mine
    at(sandbox, "2026-03-20 10:00")
    overdue = complaints.list_complaints(ctx, complaints.ComplaintFilters(overdue=True))
    assert open_one in overdue
    assert counts["closed"] >= 1 and counts["received"] >= 2


WRITERS, PER_WRITER = 16, 8


def _write_complaints(url, instance, sandbox_id, n, results):
    app = make_app(url, instance)
    errors = []
    with app.app_context():
        for _ in range(n):
            try:
                with write_transactions():
                    sandbox = db.session.get(Sandbox, sandbox_id)
                    ctx = SandboxContext(sandbox, None, "Concurrent writer")
                    customer = db.session.scalar(
                        select(Contact).where(Contact.sandbox_id == sandbox_id).limit(1)
                    )
                    complaints.receive_complaint(
                        ctx,
                        customer,
                        {"channel": "phone", "category": "Other", "description": "Load"},
                    )
                    db.session.commit()
            except Exception as exc:  # noqa: BLE001 - reported to the parent
                db.session.rollback()
                errors.append(repr(exc))
        db.engine.dispose()
    results.put(errors)


def test_references_stay_unique_under_16_concurrent_writers(app, provision, tmp_path):
    sandbox = provision()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    before = db.session.scalar(
        select(func.count()).select_from(Complaint).where(Complaint.sandbox_id == sandbox.id)
    )
    db.session.commit()
    mp = multiprocessing.get_context("fork")
    results = mp.Queue()
    workers = [
        mp.Process(
            target=_write_complaints,
            args=(url, tmp_path / f"w{i}", sandbox.id, PER_WRITER, results),
        )
        for i in range(WRITERS)
    ]
    for w in workers:
        w.start()
    errors = [e for _ in workers for e in results.get(timeout=120)]
    for w in workers:
        w.join(timeout=60)
    assert errors == []
    db.session.rollback()
    refs = list(
        db.session.scalars(select(Complaint.reference).where(Complaint.sandbox_id == sandbox.id))
    )
    assert len(refs) == before + WRITERS * PER_WRITER
    assert len(set(refs)) == len(refs)
    numbers = sorted(int(r.split("-")[1]) for r in refs)
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    assert action_log.verify(sandbox.id).ok


def test_communications_are_interactions_on_the_contact_timeline(setup):
    sandbox, ctx, new, _ = setup
    complaint = walk_to(ctx, new(), Stage.ACKNOWLEDGED)
    linked = db.session.scalars(
        select(Interaction).where(Interaction.complaint_id == complaint.id)
    ).all()
    assert len(linked) == 1 and linked[0].contact_id == complaint.contact_id


def test_a_resolution_records_the_policy_rule_chosen_and_logs_it_with_its_words(setup):
    _, ctx, new, _ = setup
    complaint = walk_to(ctx, new(), Stage.INVESTIGATING)
    complaints.resolve(
        ctx,
        complaint,
        "Faulty: all his money back",
        "email",
        "Refund on its way.",
        policy_rule="returns.2",
    )
    assert complaint.policy_rule == "returns.2"
    entry = action_log.entries(ctx.sandbox_id)[0]
    assert entry.verb == "complaint.resolved"
    assert entry.payload["after"]["policy_rule"] == "returns.2"
    assert entry.payload["after"]["policy_rule_text"].startswith("Faulty items")


@pytest.mark.parametrize("ref", ["returns.99", "made_up.1", "returns", "<b>x</b>"])
def test_a_resolution_naming_a_rule_the_organisation_does_not_have_changes_nothing(setup, ref):
    _, ctx, new, _ = setup
    complaint = walk_to(ctx, new(), Stage.INVESTIGATING)
    with pytest.raises(ServiceError, match="Organisation & policies") as refused:
        complaints.resolve(ctx, complaint, "Refunded", "email", "Refund sent.", policy_rule=ref)
    assert refused.value.field == "policy_rule"
    assert complaint.stage == "investigating" and complaint.policy_rule == ""


def test_a_lesson_learned_records_the_policy_and_the_change_chosen(setup):
    _, ctx, new, _ = setup
    complaint = walk_to(ctx, new(), Stage.RESOLVED)
    complaints.close(
        ctx,
        complaint,
        satisfaction_reply=customer_says(ctx, complaint),
        confirmation_note="",
        root_cause="Shop misread the policy",
        lessons_learned="Brief the shops",
        lessons_policy="returns",
        lessons_change="train_staff",
    )
    assert (complaint.lessons_policy, complaint.lessons_change) == ("returns", "train_staff")
    after = action_log.entries(ctx.sandbox_id)[0].payload["after"]
    assert (after["lessons_policy"], after["lessons_change"]) == ("returns", "train_staff")


@pytest.mark.parametrize(
    ("policy", "change", "field"),
    [("pricing", "", "lessons_policy"), ("returns", "sack_someone", "lessons_change")],
)
def test_a_lesson_naming_an_unknown_policy_or_change_changes_nothing(setup, policy, change, field):
    _, ctx, new, _ = setup
    complaint = walk_to(ctx, new(), Stage.RESOLVED)
    with pytest.raises(ServiceError) as refused:
        complaints.close(
            ctx,
            complaint,
            satisfaction_reply=customer_says(ctx, complaint),
            confirmation_note="",
            root_cause="x",
            lessons_learned="y",
            lessons_policy=policy,
            lessons_change=change,
        )
    assert refused.value.field == field
    assert complaint.stage == "resolved"
