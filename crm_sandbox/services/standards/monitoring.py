"""Monitoring compliance: each case a standard applies to in a period (complaints,
written enquiries, follow-ups, satisfaction ratings or manual measurements), whether it met
the standard, and the figure per week, month or quarter, all from the sandbox's own records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial

from sqlalchemy import Date, DateTime, Integer, bindparam, func, select
from sqlalchemy.orm import aliased

from ...models import Interaction
from ...models.complaints import Complaint, ComplaintEvent, Level
from ...models.standards import Measure, Measurement, Period, ServiceStandard
from ...wording import shorten
from ..context import SandboxContext
from ..errors import ServiceError
from ..together import Record, prepared, rows
from .measurability import measurability_problems

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


def monitoring_window(ctx, period_from, period_to) -> tuple[datetime, datetime, date, date]:
    """The period monitored (the last 90 days by default) as its first and last moments and
    days; a ServiceError for a period that cannot be shown."""
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


# The reads each measure's cases come from (`case_reads`).
_READS_OF = {
    Measure.ACK_TIME: "complaint_times",
    Measure.RESOLUTION_TIME: "complaint_times",
    Measure.FIRST_RESPONSE: "enquiries",
    Measure.FOLLOW_UPS_ON_TIME: "follow_ups",
    Measure.SATISFACTION: "ratings",
    Measure.MANUAL: "measurements",
}


# The names of a monitoring window's parts as parameters of a prepared read
# (`window_params`, `window_values`), and of the sandbox's now.
_WINDOW_PARAMS = (
    ("period_start", DateTime),
    ("period_end", DateTime),
    ("period_from", Date),
    ("period_to", Date),
)


def window_params() -> tuple:
    """A window (as `monitoring_window` gives it) as `bindparam`s, for a prepared read:
    run it with `window_values(window)`."""
    return tuple(bindparam(name, type_=type_) for name, type_ in _WINDOW_PARAMS)


def window_values(window) -> dict:
    """A window's values for the parameters of `window_params`."""
    return {name: part for (name, _type), part in zip(_WINDOW_PARAMS, window, strict=True)}


def _first_front_line(sandbox_id, action: str):
    """When the complaint of the row first had this action at the front line (a scalar
    subquery correlated with `Complaint`)."""
    return (
        select(func.min(ComplaintEvent.at))
        .where(
            ComplaintEvent.sandbox_id == sandbox_id,
            ComplaintEvent.complaint_id == Complaint.id,
            ComplaintEvent.action == action,
            ComplaintEvent.from_level == Level.FRONT_LINE.value,
        )
        .scalar_subquery()
    )


