"""Repeat business: each external customer's orders, bookings or renewals over the last year
or so, following their story, and the customers who left.

Regulars and key accounts come back at the pace the profile's `repeat_business` gives (key
accounts more often); new customers have bought only since they first got in touch; at-risk
customers stopped buying around their last contact with us (lapsed). A customer whose complaint
was handled poorly (a step late, closed without their confirmation, or overdue and unresolved at
the clock start) often leaves (`left_sbx`, `left_reason` in their words) or buys much less
afterwards; one whose complaint was handled well mostly stays (and half the at-risk ones
are won back). So the CRM holds the evidence of
what poor service costs (crm_sandbox.services.loyalty reads it).

Drawn last in the generator's run, so every row made before it is the same as without it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for annotations: the generator imports this module
    from .common import _Draft

ORDER_HISTORY_DAYS = 380  # orders cover the last year and a little more
# How much slower (or faster) than the profile's `every_days` each segment comes back.
PACE = {"key_account": 0.75, "regular": 1.0, "new": 1.0, "at_risk": 2.0}
SECOND_ITEM = 0.2  # customers (business ones: double) who also come back for a second thing
LEAVE_AFTER_POOR = 0.5  # customers whose complaint was handled poorly who then leave
SLOWER_AFTER_POOR = 0.55  # of those who stay: buy at a third of their pace afterwards
LEAVE_AFTER_WELL = 0.03
WON_BACK = 0.5  # at-risk customers whose complaint was handled well who keep buying
AT_RISK_LEAVE = 0.15  # at-risk customers without a complaint who say why they went
SLOWER = 3.0

# What the customer said when they went, by what went wrong (their words, not ours).
LEFT_REASONS = {
    "late": (
        "I waited well past the date you gave me for an answer to my complaint. I have taken my "
        "custom elsewhere.",
        "Nobody got back to me when they said they would, so I have gone to another company.",
        "It took far too long to sort out my complaint. I will not be ordering again.",
    ),
    "unconfirmed": (
        "You closed my complaint without asking me whether I was happy, and I was not. I have "
        "moved to someone else.",
        "I was told the matter was closed, but nobody checked it was actually put right. I have "
        "cancelled.",
    ),
    "unresolved": (
        "My complaint was never resolved, so I have cancelled and gone elsewhere.",
        "I gave up waiting for my complaint to be dealt with. Please close my account.",
        "I complained and heard nothing back. I have taken my business to a competitor.",
    ),
    "moved_on": (
        "Found a cheaper option closer to home.",
        "Moved out of the area.",
        "My circumstances have changed and I no longer need it.",
    ),
}


def complaint_handling(row: dict, events: list[dict], now: datetime) -> tuple[str, str]:
    """How a seeded complaint went, as (verdict, what went wrong): verdict "poor", "open" or
    "well". The same rule as crm_sandbox.services.loyalty.handling, on the generator's rows."""
    if row["closed_at"] is None and row["resolved_at"] is None:
        due = row["resolve_due_at"]
        if due is not None and due < now:
            return "poor", "unresolved"
    if any(event["breach"] for event in events):
        return "poor", "late"
    if row["closed_at"] is not None and row["customer_confirmed"] is False:
        return "poor", "unconfirmed"
    if row["closed_at"] is None:
        return "open", ""
    return "well", ""


