"""Loyalty and lost customers: the seeded orders follow each customer's story, the report counts
repeat business and the customers lost by how their complaints went, one sandbox at a time and
in a fixed number of queries, and the pages show it."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event, select

from crm_sandbox.extensions import db
from crm_sandbox.models import Complaint, Contact, Order
from crm_sandbox.services import clock, loyalty
from crm_sandbox.services.errors import ServiceError
from seed.generate import generate
from seed.generate.orders import complaint_handling

NOW = datetime(2026, 3, 2, 9, 0)


# ---------------------------------------------------------------- how a complaint went


def _row(**values):
    row = {"closed_at": None, "resolved_at": None, "resolve_due_at": None}
    row["customer_confirmed"] = None
    row.update(values)
    return row


@pytest.mark.parametrize(
    ("values", "breached", "expected"),
    [
        ({"resolve_due_at": NOW - timedelta(days=1)}, False, ("poor", "unresolved")),
        ({"resolve_due_at": NOW + timedelta(days=1)}, False, ("open", "")),
        ({"resolve_due_at": NOW + timedelta(days=1)}, True, ("poor", "late")),
        ({"closed_at": NOW, "customer_confirmed": False}, False, ("poor", "unconfirmed")),
        ({"closed_at": NOW, "customer_confirmed": True}, False, ("well", "")),
        ({"closed_at": NOW, "customer_confirmed": True}, True, ("poor", "late")),
        (
            {"resolved_at": NOW, "resolve_due_at": NOW - timedelta(days=1)},
            False,
            ("open", ""),
        ),
    ],
)
def test_the_app_and_the_seed_judge_a_complaint_the_same_way(values, breached, expected):
    row = _row(**values)
    assert loyalty.handling(**row, breached=breached, now=NOW) == expected
    events = [{"breach": "acknowledged after the procedure's deadline" if breached else ""}]
    assert complaint_handling(row, events, NOW) == expected


def test_months_before_keeps_the_day_or_takes_the_months_last():
    assert loyalty.months_before(date(2026, 3, 2), 12) == date(2025, 3, 2)
    assert loyalty.months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert loyalty.months_before(date(2026, 1, 15), 3) == date(2025, 10, 15)


# ---------------------------------------------------------------- the seeded story


@pytest.mark.parametrize("profile", ["retail", "leisure", "housing", "it_services"])
def test_seeded_orders_follow_each_customers_story(profile):
    data = generate(profile, 1, "standard", clock.DEFAULT_START)
    contacts = {c["id"]: c for c in data["contacts"]}
    orders = data["orders"]
    assert orders and {o["kind"] for o in orders} <= {"order", "booking", "renewal"}
    assert all(contacts[o["contact_id"]]["category"] == "external" for o in orders)
    assert all(o["placed_on"] < clock.DEFAULT_START.date() for o in orders)
    # Nobody orders after they left, and every leaver says why in their words.
    for o in orders:
        left = contacts[o["contact_id"]]["left_sbx"]
        assert left is None or o["placed_on"] <= left.date()
    leavers = [c for c in contacts.values() if c["left_sbx"]]
    assert leavers and all(c["left_reason"] for c in leavers)
    assert all(c["left_sbx"] < clock.DEFAULT_START for c in leavers)
    # Regulars and key accounts come back more than lapsed / at-risk customers.
    per = Counter(o["contact_id"] for o in orders)
    recent = clock.DEFAULT_START.date() - timedelta(days=90)
    last = {cid: max(o["placed_on"] for o in orders if o["contact_id"] == cid) for cid in per}

    def share_recent(segment):
        ids = [c for c in per if contacts[c]["segment"] == segment]
        return sum(last[c] >= recent for c in ids) / len(ids)

    assert share_recent("regular") > share_recent("at_risk") + 0.3
    assert share_recent("key_account") > share_recent("at_risk") + 0.3


def test_the_seeded_orders_are_the_same_for_the_same_seed_and_differ_for_another():
    one = generate("retail", 3, "small", clock.DEFAULT_START)
    again = generate("retail", 3, "small", clock.DEFAULT_START)
    other = generate("retail", 4, "small", clock.DEFAULT_START)
    assert one["orders"] == again["orders"]
    assert one["orders"] != other["orders"]


# ---------------------------------------------------------------- the report


@pytest.fixture
def standard(provision, ctx_for):
    sandbox = provision(size="standard")
    return sandbox, ctx_for(sandbox)


def test_orders_and_leavers_reach_a_provisioned_sandbox(standard):
    sandbox, ctx = standard
    orders = db.session.scalars(select(Order).where(Order.sandbox_id == sandbox.id)).all()
    assert len(orders) > 300
    assert isinstance(orders[0].amount, float)
    owners = set(
        db.session.scalars(
            select(Contact.sandbox_id).where(Contact.id.in_({o.contact_id for o in orders}))
        )
    )
    assert owners == {sandbox.id}
    leavers = db.session.scalars(
        select(Contact).where(Contact.sandbox_id == sandbox.id, Contact.left_sbx.is_not(None))
    ).all()
    assert leavers and all(c.left_reason for c in leavers)


def test_customers_whose_complaint_went_badly_are_lost_more_often(standard):
    _, ctx = standard
    report = loyalty.report(ctx)
    groups = {g.key: g for g in report.lost}
    assert [g.key for g in report.lost] == ["poor", "open", "well", "none"]
    poor, well, none = groups["poor"], groups["well"], groups["none"]
    assert poor.customers and poor.left
    assert poor.percent_lost > well.percent_lost
    assert poor.percent_lost > none.percent_lost
    assert sum(poor.went_wrong.values()) == poor.customers
    assert sum(g.customers for g in report.lost) == report.customers
    assert report.left and all(c.reason for c in report.left)
    assert report.left == sorted(report.left, key=lambda c: c.left_sbx, reverse=True)


def test_the_repeat_rate_counts_customers_with_two_or_more_orders_in_the_period(standard):
    sandbox, ctx = standard
    report = loyalty.report(ctx, months=6)
    today = ctx.now().date()
    since = loyalty.months_before(today, 6) + timedelta(days=1)
    assert report.since == since
    externals = set(
        db.session.scalars(
            select(Contact.id).where(
                Contact.sandbox_id == sandbox.id,
                Contact.category == "external",
                Contact.merged_into_id.is_(None),
            )
        )
    )
    counts = Counter(
        db.session.scalars(
            select(Order.contact_id).where(
                Order.sandbox_id == sandbox.id, Order.placed_on >= since, Order.placed_on <= today
            )
        )
    )
    counts = {c: n for c, n in counts.items() if c in externals}
    assert report.repeat.base == len(counts)
    assert report.repeat.count == sum(n >= 2 for n in counts.values())
    assert sum(r.base for r in report.by_segment) == report.repeat.base
    assert sum(r.base for r in report.by_lifecycle) == report.repeat.base
    rates = {r.label: r.percent for r in report.by_segment}
    assert rates["Regular"] > rates["Lapsed / at risk"]


def test_the_report_follows_the_records_and_stays_in_its_sandbox(provision, ctx_for):
    mine, theirs = provision(), provision()
    ctx = ctx_for(mine)
    before = loyalty.report(ctx)
    other = db.session.scalars(
        select(Contact).where(Contact.sandbox_id == theirs.id, Contact.category == "external")
    ).first()
    db.session.add(
        Order(
            sandbox_id=theirs.id,
            contact_id=other.id,
            kind="order",
            reference="X/1",
            placed_on=ctx.now().date(),
        )
    )
    db.session.flush()
    assert loyalty.report(ctx) == before
    # In my sandbox: a customer who has not ordered for a long time orders again today.
    lapsed = next(g for g in before.lost if g.lapsed)
    contact_id = _a_lapsed_customer(mine.id, ctx.now().date())
    db.session.add(
        Order(
            sandbox_id=mine.id,
            contact_id=contact_id,
            kind="order",
            reference="X/2",
            placed_on=ctx.now().date(),
        )
    )
    db.session.flush()
    after = {g.key: g for g in loyalty.report(ctx).lost}
    assert sum(g.lapsed for g in after.values()) == sum(g.lapsed for g in before.lost) - 1
    assert lapsed.key in after


def _a_lapsed_customer(sandbox_id: int, today: date) -> int:
    last = {}
    for contact_id, placed in db.session.execute(
        select(Order.contact_id, Order.placed_on)
        .join(Contact, Contact.id == Order.contact_id)
        .where(Order.sandbox_id == sandbox_id, Contact.left_sbx.is_(None))
    ):
        last[contact_id] = max(last.get(contact_id, placed), placed)
    cutoff = loyalty.months_before(today, 3)
    return next(c for c, day in sorted(last.items()) if day < cutoff)


def test_the_report_takes_one_statement_whatever_the_size(provision, ctx_for, app):
    def queries(sandbox) -> int:
        ctx = ctx_for(sandbox)
        ctx.now()  # the clock's own read, outside the count
        seen = []
        engine = db.engine
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            loyalty.report(ctx)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(seen)

    assert queries(provision(size="small")) == queries(provision(size="standard")) == 1


def test_a_period_out_of_range_is_refused_with_a_message(provision, ctx_for):
    ctx = ctx_for(provision())
    with pytest.raises(ServiceError, match="1 to 36 months"):
        loyalty.report(ctx, months=0)
    with pytest.raises(ServiceError, match="1 to 24 months"):
        loyalty.report(ctx, lapsed_after_months=99)


def test_a_complaint_received_after_the_sandbox_time_is_not_counted(standard):
    sandbox, ctx = standard
    before = loyalty.report(ctx)
    complaint = db.session.scalars(
        select(Complaint).where(Complaint.sandbox_id == sandbox.id)
    ).first()
    complaint.received_at = ctx.now() + timedelta(days=30)
    db.session.flush()
    after = loyalty.report(ctx)
    assert sum(g.customers for g in after.lost) == sum(g.customers for g in before.lost)


# ---------------------------------------------------------------- the pages


@pytest.fixture
def crm(client, auth, standard):
    sandbox, ctx = standard
    auth.login(sandbox.owner.email)
    return sandbox, f"/s/{sandbox.id}", ctx


def test_the_contact_page_lists_orders_and_says_when_and_why_a_customer_left(client, crm):
    sandbox, base, _ = crm
    leaver = db.session.scalars(
        select(Contact).where(Contact.sandbox_id == sandbox.id, Contact.left_sbx.is_not(None))
    ).first()
    page = client.get(f"{base}/contacts/{leaver.id}").get_data(as_text=True)
    assert "Orders, bookings and renewals" in page
    assert "Left on" in page
    assert leaver.left_reason.replace("'", "&#39;") in page
    order = db.session.scalars(
        select(Order).where(Order.sandbox_id == sandbox.id).order_by(Order.placed_on.desc())
    ).first()
    page = client.get(f"{base}/contacts/{order.contact_id}").get_data(as_text=True)
    assert order.reference in page and "£" in page


def test_the_loyalty_page_shows_repeat_business_and_customers_lost(client, crm):
    _, base, _ = crm
    response = client.get(f"{base}/feedback/loyalty")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for words in (
        "Repeat business",
        "By segment",
        "By lifecycle stage",
        "Customers lost, by how their complaints went",
        "Complaint handled poorly",
        "What customers said when they left",
    ):
        assert words in page
    assert "Loyalty and lost customers" in client.get(f"{base}/feedback").get_data(as_text=True)


def test_the_loyalty_page_explains_a_bad_period_instead_of_failing(client, crm):
    _, base, _ = crm
    response = client.get(f"{base}/feedback/loyalty?months=99&lapsed=x", follow_redirects=True)
    assert response.status_code == 200
    assert "The period is 1 to 36 months." in response.get_data(as_text=True)


# ---------------------------------------------------------------- recording an order


def _external(sandbox_id: int) -> Contact:
    return db.session.scalars(
        select(Contact)
        .where(Contact.sandbox_id == sandbox_id, Contact.category == "external")
        .order_by(Contact.id)
    ).first()


def test_an_order_recorded_is_logged_and_counts_as_repeat_business(provision, ctx_for):
    from crm_sandbox.models import ActionLogEntry
    from crm_sandbox.services import log_words

    sandbox = provision()
    ctx = ctx_for(sandbox)
    contact = _external(sandbox.id)
    before = len(loyalty.orders_of(ctx, contact))
    order = loyalty.record_order(
        ctx, contact, {"kind": "booking", "description": "Spin class", "amount": "7.5"}
    )
    assert order.placed_on == ctx.now().date() and order.amount == 7.5
    assert order.reference == f"B{order.id:05d}"
    assert loyalty.orders_of(ctx, contact)[0] == order
    assert len(loyalty.orders_of(ctx, contact)) == before + 1
    entry = db.session.scalars(
        select(ActionLogEntry)
        .where(ActionLogEntry.sandbox_id == sandbox.id)
        .order_by(ActionLogEntry.seq.desc())
    ).first()
    assert entry.verb == "order.recorded" and entry.object_id == order.id
    names = log_words.names_for(sandbox.id, [entry])
    assert log_words.describe_entry(entry, names).startswith("Recorded a booking from ")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "gift", "description": "x"}, "What it is must be one of"),
        ({"kind": "order", "description": " "}, "Enter what they ordered"),
        ({"kind": "order", "description": "x", "amount": -1}, "between 0 and"),
        ({"kind": "order", "description": "x", "amount": "lots"}, "must be a number"),
        (
            {"kind": "order", "description": "x", "placed_on": date(2099, 1, 1)},
            "in the future",
        ),
    ],
)
def test_a_bad_order_is_refused_with_a_message_and_nothing_changes(
    provision, ctx_for, data, message
):
    sandbox = provision()
    ctx = ctx_for(sandbox)
    contact = _external(sandbox.id)
    before = len(loyalty.orders_of(ctx, contact))
    with pytest.raises(ServiceError, match=message):
        loyalty.record_order(ctx, contact, data)
    assert len(loyalty.orders_of(ctx, contact)) == before


def test_only_external_customers_place_orders(provision, ctx_for):
    sandbox = provision()
    colleague = db.session.scalars(
        select(Contact).where(Contact.sandbox_id == sandbox.id, Contact.category == "internal")
    ).first()
    with pytest.raises(ServiceError, match="external customers"):
        loyalty.record_order(ctx_for(sandbox), colleague, {"kind": "order", "description": "x"})


def test_the_contact_page_form_records_an_order(client, crm):
    sandbox, base, ctx = crm
    contact = _external(sandbox.id)
    page = client.get(f"{base}/contacts/{contact.id}").get_data(as_text=True)
    assert "Record an order, booking or renewal" in page
    response = client.post(
        f"{base}/contacts/{contact.id}/orders",
        data={"kind": "renewal", "description": "Annual plan", "amount": "120.00"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Order recorded for" in response.get_data(as_text=True)
    assert loyalty.orders_of(ctx, contact)[0].description == "Annual plan"
    refused = client.post(
        f"{base}/contacts/{contact.id}/orders",
        data={"kind": "renewal", "description": "Later", "placed_on": "2099-01-01"},
        follow_redirects=True,
    )
    assert "An order cannot be placed in the future" in refused.get_data(as_text=True)
    assert loyalty.orders_of(ctx, contact)[0].description == "Annual plan"