def case_reads(sandbox_id, window, now, measures, only_if=None) -> dict[str, rows]:
    """The reads (of `read_together`) that the cases of these measures come from, in a
    sandbox over a `window` (as `monitoring_window` gives it) as seen at the sandbox's `now`:
    values, or `bindparam`s for a prepared read (`window_params`). `only_if`, given the
    measures a read serves, returns a condition without which that read selects nothing (a
    page reading for every standard reads only for the measures in use)."""
    start, end, d_from, d_to = window
    inbound = aliased(Interaction)
    reads = {
        # Complaints received in the period and when they were first acknowledged and
        # resolved at the front line.
        "complaint_times": lambda: (
            select(
                Complaint.id,
                Complaint.reference,
                Complaint.category,
                Complaint.received_at,
                _first_front_line(sandbox_id, "acknowledge").label("acknowledged_at"),
                _first_front_line(sandbox_id, "resolve").label("resolved_at"),
            ).where(Complaint.sandbox_id == sandbox_id, Complaint.received_at.between(start, end)),
            [Complaint.received_at, Complaint.id],
        ),
        # Inbound written enquiries in the period, and the first outbound contact to the same
        # customer since (calls, chats and meetings are answered live).
        "enquiries": lambda: (
            select(
                inbound.id,
                inbound.channel,
                inbound.summary,
                inbound.occurred_at,
                select(func.min(Interaction.occurred_at))
                .where(
                    Interaction.sandbox_id == sandbox_id,
                    Interaction.direction == "outbound",
                    Interaction.contact_id == inbound.contact_id,
                    Interaction.occurred_at >= inbound.occurred_at,
                )
                .scalar_subquery()
                .label("replied_at"),
            ).where(
                inbound.sandbox_id == sandbox_id,
                inbound.direction == "inbound",
                inbound.channel.not_in(SYNCHRONOUS_CHANNELS),
                inbound.occurred_at.between(start, end),
            ),
            [inbound.occurred_at, inbound.id],
        ),
        "follow_ups": lambda: (
            select(
                Interaction.id,
                Interaction.summary,
                Interaction.follow_up_on,
                Interaction.follow_up_done_sbx,
            ).where(
                Interaction.sandbox_id == sandbox_id,
                Interaction.follow_up_on.between(d_from, d_to),
            ),
            [Interaction.follow_up_on, Interaction.id],
        ),
        # Satisfaction ratings given in the period (and by now).
        "ratings": lambda: (
            select(
                Complaint.id,
                Complaint.reference,
                Complaint.satisfaction_at,
                Complaint.satisfaction_rating,
            ).where(
                Complaint.sandbox_id == sandbox_id,
                Complaint.satisfaction_at.between(start, end),
                Complaint.satisfaction_at <= now,
            ),
            [Complaint.id],
        ),
        "measurements": lambda: (
            select(
                Measurement.id, Measurement.standard_id, Measurement.taken_on, Measurement.value
            ).where(
                Measurement.sandbox_id == sandbox_id,
                Measurement.taken_on.between(d_from, d_to),
            ),
            [Measurement.taken_on, Measurement.id],
        ),
    }
    chosen = {}
    for name in {_READS_OF[Measure(m)] for m in measures}:
        statement, order_by = reads[name]()
        if only_if is not None:
            statement = statement.where(only_if([m for m, n in _READS_OF.items() if n == name]))
        chosen[name] = rows(statement, order_by=order_by)
    return chosen


def compliance(
    ctx: SandboxContext,
    standard: ServiceStandard,
    period_from: date | None = None,
    period_to: date | None = None,
) -> Compliance:
    """Compute a standard's compliance over a period from the sandbox's own records."""
    window = monitoring_window(ctx, period_from, period_to)
    reads = _CASES_OF[_READS_OF[Measure(standard.measure)]]()
    cases = reads.run(sandbox_id=ctx.sandbox_id, now=ctx.now(), **window_values(window))
    return compliance_from(ctx, standard, window, cases)


def _cases_of(name: str) -> dict:
    """The read `name` of `case_reads` alone, for any sandbox and window (its parameters:
    `sandbox_id`, `now` and `window_values`)."""
    return case_reads(
        bindparam("sandbox_id", type_=Integer),
        window_params(),
        bindparam("now", type_=DateTime),
        [m for m, read in _READS_OF.items() if read == name],
    )


# `compliance`'s reads, one per read of `case_reads`, each prepared once (`prepared`).
_CASES_OF = {name: prepared(partial(_cases_of, name)) for name in set(_READS_OF.values())}


def compliance_from(ctx: SandboxContext, standard, window, cases: dict) -> Compliance:
    """A standard's compliance over a `window` (as `monitoring_window` gives it), from the
    `cases` read by `case_reads` over it (`compliance` reads and computes at once)."""
    start, end, d_from, d_to = window
    result = Compliance(standard, d_from, d_to)
    measure = Measure(standard.measure)
    now = ctx.now()
    rows_ = cases[_READS_OF[measure]]
    if measure in (Measure.ACK_TIME, Measure.RESOLUTION_TIME):
        _complaint_time_cases(ctx, standard, measure, rows_, now, result)
    elif measure == Measure.FIRST_RESPONSE:
        _first_response_cases(ctx, standard, rows_, now, result)
    elif measure == Measure.FOLLOW_UPS_ON_TIME:
        _follow_up_cases(rows_, now, result)
    elif measure == Measure.SATISFACTION:
        _satisfaction_cases(standard, rows_, result)
        return result
    elif measure == Measure.MANUAL:
        _manual_cases(standard, [m for m in rows_ if m.standard_id == standard.id], result)
        return result
    result.value = result.percent
    return result


