"""Monitoring compliance: each case a standard applies to in a period (complaints,
written enquiries, follow-ups, satisfaction ratings or manual measurements), whether it met
the standard, and the figure per week, month or quarter, all from the sandbox's own records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from ...models import Interaction, db
from ...models.complaints import Complaint, ComplaintEvent, Level
from ...models.standards import Measure, Period, ServiceStandard
from ...wording import shorten
from ..context import SandboxContext
from ..errors import ServiceError

SYNCHRONOUS_CHANNELS = ("phone", "meeting", "live_chat")
# Monitoring looks back at most two years: the sandbox's history is months long.
MAX_WINDOW_DAYS = 731
DEFAULT_WINDOW_DAYS = 90


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
    """A standard's compliance over a period: the cases it applied to and the measured figure
    (percent of decided cases met, or an average score or value)."""

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
    now = ctx.now()
    if measure in (Measure.ACK_TIME, Measure.RESOLUTION_TIME):
        _complaint_time_cases(ctx, standard, measure, start, end, now, result)
    elif measure == Measure.FIRST_RESPONSE:
        _first_response_cases(ctx, standard, start, end, now, result)
    elif measure == Measure.FOLLOW_UPS_ON_TIME:
        _follow_up_cases(ctx, d_from, d_to, now, result)
    elif measure == Measure.SATISFACTION:
        _satisfaction_cases(ctx, standard, start, end, now, result)
        return result
    elif measure == Measure.MANUAL:
        _manual_cases(standard, d_from, d_to, result)
        return result
    result.value = result.percent
    return result


def _complaint_time_cases(ctx, standard, measure, start, end, now, result) -> None:
    """Complaints received in the period, acknowledged (or resolved) at the front line within
    the time allowed; one still open counts once it is past its time."""
    calendar = ctx.calendar()
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


def _follow_up_cases(ctx, d_from, d_to, now, result) -> None:
    """Follow-ups due in the period, done by their date; one not done counts once its date
    has passed."""
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
                f"Follow-up: {shorten(i.summary, 60)}",
                met,
                detail,
                "interaction",
                i.id,
            )
        )


def _satisfaction_cases(ctx, standard, start, end, now, result) -> None:
    """Satisfaction ratings given in the period (and by now), each against the score to
    reach; the figure is their average out of 5."""
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


def _manual_cases(standard, d_from, d_to, result) -> None:
    """Values measured by hand in the period, each against the number to reach; the figure
    is their average, in the standard's unit."""
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
            Case(
                i.occurred_at,
                f"{i.channel}: {shorten(i.summary, 60)}",
                met,
                detail,
                "interaction",
                i.id,
            )
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
