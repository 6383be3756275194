"""Check type `post_sale_follow_up`: after a customer's order (booking, renewal) we followed
it up ourselves: the VTCT customer journey's post-sale follow-up."""

from __future__ import annotations

from datetime import datetime, time
from typing import Literal

from ..models import Order
from . import CheckResult, Params, register
from ._helpers import as_log, when


class PostSaleFollowUp(Params):
    contact: str
    # within this long after the later of the order's day and the attempt's start
    within: float | None = None
    unit: Literal["working_hours", "working_days", "hours", "days"] = "working_days"


@register("post_sale_follow_up", PostSaleFollowUp)
def post_sale_follow_up(state, log, scenario, p: PostSaleFollowUp) -> CheckResult:
    """Passes when a message with the purpose "service follow-up", about one of the
    customer's orders (the order chosen on the message, not named in its words), was sent
    after that order was placed, not as a reply to a message from the customer nor about a
    complaint (answering them is service, not a follow-up), and within the time if one is
    given. A follow-up date set on the record, or an offer, is not a follow-up."""
    contact = state.get("contacts", p.contact)
    if contact is None:
        return CheckResult(False, "the customer's record is no longer in the CRM.")
    orders = {o.id: o for o in state.all(Order, Order.contact_id == contact.id)}
    if not orders:
        return CheckResult(False, "(scenario error: the customer has no orders to follow up)")
    log = as_log(log)
    started = log[0].sandbox_time if len(log) else state.now
    late, unlinked = [], []
    for item in log.of("interaction.logged"):
        if item.after_contact_id != contact.id:
            continue
        a = item.after
        if a.get("direction") != "outbound" or a.get("purpose") != "follow_up":
            continue
        if a.get("in_reply_to_id") or a.get("complaint_id"):
            continue
        order = orders.get((a.get("details") or {}).get("order_id"))
        if order is None or item.sandbox_time.date() < order.placed_on:
            unlinked.append(item.seq)
            continue
        if p.within is not None:
            start = max(started, datetime.combine(order.placed_on, time()))
            due = state.calendar.add(start, p.within, p.unit)
            if item.sandbox_time > due:
                late.append(item.seq)
                continue
        return CheckResult(True, "the order was followed up after the sale.", [item.seq])
    if late:
        return CheckResult(
            False, "the order was followed up, but later than the time allowed.", late
        )
    if unlinked:
        return CheckResult(
            False,
            "a follow-up was sent, but it does not say which of the customer's orders it is "
            "about: choose the order on the message, so the record links the follow-up to "
            "the sale.",
            unlinked,
        )
    return CheckResult(
        False,
        f"no follow-up of the customer's order has been sent yet (sandbox time now "
        f"{when(state.now)}).",
    )
