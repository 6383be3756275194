"""Service standards: measurable or flagged, agreed, and monitored from known data."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from crm_sandbox.extensions import db
from crm_sandbox.models import Contact
from crm_sandbox.services import complaints, interactions, standards
from crm_sandbox.services.errors import ServiceError

T = datetime.fromisoformat
WEEK = (date(2026, 3, 9), date(2026, 3, 13))
ACK_STANDARD = {
    "title": "Acknowledge complaints within 1 working day",
    "measure": "complaint_ack_time",
    "threshold": 1,
    "threshold_unit": "working_days",
    "target_percent": 95,
    "period": "week",
}


@pytest.fixture
def crm(provision, ctx_for, frozen):
    sandbox = provision()
    ctx = ctx_for(sandbox)
    customer = db.session.scalar(
        select(Contact)
        .where(Contact.sandbox_id == sandbox.id, Contact.category == "external")
        .limit(1)
    )
    return sandbox, ctx, customer, frozen


def complaint_at(ctx, customer, received):
    return complaints.receive_complaint(
        ctx,
        customer,
        {
            "channel": "email",
            "category": "Refund delay",
            "description": "Still no refund",
            "received_at": T(received),
        },
    )


def test_a_vague_standard_is_saved_as_a_draft_but_flagged_and_cannot_be_agreed(crm):
    _, ctx, _, _ = crm
    vague = standards.create_standard(
        ctx, {"title": "Give good service to every customer", "measure": "complaint_ack_time"}
    )
    problems = standards.measurability_problems(vague)
    assert vague.status == "draft"
    assert any("time allowed" in p for p in problems)
    assert any("'good'" in p for p in problems)
    with pytest.raises(ServiceError, match="must be measurable before it is agreed"):
        standards.agree_standard(ctx, vague, "All customers")
    measurable = standards.create_standard(ctx, ACK_STANDARD)
    assert standards.measurability_problems(measurable) == []
    standards.agree_standard(ctx, measurable, "All customers (charter)")
    assert measurable.status == "agreed" and measurable.agreed_on == date(2026, 3, 2)


def test_bad_numbers_are_refused_with_the_field_named(crm):
    _, ctx, _, _ = crm
    with pytest.raises(ServiceError) as refused:
        standards.create_standard(ctx, {**ACK_STANDARD, "target_percent": 150})
    assert refused.value.field == "target_percent"
    with pytest.raises(ServiceError, match="must be a number"):
        standards.create_standard(ctx, {**ACK_STANDARD, "threshold": "soon"})


def test_acknowledgement_compliance_is_computed_from_the_complaints(crm):
    sandbox, ctx, customer, at = crm
    at(sandbox, "2026-03-09 10:00")
    on_time = complaint_at(ctx, customer, "2026-03-09 09:30")
    late = complaint_at(ctx, customer, "2026-03-09 09:45")
    never = complaint_at(ctx, customer, "2026-03-09 09:50")
    at(sandbox, "2026-03-09 16:00")
    complaints.acknowledge(ctx, on_time, "email", "Received")
    at(sandbox, "2026-03-11 11:00")
    complaints.acknowledge(ctx, late, "email", "Sorry for the wait")
    open_not_due = complaint_at(ctx, customer, "2026-03-11 10:30")
    standard = standards.create_standard(ctx, ACK_STANDARD)
    result = standards.compliance(ctx, standard, *WEEK)
    assert len(result.cases) == 4
    assert len(result.decided) == 3
    assert {c.object_id for c in result.breaches} == {late.id, never.id}
    assert result.percent == 33.3 and result.value == 33.3
    assert result.target_met is False
    assert [c.met for c in result.cases if c.object_id == open_not_due.id] == [None]
    points = standards.series(result)
    assert points == [(date(2026, 3, 9), 33.3, 3)]


def test_resolution_time_and_follow_ups_and_first_response(crm):
    sandbox, ctx, customer, at = crm
    at(sandbox, "2026-03-09 09:00")
    c = complaint_at(ctx, customer, "2026-03-09 09:00")
    complaints.acknowledge(ctx, c, "email", "Received")
    complaints.start_investigation(ctx, c)
    at(sandbox, "2026-03-12 12:00")
    complaints.resolve(ctx, c, "Refunded", "email", "Refund sent")
    resolution = standards.create_standard(
        ctx,
        {
            **ACK_STANDARD,
            "title": "Resolve in 5 days",
            "measure": "complaint_resolution_time",
            "threshold": 5,
        },
    )
    assert standards.compliance(ctx, resolution, *WEEK).percent == 100.0

    at(sandbox, "2026-03-09 09:00")
    call = {
        "channel": "phone",
        "direction": "outbound",
        "initiative": "proactive",
        "summary": "Checked in",
        "follow_up_on": date(2026, 3, 10),
    }
    done = interactions.log_interaction(ctx, customer, call)
    missed = interactions.log_interaction(ctx, customer, call)
    at(sandbox, "2026-03-10 15:00")
    interactions.complete_follow_up(ctx, done)
    at(sandbox, "2026-03-12 09:00")
    follow = standards.create_standard(
        ctx,
        {
            "title": "Follow-ups on their date",
            "measure": "follow_ups_on_time",
            "target_percent": 90,
            "period": "week",
        },
    )
    result = standards.compliance(ctx, follow, *WEEK)
    assert result.percent == 50.0 and [c.object_id for c in result.breaches] == [missed.id]

    at(sandbox, "2026-03-09 10:00")
    email_in = {
        "channel": "email",
        "direction": "inbound",
        "initiative": "reactive",
        "summary": "Where is my order?",
    }
    interactions.log_interaction(ctx, customer, email_in)
    at(sandbox, "2026-03-09 14:00")
    interactions.log_interaction(
        ctx, customer, {**email_in, "direction": "outbound", "summary": "It ships tomorrow"}
    )
    reply = standards.create_standard(
        ctx,
        {
            **ACK_STANDARD,
            "title": "Reply within 4 hours",
            "measure": "first_response_time",
            "threshold": 4,
            "threshold_unit": "working_hours",
        },
    )
    result = standards.compliance(ctx, reply, *WEEK)
    assert result.percent == 100.0 and len(result.decided) == 1


def test_a_manual_standard_uses_the_values_the_learner_records(crm):
    sandbox, ctx, _, at = crm
    at(sandbox, "2026-03-13 12:00")
    manual = standards.create_standard(
        ctx,
        {
            "title": "Answer 90 calls a day",
            "measure": "manual",
            "threshold": 90,
            "threshold_unit": "count",
            "period": "week",
        },
    )
    standards.record_measurement(ctx, manual, date(2026, 3, 10), 80)
    standards.record_measurement(ctx, manual, date(2026, 3, 11), 100)
    result = standards.compliance(ctx, manual, *WEEK)
    assert result.value == 90.0 and result.target_met is True
    assert len(result.breaches) == 1
    with pytest.raises(ServiceError, match="not in the future"):
        standards.record_measurement(ctx, manual, date(2026, 4, 1), 5)


def test_a_finding_records_the_compliance_figure(crm):
    sandbox, ctx, customer, at = crm
    at(sandbox, "2026-03-12 10:00")
    complaint_at(ctx, customer, "2026-03-09 10:00")
    standard = standards.create_standard(ctx, ACK_STANDARD)
    finding = standards.add_finding(ctx, standard, "Nothing was acknowledged in time.", *WEEK)
    assert finding.compliance_percent == 0.0


# ---------------------------------------------------------------- bounded by the domain


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"threshold": 100_000}, r"time allowed \(working days\) must be between 0 and 60"),
        ({"threshold": 61}, r"time allowed \(working days\) must be between 0 and 60"),
        (
            {"threshold": 481, "threshold_unit": "working_hours"},
            r"time allowed \(working hours\) must be between 0 and 480",
        ),
        (
            {"measure": "satisfaction_score", "threshold": 6},
            "average score to reach must be between 0 and 5",
        ),
        ({"measure": "manual", "threshold": 100_001}, "Target value must be between 0 and 100,000"),
        ({"threshold": "Infinity"}, "not NaN or Infinity"),
        ({"target_percent": "nan"}, "not NaN or Infinity"),
    ],
)
def test_a_figure_outside_what_makes_sense_is_refused_with_a_clear_message(crm, changes, message):
    _, ctx, _, _ = crm
    with pytest.raises(ServiceError, match=message) as refused:
        standards.create_standard(ctx, {**ACK_STANDARD, **changes})
    assert refused.value.field in ("threshold", "target_percent")


def test_monitoring_the_longest_time_allowed_looks_at_a_handful_of_days_per_case(crm, monkeypatch):
    sandbox, ctx, customer, at = crm
    at(sandbox, "2026-03-12 10:00")
    for day in (9, 10, 11):
        complaint_at(ctx, customer, f"2026-03-{day:02d} 10:00")
    standard = standards.create_standard(
        ctx, {**ACK_STANDARD, "threshold": standards.MAX_TIME_ALLOWED["working_days"]}
    )
    from crm_sandbox.services import clock

    seen = [0]
    real = clock.WorkingCalendar.is_working_day

    def counting(self, day):
        seen[0] += 1
        return real(self, day)

    monkeypatch.setattr(clock.WorkingCalendar, "is_working_day", counting)
    result = standards.compliance(ctx, standard, *WEEK)
    cases = [c for c in result.cases if c.kind == "complaint"]
    assert len(cases) >= 3 and all(c.met is None for c in cases)  # 60 days: not yet due
    # one deadline each, by arithmetic: never one step per day of the 60 working days
    assert seen[0] <= 20 * len(cases), seen[0]


def test_a_monitoring_period_that_starts_after_it_ends_or_spans_years_is_refused(crm):
    _, ctx, _, _ = crm
    standard = standards.create_standard(ctx, ACK_STANDARD)
    with pytest.raises(ServiceError, match="starts .* after it ends"):
        standards.compliance(ctx, standard, date(2026, 3, 13), date(2026, 3, 9))
    with pytest.raises(ServiceError, match="at most 731 days"):
        standards.compliance(ctx, standard, date(2020, 1, 1), date(2026, 3, 9))
    # the earliest date there is: the default window does not overflow
    with pytest.raises(ServiceError, match="after it ends"):
        standards.compliance(ctx, standard, date(1, 1, 5), date(1, 1, 1))
    assert standards.compliance(ctx, standard, None, date(1, 1, 1)).cases == []


def test_the_pages_prepared_reads_give_each_sandbox_and_period_its_own_cases(
    crm, provision, ctx_for
):
    """The standards pages' reads are built once and run with each request's sandbox,
    standard, period and time: each page shows the cases `compliance` finds for it alone."""
    sandbox, ctx, customer, at = crm
    other = provision()
    other_ctx = ctx_for(other)
    other_customer = db.session.scalar(
        select(Contact).where(Contact.sandbox_id == other.id, Contact.category == "external")
    )
    at(sandbox, "2026-03-09 10:00")
    at(other, "2026-03-11 12:00")
    mine = complaint_at(ctx, customer, "2026-03-09 09:30")
    theirs = [complaint_at(other_ctx, other_customer, f"2026-03-1{d} 09:00") for d in (0, 1)]
    at(sandbox, "2026-03-13 12:00")
    at(other, "2026-03-13 12:00")
    standard = standards.create_standard(ctx, ACK_STANDARD)
    other_standard = standards.create_standard(other_ctx, ACK_STANDARD)
    expected = {standard.id: {mine.id}, other_standard.id: {c.id for c in theirs}}
    for c, s in ((ctx, standard), (other_ctx, other_standard), (ctx, standard)):
        alone = standards.compliance(c, s, *WEEK)
        page = standards.standard_page(c, s.id, *WEEK)
        assert {case.object_id for case in page["result"].cases} == expected[s.id]
        assert page["result"].cases == alone.cases
        listed = {row.id: result for row, _problems, result in standards.standard_list(c)}
        usual = standards.compliance(c, s)  # the list shows the usual period
        assert listed[s.id].cases == usual.cases
        assert expected[s.id] <= {case.object_id for case in usual.cases}
        # another period: the cases of that period only
        before = standards.standard_page(c, s.id, date(2026, 3, 2), date(2026, 3, 6))
        assert before["result"].cases == []
    assert standards.standard_page(other_ctx, standard.id) is None


# ---------------------------------------------------------------- agreeing and monitoring pages


@pytest.fixture
def pages(client, auth, provision):
    sandbox = provision()
    auth.login(sandbox.owner.email)
    customer = db.session.scalar(
        select(Contact)
        .where(Contact.sandbox_id == sandbox.id, Contact.category == "external")
        .limit(1)
    )
    return sandbox, f"/s/{sandbox.id}", customer


def _new_standard(client, base, sandbox):
    from crm_sandbox.models import ServiceStandard

    client.post(
        f"{base}/standards/new",
        data={
            "title": "Acknowledge complaints within 1 working day (page test)",
            "measure": "complaint_ack_time",
            "threshold": "1",
            "threshold_unit": "working_days",
            "target_percent": "95",
            "period": "month",
        },
    )
    return db.session.scalar(
        select(ServiceStandard).where(
            ServiceStandard.sandbox_id == sandbox.id,
            ServiceStandard.title.like("%(page test)"),
        )
    )


def test_a_standard_is_proposed_and_agreed_from_the_customers_reply_on_its_page(client, pages):
    from crm_sandbox.models import Interaction

    sandbox, base, customer = pages
    standard = _new_standard(client, base, sandbox)
    page = client.get(f"{base}/standards/{standard.id}").data.decode()
    assert "Propose it to" in page and "Not proposed to anyone yet" in page
    sent = client.post(
        f"{base}/standards/{standard.id}/propose",
        data={"contact_id": str(customer.id), "channel": "email", "summary": "Can you agree?"},
    )
    assert sent.status_code == 302
    client.post(f"{base}/clock/next-working-day")
    client.post(f"{base}/clock/next-working-day")
    page = client.get(f"{base}/standards/{standard.id}").data.decode()
    reply = db.session.scalar(
        select(Interaction).where(
            Interaction.sandbox_id == sandbox.id,
            Interaction.standard_id == standard.id,
            Interaction.direction == "inbound",
        )
    )
    assert reply is not None and reply.answer_kind == "agrees_standard"
    assert f'value="{reply.id}"' in page
    client.post(f"{base}/standards/{standard.id}/agree", data={"reply_id": str(reply.id)})
    db.session.refresh(standard)
    assert standard.status == "agreed" and standard.agreed_reply_id == reply.id
    assert standard.agreed_with_contact_id == customer.id
    page = client.get(f"{base}/standards/{standard.id}").data.decode()
    assert "s reply of" in page


def test_an_agreement_without_a_reply_is_marked_as_the_learners_word(client, pages):
    sandbox, base, _ = pages
    standard = _new_standard(client, base, sandbox)
    client.post(
        f"{base}/standards/{standard.id}/agree", data={"reply_id": "", "agreed_with": "Everyone"}
    )
    db.session.refresh(standard)
    assert standard.status == "agreed" and standard.agreed_reply_id is None
    page = client.get(f"{base}/standards/{standard.id}").data.decode()
    assert "on your word" in page


def test_a_finding_page_shows_the_stated_and_the_computed_figures(client, pages):
    from crm_sandbox.models import StandardFinding

    sandbox, base, _ = pages
    standard = _new_standard(client, base, sandbox)
    client.post(
        f"{base}/standards/{standard.id}/findings",
        data={"text": "All good", "stated_value": "100%", "stated_breaches": "0"},
    )
    client.post(
        f"{base}/standards/{standard.id}/findings",
        data={"text": "As the CRM shows", "from_crm": "y"},
    )
    made_up, from_crm = db.session.scalars(
        select(StandardFinding)
        .where(StandardFinding.standard_id == standard.id)
        .order_by(StandardFinding.id)
    ).all()
    assert made_up.stated_value == 100 and made_up.computed_value is not None
    assert from_crm.from_crm and from_crm.stated_value == from_crm.computed_value
    page = client.get(f"{base}/standards/{standard.id}").data.decode()
    assert "The CRM&#39;s records" in page or "The CRM's records" in page
    if made_up.computed_value != 100 or made_up.computed_breaches != 0:
        assert "Does not match the records" in page
    assert "Matches the CRM" in page


def test_figures_of_the_wrong_kind_are_refused_with_a_clear_message(crm):
    sandbox, ctx, _, at = crm
    at(sandbox, "2026-03-12 10:00")
    standard = standards.create_standard(ctx, ACK_STANDARD)
    with pytest.raises(ServiceError, match="between 0 and 100"):
        standards.add_finding(ctx, standard, "x", *WEEK, value=150)
    with pytest.raises(ServiceError, match="whole number"):
        standards.add_finding(ctx, standard, "x", *WEEK, value=50, breaches=1.5)
    with pytest.raises(ServiceError, match="must be a number"):
        standards.add_finding(ctx, standard, "x", *WEEK, value="most")
    with pytest.raises(ServiceError, match="no figure to use"):
        standards.add_finding(ctx, standard, "x", *WEEK, from_crm=True)
    vague = standards.create_standard(ctx, {"title": "Good service", "measure": "manual"})
    with pytest.raises(ServiceError, match="cannot be measured as written"):
        standards.add_finding(ctx, vague, "x", *WEEK, value=90)