def _complaint_time_cases(ctx, standard, measure, complaints, now, result) -> None:
    """Complaints received in the period, acknowledged (or resolved) at the front line within
    the time allowed; one still open counts once it is past its time."""
    calendar = ctx.calendar()
    action = "acknowledge" if measure == Measure.ACK_TIME else "resolve"
    for c in complaints:
        limit = calendar.add(c.received_at, standard.threshold, standard.threshold_unit)
        done = c.acknowledged_at if measure == Measure.ACK_TIME else c.resolved_at
        if done is not None:
            met, detail = done <= limit, f"{action}d {done:%a %d %b %H:%M}"
        elif now > limit:
            met, detail = False, f"not {action}d by {limit:%a %d %b %H:%M}"
        else:
            met, detail = None, f"open, due by {limit:%a %d %b %H:%M}"
        result.cases.append(
            Case(c.received_at, f"{c.reference} ({c.category})", met, detail, "complaint", c.id)
        )


def _follow_up_cases(follow_ups, now, result) -> None:
    """Follow-ups due in the period, done by their date; one not done counts once its date
    has passed."""
    for i in follow_ups:
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


def _satisfaction_cases(standard, ratings, result) -> None:
    """Satisfaction ratings given in the period (and by now), each against the score to
    reach; the figure is their average out of 5."""
    scores = []
    for c in ratings:
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


def _manual_cases(standard, measurements, result) -> None:
    """Values measured by hand in the period, each against the number to reach; the figure
    is their average, in the standard's unit."""
    values = []
    for m in measurements:
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


def _first_response_cases(ctx, standard, enquiries, now, result) -> None:
    """Inbound written enquiries (email, letter, social) answered by an outbound contact to
    the same customer within the time allowed; calls, chats and meetings are answered live."""
    calendar = ctx.calendar()
    for i in enquiries:
        limit = calendar.add(i.occurred_at, standard.threshold, standard.threshold_unit)
        reply = i.replied_at
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


# What the standards' pages show of a standard (and `measurability_problems` reads).
STANDARD_COLUMNS = (
    ServiceStandard.id,
    ServiceStandard.title,
    ServiceStandard.description,
    ServiceStandard.measure,
    ServiceStandard.threshold,
    ServiceStandard.threshold_unit,
    ServiceStandard.target_percent,
    ServiceStandard.period,
    ServiceStandard.method,
    ServiceStandard.agreed_with,
    ServiceStandard.status,
)


@prepared
def _standard_list_reads() -> dict:
    """`standard_list`'s reads, for any sandbox and window (its parameters: `sandbox_id`,
    `now` and `window_values`)."""
    sandbox_id = bindparam("sandbox_id", type_=Integer)

    def in_use(measures):
        return (
            select(ServiceStandard.id)
            .where(
                ServiceStandard.sandbox_id == sandbox_id,
                ServiceStandard.measure.in_([m.value for m in measures]),
            )
            .exists()
        )

    return {
        "standards": rows(
            select(*STANDARD_COLUMNS).where(ServiceStandard.sandbox_id == sandbox_id),
            order_by=[ServiceStandard.status, ServiceStandard.id],
        ),
        **case_reads(
            sandbox_id,
            window_params(),
            bindparam("now", type_=DateTime),
            list(Measure),
            only_if=in_use,
        ),
    }


def standard_list(ctx: SandboxContext) -> list[tuple[Record, list[str], Compliance | None]]:
    """Every standard of the sandbox (by status) with what makes it not measurable and, when
    it is measurable, its compliance over the usual period: one statement for them all."""
    window = monitoring_window(ctx, None, None)
    parts = _standard_list_reads().run(
        sandbox_id=ctx.sandbox_id, now=ctx.now(), **window_values(window)
    )
    summary = []
    for standard in parts["standards"]:
        problems = measurability_problems(standard)
        result = None if problems else compliance_from(ctx, standard, window, parts)
        summary.append((standard, problems, result))
    return summary


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
