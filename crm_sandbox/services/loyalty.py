"""Loyalty and lost customers: repeat business, and what poor customer service costs.

Loyalty is measured apart from satisfaction: a customer who said they were happy may still not
come back, and one who complained may stay. From the CRM's own records (orders, complaints,
contacts), for the learner's analysis of "the impact of poor customer service on reputation
and success":

- the **repeat-business rate**: of the external customers who placed at least one order,
  booking or renewal in the period (the last 12 months by default), the share who placed two or
  more; overall, by segment and by lifecycle stage;
- the **customers lost**: customers who left (`Contact.left_sbx`) or whose last order is more
  than N months old (lapsed, 3 by default), split by whether they complained and how their
  complaint went (`handling`: late, closed without their confirmation, or overdue and
  unresolved is "handled poorly"), with the business they gave in the period (orders and
  pounds) that went with them.

A learner's finding about the impact of poor service cites these figures (`add_finding`): each
figure they state is recorded beside the one the report computes, within a stated tolerance.

One statement per report (three reads together), whatever the number of customers (no query
per row); every read is scoped to the sandbox.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Date, DateTime, Integer, and_, bindparam, exists, func, select

from ..models import Complaint, ComplaintEvent, Contact, Finding, db
from ..models.contacts import Lifecycle, Segment
from ..models.orders import Order, OrderKind
from . import action_log, validation
from .context import SandboxContext
from .errors import ServiceError
from .feedback.improvement import finding_reads, save_finding
from .together import Prepared, prepared, rows

EXTERNAL = "external"
# How a customer's complaints went, worst first (a customer with several counts by the worst).
HANDLING = {
    "poor": "Complaint handled poorly",
    "open": "Complaint still open",
    "well": "Complaint handled well",
    "none": "No complaint",
}
# What went wrong with a complaint handled poorly, in words.
WENT_WRONG = {
    "unresolved": "overdue and not resolved",
    "late": "a step done after the procedure's deadline",
    "unconfirmed": "closed without the customer confirming they were satisfied",
}
_RANK = {"none": 0, "well": 1, "open": 2, "poor": 3}
LOST_REASONS = {"left": "Told us they were leaving", "lapsed": "Stopped ordering"}


def handling(
    *,
    closed_at: datetime | None,
    resolved_at: datetime | None,
    resolve_due_at: datetime | None,
    customer_confirmed: bool | None,
    breached: bool,
    now: datetime,
) -> tuple[str, str]:
    """How a complaint went at `now`, as (verdict, what went wrong): "poor" (overdue and not
    resolved, any step after its deadline, or closed without the customer's confirmation),
    "open" (in progress and on time) or "well" (closed, on time, confirmed). The seed
    generator applies the same rule (seed.generate.orders.complaint_handling)."""
    overdue = resolve_due_at is not None and resolve_due_at < now
    if closed_at is None and resolved_at is None and overdue:
        return "poor", "unresolved"
    if breached:
        return "poor", "late"
    if closed_at is not None and customer_confirmed is False:
        return "poor", "unconfirmed"
    if closed_at is None:
        return "open", ""
    return "well", ""


@dataclass
class Rate:
    """Of `base` customers, `count` did the thing."""

    label: str
    base: int = 0
    count: int = 0

    @property
    def percent(self) -> float | None:
        return round(100 * self.count / self.base, 1) if self.base else None


@dataclass
class LostGroup:
    """Customers with the same complaint history: how many were lost, and how."""

    key: str
    label: str
    customers: int = 0
    left: int = 0
    lapsed: int = 0
    orders: int = 0  # orders in the period, by the group's customers
    went_wrong: Counter = field(default_factory=Counter)
    lost_orders: int = 0  # orders in the period by the customers lost: the business gone
    lost_value: float = 0.0  # their value in pounds

    @property
    def lost(self) -> int:
        return self.left + self.lapsed

    @property
    def percent_lost(self) -> float | None:
        return round(100 * self.lost / self.customers, 1) if self.customers else None

    @property
    def orders_per_customer(self) -> float | None:
        return round(self.orders / self.customers, 1) if self.customers else None


@dataclass
class LeftCustomer:
    contact_id: int
    name: str
    left_sbx: datetime
    reason: str
    handling: str  # a HANDLING key


@dataclass
class LoyaltyReport:
    today: date
    since: date  # the period's first day
    months: int
    lapsed_after_months: int
    customers: int  # external customers who ever ordered
    repeat: Rate
    by_segment: list[Rate]
    by_lifecycle: list[Rate]
    lost: list[LostGroup]  # worst complaint history first
    left: list[LeftCustomer]  # the most recent first


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (the month's last day if it is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for last in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def report(
    ctx: SandboxContext, months: int = 12, lapsed_after_months: int = 3, left_limit: int = 20
) -> LoyaltyReport:
    """The loyalty report for the sandbox at its current time (see the module docstring)."""
    return _report_of(ctx, _report_reads(), months, lapsed_after_months, left_limit)[0]


def report_page(
    ctx: SandboxContext, months: int = 12, lapsed_after_months: int = 3, left_limit: int = 20
) -> tuple[LoyaltyReport, dict]:
    """The loyalty report (`report`) and the other rows of its page (its `findings`, as
    `finding_reads` reads them), all read in one statement."""
    return _report_of(ctx, _report_page_reads(), months, lapsed_after_months, left_limit)


def _report_selects(sid, since, today, now) -> dict:
    """The reads of a report (ids, days and times, or `bindparam`s for a prepared read)."""
    return {
        "_orders": rows(_orders_by_contact(sid, since, today)),
        "_customers": rows(_external_customers(sid)),
        "_complaints": rows(_complaints(sid, now)),
    }


def _report_params() -> tuple:
    """The parameters of a prepared report read: `sandbox_id`, `since`, `today`, `now`."""
    return (
        bindparam("sandbox_id", type_=Integer),
        bindparam("since", type_=Date),
        bindparam("today", type_=Date),
        bindparam("now", type_=DateTime),
    )


@prepared
def _report_reads() -> dict:
    return _report_selects(*_report_params())


@prepared
def _report_page_reads() -> dict:
    sid, since, today, now = _report_params()
    return {**_report_selects(sid, since, today, now), "findings": finding_reads(sid)}


def _report_of(
    ctx: SandboxContext,
    reads: Prepared,
    months: int,
    lapsed_after_months: int,
    left_limit: int,
) -> tuple[LoyaltyReport, dict]:
    """The report from `reads` (of `_report_selects` and any others: returned by name)."""
    if not 1 <= months <= 36:
        raise ServiceError("The period is 1 to 36 months.", field="months")
    if not 1 <= lapsed_after_months <= 24:
        raise ServiceError("A customer has lapsed after 1 to 24 months.", field="lapsed")
    now = ctx.now()
    today = now.date()
    since = months_before(today, months) + timedelta(days=1)  # a period of whole months
    lapsed_before = months_before(today, lapsed_after_months)
    parts = reads.run(sandbox_id=ctx.sandbox_id, since=since, today=today, now=now)
    orders = {row.contact_id: row for row in parts.pop("_orders")}
    customers = parts.pop("_customers")
    worst = _worst_complaints(parts.pop("_complaints"), now)

    repeat = Rate("All customers")
    segments = {s.value: Rate(s.label) for s in Segment}
    stages = {s.value: Rate(s.label) for s in Lifecycle}
    groups = {key: LostGroup(key, label) for key, label in HANDLING.items()}
    left: list[LeftCustomer] = []
    buyers = 0
    for c in customers:
        bought = orders.get(c.id)
        gone = c.left_sbx is not None and c.left_sbx <= now
        if bought is None and not gone:
            continue  # never ordered: not a customer this report can lose
        buyers += 1
        verdict, what = worst.get(c.id, ("none", ""))
        group = groups[verdict]
        group.customers += 1
        if what:
            group.went_wrong[what] += 1
        if gone:
            group.left += 1
            name = f"{c.first_name} {c.last_name}".strip() or c.organisation_name
            left.append(LeftCustomer(c.id, name, c.left_sbx, c.left_reason, verdict))
        elif bought.last < lapsed_before:
            group.lapsed += 1
        in_period = bought.in_period if bought is not None else 0
        group.orders += in_period
        if gone or (bought is not None and bought.last < lapsed_before):
            group.lost_orders += in_period
            value = float(bought.value or 0) if bought is not None else 0.0
            group.lost_value = round(group.lost_value + value, 2)
        if in_period:
            for rate in (repeat, segments.get(c.segment), stages.get(c.lifecycle_stage)):
                if rate is not None:
                    rate.base += 1
                    rate.count += in_period >= 2
    left.sort(key=lambda lc: (lc.left_sbx, lc.contact_id), reverse=True)
    report_ = LoyaltyReport(
        today=today,
        since=since,
        months=months,
        lapsed_after_months=lapsed_after_months,
        customers=buyers,
        repeat=repeat,
        by_segment=list(segments.values()),
        by_lifecycle=list(stages.values()),
        lost=[groups[key] for key in ("poor", "open", "well", "none")],
        left=left[:left_limit],
    )
    return report_, parts


def _orders_by_contact(sid, since, today):
    """Per contact: orders in all (to today), in the period (and their value), and the last
    order's day."""
    return (
        select(
            Order.contact_id,
            func.count().label("total"),
            func.count().filter(Order.placed_on >= since).label("in_period"),
            func.sum(Order.amount).filter(Order.placed_on >= since).label("value"),
            func.max(Order.placed_on).label("last"),
        )
        .where(Order.sandbox_id == sid, Order.placed_on <= today)
        .group_by(Order.contact_id)
    )


def _external_customers(sid):
    return select(
        Contact.id,
        Contact.first_name,
        Contact.last_name,
        Contact.organisation_name,
        Contact.segment,
        Contact.lifecycle_stage,
        Contact.left_sbx,
        Contact.left_reason,
    ).where(
        Contact.sandbox_id == sid,
        Contact.category == EXTERNAL,
        Contact.merged_into_id.is_(None),
    )


def _complaints(sid, now):
    """The complaints received by now, with what `handling` needs to judge them."""
    breached = exists().where(
        and_(
            ComplaintEvent.sandbox_id == sid,
            ComplaintEvent.complaint_id == Complaint.id,
            ComplaintEvent.breach != "",
        )
    )
    return select(
        Complaint.contact_id,
        Complaint.closed_at,
        Complaint.resolved_at,
        Complaint.resolve_due_at,
        Complaint.customer_confirmed,
        breached.label("breached"),
    ).where(Complaint.sandbox_id == sid, Complaint.received_at <= now)


def _worst_complaints(complaints, now: datetime) -> dict[int, tuple[str, str]]:
    """Per contact who complained: how their worst complaint went (`handling`)."""
    worst: dict[int, tuple[str, str]] = {}
    for c in complaints:
        verdict = handling(
            closed_at=c.closed_at,
            resolved_at=c.resolved_at,
            resolve_due_at=c.resolve_due_at,
            customer_confirmed=c.customer_confirmed,
            breached=bool(c.breached),
            now=now,
        )
        if _RANK[verdict[0]] > _RANK[worst.get(c.contact_id, ("none", ""))[0]]:
            worst[c.contact_id] = verdict
    return worst


ORDERS_ORDER = (Order.placed_on.desc(), Order.id.desc())


def orders_of(ctx: SandboxContext, contact: Contact, limit: int = 50) -> list[Order]:
    """The contact's orders, bookings and renewals up to the sandbox's today, newest first."""
    return list(db.session.scalars(orders_query(ctx, contact.id, limit=limit)))


def orders_query(ctx: SandboxContext, contact_id: int, *columns, limit: int = 50):
    """The select of `orders_of` (of `Order`, or of `columns` for a page's plain rows)."""
    return orders_select(ctx.sandbox_id, contact_id, ctx.now().date(), *columns, limit=limit)


def orders_select(sandbox_id, contact_id, today, *columns, limit: int = 50):
    """`orders_query` of these values (`today`: sandbox today), each a plain value or a
    `bindparam`."""
    return (
        select(*(columns or (Order,)))
        .where(
            Order.sandbox_id == sandbox_id,
            Order.contact_id == contact_id,
            Order.placed_on <= today,
        )
        .order_by(*ORDERS_ORDER)
        .limit(limit)
    )


def record_order(ctx: SandboxContext, contact: Contact, data: dict) -> Order:
    """Record an order, booking or renewal an external customer placed (repeat business).

    `data`: kind (an OrderKind), description, amount (pounds, 0 to 1,000,000), placed_on (a
    date up to the sandbox's today; today if none), reference (optional: one is made from the
    order's number if blank)."""
    ctx.require_writable()
    if contact.merged_into_id is not None:
        raise ServiceError("This record was merged into another one; record the order there.")
    if contact.category != EXTERNAL:
        raise ServiceError("Orders, bookings and renewals come from external customers.")
    kind = validation.choice(data.get("kind"), OrderKind, "What it is", field="kind")
    description = validation.text(
        data.get("description"), "What they ordered", 300, required=True, field="description"
    )
    amount = round(
        validation.number(data.get("amount") or 0, "The amount", 0, 1_000_000, field="amount"), 2
    )
    today = ctx.now().date()
    placed_on = data.get("placed_on") or today
    if not isinstance(placed_on, date):
        raise ServiceError("Give the day it was placed as a date.", "placed_on")
    if placed_on > today:
        raise ServiceError("An order cannot be placed in the future (sandbox time).", "placed_on")
    reference = validation.text(data.get("reference"), "The reference", 20, field="reference")
    order = Order(
        sandbox_id=ctx.sandbox_id,
        contact_id=contact.id,
        kind=kind.value,
        reference=reference,
        description=description,
        amount=amount,
        placed_on=placed_on,
    )
    db.session.add(order)
    db.session.flush()
    if not order.reference:
        order.reference = f"{kind.value[0].upper()}{order.id:05d}"[:20]
        db.session.flush()
    action_log.record(
        ctx,
        "order.recorded",
        "order",
        order.id,
        after={
            "contact_id": contact.id,
            "kind": order.kind,
            "reference": order.reference,
            "description": description,
            "amount": amount,
            "placed_on": placed_on.isoformat(),
        },
    )
    return order


# The figures a loyalty finding can state: label, tolerance, and whether it is about one
# group of customers (by how their complaints went). Money is within 1% (rounding to the
# nearest pound or ten pounds); counts are exact; percentages within a percentage point.
LOYALTY_FIGURES = {
    "customers_lost": ("Customers lost (left, or stopped ordering)", 0.0, True),
    "customers_left": ("Customers who told us they were leaving", 0.0, True),
    "percent_lost": ("% of the group's customers lost", 1.0, True),
    "orders_lost": ("Orders in the period from the customers lost", 0.0, True),
    "value_lost": ("£ of business in the period from the customers lost", None, True),
    "repeat_rate": ("Repeat-business rate, all customers (%)", 1.0, False),
}
MONEY_TOLERANCE = 0.01  # 1% of the CRM's figure (at least £1)
MAX_FIGURES = 6


def loyalty_figure(report_: LoyaltyReport, measure: str, group: str) -> float | None:
    """The report's figure `measure` for the customers whose complaints went `group`."""
    if measure == "repeat_rate":
        return report_.repeat.percent
    lost = next((g for g in report_.lost if g.key == group), None)
    if lost is None:
        return None
    return {
        "customers_lost": float(lost.lost),
        "customers_left": float(lost.left),
        "percent_lost": lost.percent_lost,
        "orders_lost": float(lost.lost_orders),
        "value_lost": lost.lost_value,
    }.get(measure)


def tolerance_for(measure: str, computed: float | None) -> float:
    """How close a stated loyalty figure must be to the report's (money: 1%, at least £1)."""
    tolerance = LOYALTY_FIGURES[measure][1]
    if tolerance is None:
        return max(1.0, abs(computed or 0) * MONEY_TOLERANCE)
    return tolerance


def add_finding(
    ctx: SandboxContext,
    text: str,
    figures: list[dict],
    months: int = 12,
    lapsed_after_months: int = 3,
) -> Finding:
    """Record what the loyalty report shows about the impact of poor service: the learner's
    words, and each figure they state (`{"measure", "group", "value"}`) beside the one the
    report computes for the same period, with its tolerance."""
    ctx.require_writable()
    text = validation.text(text, "Finding", 2000, required=True, field="text")
    report_ = report(ctx, months=months, lapsed_after_months=lapsed_after_months)
    if not figures:
        raise ServiceError("State at least one figure from the report.", "measure")
    if len(figures) > MAX_FIGURES:
        raise ServiceError(f"A finding states at most {MAX_FIGURES} figures.", "measure")
    stated = []
    for item in figures:
        measure = item.get("measure") or ""
        if measure not in LOYALTY_FIGURES:
            raise ServiceError("Choose what each figure measures from the list.", "measure")
        group = item.get("group") or ""
        if LOYALTY_FIGURES[measure][2] and group not in HANDLING:
            raise ServiceError("Choose the group of customers the figure is about.", "group")
        if not LOYALTY_FIGURES[measure][2]:
            group = ""
        value = validation.number(
            item.get("value"), "The figure", -1_000_000_000, 1_000_000_000, field="value"
        )
        computed = loyalty_figure(report_, measure, group)
        tolerance = tolerance_for(measure, computed)
        stated.append(
            {
                "measure": measure,
                "group": group,
                "figure": value,
                "computed": computed,
                "tolerance": tolerance,
                "agrees": computed is not None and abs(value - computed) <= tolerance + 1e-9,
            }
        )
    evidence = {
        "source": "loyalty",
        "months": months,
        "lapsed_after_months": lapsed_after_months,
        "since": report_.since.isoformat(),
        "as_of": ctx.now().isoformat(timespec="minutes"),
        "figures": stated,
        "based_on": report_.customers,
    }
    return save_finding(ctx, text, evidence)
