"""Service standards: measurable quality standards agreed with a customer group, and the
monitoring that computes compliance from the sandbox's own records.

A standard without a measurable target ("good service") may be saved as a draft but is
flagged, with the reason, and cannot be marked as agreed: the curriculum's common mistake is
relying on vague descriptions instead of measurable standards with timescales.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from ..models import Contact, Interaction, db
from ..models.complaints import Complaint, ComplaintEvent, Level
from ..models.standards import (
    Measure,
    Measurement,
    Period,
    ServiceStandard,
    StandardFinding,
    StandardStatus,
)
from . import action_log, validation
from .context import SandboxContext
from .errors import ServiceError

TIME_MEASURES = (Measure.ACK_TIME, Measure.RESOLUTION_TIME, Measure.FIRST_RESPONSE)
TIME_UNITS = ("working_hours", "working_days")
VAGUE_WORDS = (
    "good",
    "excellent",
    "great",
    "quick",
    "quickly",
    "fast",
    "friendly",
    "prompt",
    "promptly",
    "asap",
    "as soon as possible",
    "best",
    "high quality",
    "happy",
    "nice",
    "helpful",
    "efficient",
    "polite",
)
SYNCHRONOUS_CHANNELS = ("phone", "meeting", "live_chat")
# A service standard's time allowed is at most a quarter's working days (complaints
# procedures allow eight weeks at most before the ombudsman); a longer one measures nothing.
MAX_TIME_ALLOWED = {"working_days": 60, "working_hours": 480}
MAX_TARGET_VALUE = 100_000
# Monitoring looks back at most two years: the sandbox's history is months long.
MAX_WINDOW_DAYS = 731
DEFAULT_WINDOW_DAYS = 90


def snapshot(s: ServiceStandard) -> dict:
    return {
        "title": s.title,
        "measure": s.measure,
        "threshold": s.threshold,
        "threshold_unit": s.threshold_unit,
        "target_percent": s.target_percent,
        "period": s.period,
        "agreed_with": s.agreed_with,
        "status": s.status,
        "agreed_on": s.agreed_on,
    }


def measurability_problems(s: ServiceStandard) -> list[str]:
    """Why a standard cannot be measured as written (empty when it can)."""
    problems = []
    measure = Measure(s.measure)
    if measure in TIME_MEASURES:
        if s.threshold is None or s.threshold <= 0:
            problems.append("say the time allowed (e.g. within 1 working day)")
        if s.threshold_unit not in TIME_UNITS:
            problems.append("give the time in working hours or working days")
        if s.target_percent is None:
            problems.append("say what share of cases must meet it (e.g. 95%)")
    elif measure == Measure.FOLLOW_UPS_ON_TIME:
        if s.target_percent is None:
            problems.append("say what share of follow-ups must be done by their date (e.g. 90%)")
    elif measure == Measure.SATISFACTION:
        if s.threshold is None:
            problems.append("give the average score to reach (e.g. at least 4.0 out of 5)")
    elif measure == Measure.MANUAL:
        if s.threshold is None:
            problems.append("give the number to reach")
        if not s.threshold_unit:
            problems.append("give the unit the number is in (e.g. calls answered, %)")
    words = vague_words(f"{s.title} {s.description}")
    if words and problems:
        problems.append(
            "words like "
            + ", ".join(f"'{w}'" for w in words)
            + " describe a feeling, not a measure: say what is counted and the target"
        )
    return problems


def vague_words(text: str) -> list[str]:
    lowered = text.lower()
    return [w for w in VAGUE_WORDS if re.search(rf"\b{re.escape(w)}\b", lowered)]


def is_measurable(s: ServiceStandard) -> bool:
    return not measurability_problems(s)


def _clean(data: dict) -> dict:
    measure = validation.choice(data.get("measure"), Measure, "What is measured", field="measure")
    period = validation.choice(
        data.get("period") or "month", Period, "Monitoring period", field="period"
    )
    clean = {
        "title": validation.text(data.get("title"), "Title", 200, required=True, field="title"),
        "description": validation.text(
            data.get("description"), "Description", 2000, field="description"
        ),
        "measure": measure.value,
        "period": period.value,
        "threshold_unit": validation.text(
            data.get("threshold_unit"), "Unit", 20, field="threshold_unit"
        ),
        "agreed_with": validation.text(
            data.get("agreed_with"), "Agreed with", 200, field="agreed_with"
        ),
    }
    clean["threshold"] = _threshold(data.get("threshold"), measure, clean["threshold_unit"])
    target = data.get("target_percent")
    clean["target_percent"] = (
        None
        if target in (None, "")
        else validation.number(target, "Share of cases", 0, 100, field="target_percent")
    )
    return clean


def _threshold(value, measure: Measure, unit: str) -> float | None:
    """The target value or time allowed, within what makes sense for what is measured: time
    allowed up to MAX_TIME_ALLOWED (a quarter's working days), an average score out of 5, or
    a count or figure up to MAX_TARGET_VALUE."""
    if value in (None, ""):
        return None
    if measure in TIME_MEASURES and unit in MAX_TIME_ALLOWED:
        high, label = MAX_TIME_ALLOWED[unit], f"The time allowed ({unit.replace('_', ' ')})"
        number = validation.number(value, label, 0, high, field="threshold")
    elif measure == Measure.SATISFACTION:
        number = validation.number(value, "The average score to reach", 0, 5, field="threshold")
    else:
        number = validation.number(value, "Target value", 0, MAX_TARGET_VALUE, field="threshold")
    return number


def create_standard(ctx: SandboxContext, data: dict) -> ServiceStandard:
    """Write down a service standard (as a draft until it is agreed)."""
    ctx.require_writable()
    standard = ServiceStandard(
        sandbox_id=ctx.sandbox_id,
        created_sbx=ctx.now(),
        status=StandardStatus.DRAFT.value,
        **_clean(data),
    )
    db.session.add(standard)
    db.session.flush()
    action_log.record(
        ctx,
        "standard.created",
        "standard",
        standard.id,
        after={
            **snapshot(standard),
            "measurable": is_measurable(standard),
            "problems": measurability_problems(standard),
        },
    )
    return standard


def update_standard(ctx: SandboxContext, standard: ServiceStandard, data: dict) -> ServiceStandard:
    """Change a standard's wording or target (an agreed standard goes back to draft)."""
    ctx.require_writable()
    before = snapshot(standard)
    for name, value in _clean(data).items():
        setattr(standard, name, value)
    if standard.status == StandardStatus.AGREED.value and snapshot(standard) != before:
        standard.status = StandardStatus.DRAFT.value
        standard.agreed_on = None
    db.session.flush()
    after = snapshot(standard)
    action_log.record(
        ctx,
        "standard.updated",
        "standard",
        standard.id,
        before={k: v for k, v in before.items() if after[k] != v},
        after={
            **{k: v for k, v in after.items() if before[k] != v},
            "measurable": is_measurable(standard),
        },
    )
    return standard


def agree_standard(
    ctx: SandboxContext, standard: ServiceStandard, agreed_with: str, contact_id: int | None = None
) -> ServiceStandard:
    """Record who agreed the standard (a customer group or an internal customer)."""
    ctx.require_writable()
    problems = measurability_problems(standard)
    if problems:
        raise ServiceError(
            "A standard must be measurable before it is agreed: " + "; ".join(problems) + "."
        )
    agreed_with = validation.text(
        agreed_with, "Agreed with", 200, required=True, field="agreed_with"
    )
    if contact_id:
        ctx.get(Contact, contact_id)
    before = snapshot(standard)
    standard.agreed_with = agreed_with
    standard.agreed_with_contact_id = int(contact_id) if contact_id else None
    standard.agreed_on = ctx.now().date()
    standard.status = StandardStatus.AGREED.value
    db.session.flush()
    action_log.record(
        ctx,
        "standard.agreed",
        "standard",
        standard.id,
        before={"status": before["status"]},
        after={
            "status": standard.status,
            "agreed_with": agreed_with,
            "agreed_with_contact_id": standard.agreed_with_contact_id,
        },
    )
    return standard


def record_measurement(
    ctx: SandboxContext, standard: ServiceStandard, taken_on: date, value, note: str = ""
) -> Measurement:
    """Record a value for a manual standard."""
    ctx.require_writable()
    if standard.measure != Measure.MANUAL.value:
        raise ServiceError("This standard is measured from the CRM's records automatically.")
    number = validation.number(
        value, "The value", -validation.MEASURE_LIMIT, validation.MEASURE_LIMIT, field="value"
    )
    if taken_on is None or taken_on > ctx.now().date():
        raise ServiceError("Give the date the value was measured (not in the future).", "taken_on")
    m = Measurement(
        sandbox_id=ctx.sandbox_id,
        standard_id=standard.id,
        taken_on=taken_on,
        value=number,
        note=validation.text(note, "Note", 500, field="note"),
    )
    db.session.add(m)
    db.session.flush()
    action_log.record(
        ctx,
        "standard.measured",
        "standard",
        standard.id,
        after={"taken_on": taken_on, "value": number},
    )
    return m


def add_finding(
    ctx: SandboxContext,
    standard: ServiceStandard,
    text: str,
    period_from: date | None,
    period_to: date | None,
) -> StandardFinding:
    """Record what monitoring showed, with the compliance figure for the period it covers."""
    ctx.require_writable()
    text = validation.text(text, "Finding", 2000, required=True, field="text")
    result = compliance(ctx, standard, period_from, period_to) if is_measurable(standard) else None
    finding = StandardFinding(
        sandbox_id=ctx.sandbox_id,
        standard_id=standard.id,
        text=text,
        compliance_percent=result.percent if result else None,
        period_from=period_from,
        period_to=period_to,
        created_sbx=ctx.now(),
    )
    db.session.add(finding)
    db.session.flush()
    action_log.record(
        ctx,
        "standard.finding_recorded",
        "standard_finding",
        finding.id,
        after={
            "standard_id": standard.id,
            "text": text,
            "compliance_percent": finding.compliance_percent,
            "breaches": len(result.breaches) if result else None,
        },
    )
    return finding


# ---------------------------------------------------------------- monitoring


@dataclass
class Case:
    """One thing the standard applies to, and whether it met the standard."""

    when: datetime
    label: str
    met: bool | None  # None: still open and not yet late
    detail: str
    kind: str  # "complaint" / "interaction" / "measurement"
    object_id: int


@dataclass
class Compliance:
    standard: ServiceStandard
    period_from: date
    period_to: date
    cases: list[Case] = field(default_factory=list)
    value: float | None = None  # the measured figure (percent met, or average score)
    unit: str = "%"

    @property
    def decided(self) -> list[Case]:
        return [c for c in self.cases if c.met is not None]

    @property
    def breaches(self) -> list[Case]:
        return [c for c in self.cases if c.met is False]

    @property
    def percent(self) -> float | None:
        decided = self.decided
        if not decided:
            return None
        return round(100 * sum(1 for c in decided if c.met) / len(decided), 1)

    @property
    def target_met(self) -> bool | None:
        s = self.standard
        if self.value is None:
            return None
        if Measure(s.measure) in (Measure.SATISFACTION, Measure.MANUAL):
            return self.value >= (s.threshold or 0)
        return self.value >= (s.target_percent or 0)


def _window(ctx, period_from, period_to) -> tuple[datetime, datetime, date, date]:
    today = ctx.now().date()
    period_to = period_to or today
    if period_from is None:
        # (not before year 1: a date that early would overflow)
        days_back = min(DEFAULT_WINDOW_DAYS, (period_to - date.min).days)
        period_from = period_to - timedelta(days=days_back)
    if period_from > period_to:
        raise ServiceError(
            f"The monitoring period starts ({period_from:%d %b %Y}) after it ends "
            f"({period_to:%d %b %Y}): choose a start before the end.",
            "period_from",
        )
    if (period_to - period_from).days > MAX_WINDOW_DAYS:
        raise ServiceError(
            f"A monitoring period can be at most {MAX_WINDOW_DAYS} days (two years).",
            "period_from",
        )
    return (
        datetime.combine(period_from, time.min),
        datetime.combine(period_to, time.max),
        period_from,
        period_to,
    )


def _first_event_at(ctx, action: str, complaint_ids: list[int]) -> dict[int, datetime]:
    """When each complaint first had this action at the front line (one query)."""
    if not complaint_ids:
        return {}
    rows = db.session.execute(
        select(ComplaintEvent.complaint_id, ComplaintEvent.at)
        .where(
            ComplaintEvent.sandbox_id == ctx.sandbox_id,
            ComplaintEvent.complaint_id.in_(complaint_ids),
            ComplaintEvent.action == action,
            ComplaintEvent.from_level == Level.FRONT_LINE.value,
        )
        .order_by(ComplaintEvent.at)
    ).all()
    first: dict[int, datetime] = {}
    for complaint_id, at in rows:
        first.setdefault(complaint_id, at)
    return first


def compliance(
    ctx: SandboxContext,
    standard: ServiceStandard,
    period_from: date | None = None,
    period_to: date | None = None,
) -> Compliance:
    """Compute a standard's compliance over a period from the sandbox's own records."""
    start, end, d_from, d_to = _window(ctx, period_from, period_to)
    result = Compliance(standard, d_from, d_to)
    measure = Measure(standard.measure)
    calendar = ctx.calendar()
    now = ctx.now()
    if measure in (Measure.ACK_TIME, Measure.RESOLUTION_TIME):
        complaints = list(
            db.session.scalars(
                select(Complaint)
                .where(
                    Complaint.sandbox_id == ctx.sandbox_id,
                    Complaint.received_at.between(start, end),
                )
                .order_by(Complaint.received_at)
            )
        )
        action = "acknowledge" if measure == Measure.ACK_TIME else "resolve"
        done_at = _first_event_at(ctx, action, [c.id for c in complaints])
        for c in complaints:
            limit = calendar.add(c.received_at, standard.threshold, standard.threshold_unit)
            done = done_at.get(c.id)
            if done is not None:
                met, detail = done <= limit, f"{action}d {done:%a %d %b %H:%M}"
            elif now > limit:
                met, detail = False, f"not {action}d by {limit:%a %d %b %H:%M}"
            else:
                met, detail = None, f"open, due by {limit:%a %d %b %H:%M}"
            result.cases.append(
                Case(c.received_at, f"{c.reference} ({c.category})", met, detail, "complaint", c.id)
            )
    elif measure == Measure.FIRST_RESPONSE:
        _first_response_cases(ctx, standard, start, end, now, result)
    elif measure == Measure.FOLLOW_UPS_ON_TIME:
        rows = db.session.scalars(
            select(Interaction)
            .where(
                Interaction.sandbox_id == ctx.sandbox_id,
                Interaction.follow_up_on.between(d_from, d_to),
            )
            .order_by(Interaction.follow_up_on)
        )
        for i in rows:
            if i.follow_up_done_sbx is not None:
                met = i.follow_up_done_sbx.date() <= i.follow_up_on
                detail = f"done {i.follow_up_done_sbx:%a %d %b}"
            elif i.follow_up_on < now.date():
                met, detail = False, "not done"
            else:
                met, detail = None, "not yet due"
            result.cases.append(
                Case(
                    datetime.combine(i.follow_up_on, time(9)),
                    f"Follow-up: {i.summary[:60]}",
                    met,
                    detail,
                    "interaction",
                    i.id,
                )
            )
    elif measure == Measure.SATISFACTION:
        complaints = db.session.scalars(
            select(Complaint).where(
                Complaint.sandbox_id == ctx.sandbox_id,
                Complaint.satisfaction_at.between(start, end),
                Complaint.satisfaction_at <= now,
            )
        )
        scores = []
        for c in complaints:
            scores.append(c.satisfaction_rating)
            result.cases.append(
                Case(
                    c.satisfaction_at,
                    f"{c.reference} rating",
                    c.satisfaction_rating >= (standard.threshold or 0),
                    f"{c.satisfaction_rating}/5",
                    "complaint",
                    c.id,
                )
            )
        result.unit = "/5"
        result.value = round(sum(scores) / len(scores), 2) if scores else None
        return result
    elif measure == Measure.MANUAL:
        values = []
        for m in standard.measurements:
            if d_from <= m.taken_on <= d_to:
                values.append(m.value)
                result.cases.append(
                    Case(
                        datetime.combine(m.taken_on, time(9)),
                        f"Measured {m.taken_on:%d %b}",
                        m.value >= (standard.threshold or 0),
                        f"{m.value:g} {standard.threshold_unit}",
                        "measurement",
                        m.id,
                    )
                )
        result.unit = f" {standard.threshold_unit}"
        result.value = round(sum(values) / len(values), 2) if values else None
        return result
    result.value = result.percent
    return result


def _first_response_cases(ctx, standard, start, end, now, result) -> None:
    """Inbound written enquiries (email, letter, social) answered by an outbound contact to
    the same customer within the time allowed; calls, chats and meetings are answered live."""
    calendar = ctx.calendar()
    inbound = list(
        db.session.scalars(
            select(Interaction)
            .where(
                Interaction.sandbox_id == ctx.sandbox_id,
                Interaction.direction == "inbound",
                Interaction.channel.not_in(SYNCHRONOUS_CHANNELS),
                Interaction.occurred_at.between(start, end),
            )
            .order_by(Interaction.occurred_at)
        )
    )
    if not inbound:
        return
    contact_ids = {i.contact_id for i in inbound}
    replies: dict[int, list[datetime]] = {}
    for contact_id, at in db.session.execute(
        select(Interaction.contact_id, Interaction.occurred_at)
        .where(
            Interaction.sandbox_id == ctx.sandbox_id,
            Interaction.direction == "outbound",
            Interaction.contact_id.in_(contact_ids),
            Interaction.occurred_at >= start,
        )
        .order_by(Interaction.occurred_at)
    ):
        replies.setdefault(contact_id, []).append(at)
    for i in inbound:
        limit = calendar.add(i.occurred_at, standard.threshold, standard.threshold_unit)
        reply = next((at for at in replies.get(i.contact_id, []) if at >= i.occurred_at), None)
        if reply is not None:
            met, detail = reply <= limit, f"answered {reply:%a %d %b %H:%M}"
        elif now > limit:
            met, detail = False, "no reply logged"
        else:
            met, detail = None, f"due by {limit:%a %d %b %H:%M}"
        result.cases.append(
            Case(i.occurred_at, f"{i.channel}: {i.summary[:60]}", met, detail, "interaction", i.id)
        )


def series(result: Compliance) -> list[tuple[date, float | None, int]]:
    """Compliance per week or month of the period: (bucket start, value, cases decided)."""
    period = Period(result.standard.period)
    buckets: dict[date, list[Case]] = {}
    for case in result.cases:
        day = case.when.date()
        if period == Period.WEEK:
            key = day - timedelta(days=day.weekday())
        elif period == Period.MONTH:
            key = day.replace(day=1)
        else:
            key = day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)
        buckets.setdefault(key, []).append(case)
    out = []
    measure = Measure(result.standard.measure)
    for key in sorted(buckets):
        decided = [c for c in buckets[key] if c.met is not None]
        if not decided:
            out.append((key, None, 0))
        elif measure in (Measure.SATISFACTION, Measure.MANUAL):
            numbers = [float(c.detail.split("/")[0].split()[0]) for c in decided]
            out.append((key, round(sum(numbers) / len(numbers), 2), len(decided)))
        else:
            out.append(
                (key, round(100 * sum(c.met for c in decided) / len(decided), 1), len(decided))
            )
    return out