class _Orders:
    """Orders, bookings and renewals, and customers who left (part of the generator)."""

    def _orders(self, contacts: list[dict]) -> list[dict]:
        for row in contacts:
            row["left_sbx"], row["left_reason"] = None, ""
        items = self.profile.repeat_business
        if not items:
            return []
        complained = self._complaint_outcomes()
        first_day = self.start.date() - timedelta(days=ORDER_HISTORY_DAYS)
        placed: list[tuple[date, int, dict]] = []
        for draft in sorted(self.drafts, key=lambda d: d.id):
            if draft.kind not in ("individual", "business"):
                continue
            begin = max(first_day, draft.row["created_sbx"].date())
            end, slower_from = self._story(draft, complained.get(draft.id))
            for item in self._repeat_items(draft, items):
                for day, row in self._repeat(draft, item, begin, end, slower_from):
                    placed.append((day, draft.id, row))
        placed.sort(key=lambda entry: entry[:2])
        rows, prefix = [], self.profile.reference_prefix
        for number, (_, _, row) in enumerate(placed, start=1):
            row["id"] = number
            row["reference"] = f"{prefix}/{row['kind'][0].upper()}{number:05d}"
            rows.append(row)
        return rows

    def _story(self, draft: _Draft, outcome: tuple | None) -> tuple[date, date | None]:
        """When this customer stopped buying (exclusive) and from when they bought less, if
        they did; marks the contact as left when they went."""
        end = self.start.date()
        slower_from = None
        last_contact = max(draft.times)
        if draft.segment == "at_risk":  # lapsed: stopped about when we last heard from them
            end = min(end, last_contact.date() + timedelta(days=self.rng.randint(0, 20)))
        went, reason = False, ""
        if outcome is not None:
            verdict, what, received, last_event = outcome
            last_contact = max(last_contact, last_event)
            if verdict == "poor":
                if self.rng.random() < LEAVE_AFTER_POOR:
                    went, reason = True, what
                elif self.rng.random() < SLOWER_AFTER_POOR:
                    slower_from = received.date()
            elif verdict == "well" and self.rng.random() < LEAVE_AFTER_WELL:
                went, reason = True, "moved_on"
            elif verdict == "well" and draft.segment == "at_risk" and self.rng.random() < WON_BACK:
                end = self.start.date()  # put right: they kept buying after all
        elif draft.segment == "at_risk" and self.rng.random() < AT_RISK_LEAVE:
            went, reason = True, "moved_on"
        if went:
            left = self.time.between(last_contact + timedelta(hours=1), self.start)
            if left is not None:
                draft.row["left_sbx"] = left
                draft.row["left_reason"] = self.rng.choice(LEFT_REASONS[reason])
                end = min(end, left.date())
            elif reason != "moved_on":  # no time left to go: they buy less instead
                slower_from = outcome[2].date()
        return end, slower_from

    def _complaint_outcomes(self) -> dict[int, tuple[str, str, datetime, datetime]]:
        """Per external customer who complained: their worst complaint's verdict, what went
        wrong, when it was received and the last moment of any of their complaints."""
        rank = {"well": 0, "open": 1, "poor": 2}
        out: dict[int, tuple[str, str, datetime, datetime]] = {}
        for complaint in sorted(self.complaints, key=lambda c: c.row["id"]):
            draft = complaint.draft
            if draft.kind not in ("individual", "business"):
                continue
            verdict, what = complaint_handling(complaint.row, complaint.events, self.start)
            last = max(event["at"] for event in complaint.events)
            received = complaint.row["received_at"]
            before = out.get(draft.id)
            if before is not None:
                last = max(last, before[3])
                if rank[before[0]] >= rank[verdict]:
                    out[draft.id] = (before[0], before[1], before[2], last)
                    continue
            out[draft.id] = (verdict, what, received, last)
        return out

    def _repeat_items(self, draft: _Draft, items: tuple) -> list[dict]:
        weights = [item["weight"] for item in items]
        first = self.rng.choices(range(len(items)), weights)[0]
        chosen = [items[first]]
        second = SECOND_ITEM * (2 if draft.kind == "business" else 1)
        if len(items) > 1 and self.rng.random() < second:
            others = [n for n in range(len(items)) if n != first]
            chosen.append(items[self.rng.choices(others, [weights[n] for n in others])[0]])
        return chosen

    def _repeat(
        self, draft: _Draft, item: dict, begin: date, end: date, slower_from: date | None
    ) -> list[tuple[date, dict]]:
        """One customer's orders of one kind between begin and end (exclusive)."""
        gap = item["every_days"] * PACE[draft.segment]
        renewal = item["kind"] == "renewal"
        low, high = item["amount"]
        price = round(self.rng.uniform(low, high), 2)  # a renewal keeps its price
        day = begin + timedelta(days=int(self.rng.uniform(0, gap)))
        if draft.segment == "new":  # their first order came with their first contact
            day = begin
        out = []
        while day < end:
            moment = datetime.combine(day, datetime.min.time())
            out.append(
                (
                    day,
                    {
                        "id": 0,
                        "contact_id": draft.id,
                        "kind": item["kind"],
                        "reference": "",
                        "description": item["description"].format_map(self._values(draft, moment))[
                            :300
                        ],
                        "amount": price if renewal else round(self.rng.uniform(low, high), 2),
                        "placed_on": day,
                    },
                )
            )
            step = gap * (self.rng.uniform(0.95, 1.05) if renewal else self.rng.uniform(0.5, 1.5))
            if slower_from is not None and day >= slower_from:
                step *= SLOWER
            day += timedelta(days=max(1, round(step)))
        return out
