"""The checks that read what customers answered (issue 17): a need is confirmed by the
customer's own reply, a complaint is closed on the customer's yes, reactive or proactive follows
from who started the conversation, and a need the customer corrected is recorded as they said.
Each check is shown passing and failing on a hand-made action log."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

from crm_sandbox.checks import REGISTRY
from crm_sandbox.scenarios.state import LogItem

START = datetime(2026, 3, 23, 9, 0)
GRACE, OTHER = 7, 8
COMPLAINT = 30


class FakeState:
    now = START + timedelta(hours=6)
    calendar = SimpleNamespace(
        add=lambda start, amount, unit: (
            start + timedelta(hours=amount * (8 if "days" in unit else 1))
        )
    )

    def __init__(self, needs=(), prefs=(), contacts=(), complaint=None):
        self._tables = {"Need": list(needs), "Preference": list(prefs), "Contact": list(contacts)}
        self.complaint = complaint

    def id_of(self, kind, key):
        return {"grace": GRACE, "other": OTHER, "sofa": COMPLAINT}.get(key)

    def get(self, kind, key):
        return self.complaint

    def all(self, model, *conditions):
        return self._tables[model.__name__]

    def contact_ids(self, keys):
        return {self.id_of("contacts", k): k for k in keys}


class Clock:
    """Hands out seq numbers and sandbox times in order, as a real log would have them."""

    def __init__(self):
        self.seq = 0

    def item(self, verb, object_type, object_id, after, hours=None):
        self.seq += 1
        when = START + timedelta(hours=hours if hours is not None else self.seq / 10)
        return LogItem(self.seq, verb, object_type, object_id, when, {"after": after})

    def message(self, object_id, direction, contact=GRACE, hours=None, **fields):
        after = {
            "contact_id": contact,
            "direction": direction,
            "channel": "email",
            "summary": "A message that tells the customer what is happening.",
            **fields,
        }
        return self.item("interaction.logged", "interaction", object_id, after, hours)

    def need(self, need_id, description, contact=GRACE):
        after = {"contact_id": contact, "description": description, "type": "timescale"}
        return self.item("need.recorded", "need", need_id, after)

    def preference(self, pref_id, description, contact=GRACE):
        after = {"contact_id": contact, "description": description}
        return self.item("preference.recorded", "preference", pref_id, after)

    def confirmed(self, need_id, reply_id=None, contact=GRACE):
        after = {"confirmed": True, "contact_id": contact, "reply_id": reply_id}
        return self.item("need.confirmed", "need", need_id, after)


def run(check, state, log, **params):
    return REGISTRY[check](state, log, None, params)


# need_confirmed_before_action, actions_in_order and needs_not_preferences judge the record
# against the customer's persona: their tests are tests/test_check_<type>.py.


# --- complaint_confirmed_before_close -------------------------------------------------------


def complaint_state(reply_id=None):
    return FakeState(
        complaint=SimpleNamespace(id=COMPLAINT, contact_id=GRACE, satisfaction_reply_id=reply_id)
    )


def asked_and_answered(c, kind="satisfied", reply_id=21):
    return [
        c.message(20, "outbound", purpose="ask_satisfied", complaint_id=COMPLAINT),
        c.message(reply_id, "inbound", answer_kind=kind, complaint_id=COMPLAINT),
    ]


def closed(c, reply_id=None):
    after = {"stage": "closed", "satisfaction_reply_id": reply_id}
    return c.item("complaint.closed", "complaint", COMPLAINT, after)


def test_a_close_that_points_at_the_customers_yes_passes():
    c = Clock()
    log = [*asked_and_answered(c), closed(c, 21)]
    result = run("complaint_confirmed_before_close", complaint_state(21), log, complaint="sofa")
    assert result.passed, result.message


def test_a_close_without_the_customers_yes_fails():
    c = Clock()
    log = [closed(c, None)]
    result = run("complaint_confirmed_before_close", complaint_state(), log, complaint="sofa")
    assert not result.passed
    assert "without the customer saying they are satisfied" in result.message


def test_a_close_pointing_at_a_no_fails():
    c = Clock()
    log = [*asked_and_answered(c, kind="not_satisfied"), closed(c, 21)]
    result = run("complaint_confirmed_before_close", complaint_state(21), log, complaint="sofa")
    assert not result.passed


def test_a_yes_that_came_after_the_close_does_not_count():
    c = Clock()
    close = closed(c, 21)
    log = [close, *asked_and_answered(c)]
    result = run("complaint_confirmed_before_close", complaint_state(21), log, complaint="sofa")
    assert not result.passed


# --- reactive or proactive, from the data ---------------------------------------------------


def consenting(email=True):
    return SimpleNamespace(
        id=GRACE,
        display_name="Grace Okafor",
        consent_email=email,
        consent_phone=True,
        consent_post=False,
    )


def test_proactive_follow_ups_count_the_contact_we_started_not_a_ticked_box():
    c = Clock()
    ours = [c.message(5, "outbound", purpose="follow_up", initiative="proactive")]
    assert run("proactive_follow_ups", FakeState(), ours, contacts=["grace"]).passed
    c = Clock()
    # an older entry without a purpose that says "proactive", answering the customer's message
    answering = [
        c.message(5, "inbound", answer_kind="event"),
        c.message(6, "outbound", initiative="proactive"),
    ]
    assert not run("proactive_follow_ups", FakeState(), answering, contacts=["grace"]).passed


def test_no_contact_without_consent_reads_the_derived_initiative_and_marketing():
    state = FakeState(contacts=[consenting(email=False)])
    c = Clock()
    reply = [
        c.message(5, "inbound", answer_kind="event"),
        c.message(6, "outbound", initiative="proactive"),  # answers her: reactive really
    ]
    # a reply needs no consent, so there is nothing to judge yet (never a pass for that)
    replied = run("no_contact_without_consent", state, reply)
    assert replied.pending and not replied.passed
    c = Clock()
    marketing = [
        c.message(5, "inbound", answer_kind="event"),
        c.message(6, "outbound", purpose="marketing", initiative="reactive"),
    ]
    result = run("no_contact_without_consent", state, marketing)
    assert not result.passed and "Grace Okafor" in result.message


def test_interaction_within_can_ask_for_a_purpose():
    c = Clock()
    log = [
        c.item("attempt.started", "attempt", 1, {}),
        c.message(5, "outbound", purpose="update", initiative="reactive"),
    ]
    assert run("interaction_within", FakeState(), log, contact="grace").passed
    result = run("interaction_within", FakeState(), log, contact="grace", purpose="ask_satisfied")
    assert not result.passed
    assert "ask whether they are satisfied" in result.message


# --- promises_kept and chases_answered (the missed call-back) -------------------------------


def promise(c, hours_from_start=3):
    by = (START + timedelta(hours=hours_from_start)).isoformat()
    return c.message(40, "outbound", purpose="update", initiative="reactive", promise_by=by)


def test_a_promised_call_made_in_time_keeps_the_promise():
    c = Clock()
    log = [promise(c), c.message(41, "outbound", purpose="update", initiative="reactive")]
    assert run("promises_kept", FakeState(), log, contact="grace").passed


def test_a_promise_that_fell_due_without_contact_is_broken():
    c = Clock()
    log = [promise(c, hours_from_start=1)]  # FakeState.now is START + 6 hours
    result = run("promises_kept", FakeState(), log, contact="grace")
    assert not result.passed and "none came by then" in result.message


def test_a_task_that_needs_a_promise_fails_without_one():
    result = run("promises_kept", FakeState(), [], contact="grace")
    assert not result.passed and "no promise" in result.message


def test_a_chase_answered_within_the_time_passes_and_nothing_yet_is_not_judged():
    c = Clock()
    untouched = run("chases_answered", FakeState(), [], contact="grace")
    assert not untouched.passed and untouched.pending
    log = [
        c.message(50, "inbound", answer_kind="chase", hours=1),
        c.message(51, "outbound", purpose="update", initiative="reactive", hours=2),
    ]
    assert run("chases_answered", FakeState(), log, contact="grace", within=2).passed


def test_a_chase_nobody_answered_fails():
    c = Clock()
    log = [c.message(50, "inbound", answer_kind="chase")]
    result = run("chases_answered", FakeState(), log, contact="grace")
    assert not result.passed and "nobody got back to them" in result.message


def test_interaction_within_can_start_from_the_customers_own_answer():
    c = Clock()
    rejected = c.message(60, "inbound", answer_kind="rejects", hours=1)
    log = [c.item("attempt.started", "attempt", 1, {}, hours=0), rejected]
    params = {"contact": "grace", "after_answer": "rejects", "within": 1, "unit": "working_hours"}
    result = run("interaction_within", FakeState(), log, **params)
    assert not result.passed  # nothing sent since she said no
    log.append(c.message(61, "outbound", purpose="update", initiative="reactive", hours=1.5))
    assert run("interaction_within", FakeState(), log, **params).passed
    early = [c.item("attempt.started", "attempt", 1, {}, hours=0)]
    result = run("interaction_within", FakeState(), early, **params)
    assert not result.passed and "has not rejected" in result.message


# --- remedy_accepted ----------------------------------------------------------------------


def answered_remedy(c, kind, reason=""):
    return [
        c.message(70, "outbound", purpose="propose_resolution", complaint_id=COMPLAINT),
        c.message(
            71,
            "inbound",
            answer_kind=kind,
            complaint_id=COMPLAINT,
            details={"remedy": {"type": "credit"}, "reason": reason},
        ),
    ]


def test_a_remedy_the_customer_accepted_passes():
    c = Clock()
    log = [*answered_remedy(c, "accepts"), closed(c, 21)]
    assert run("remedy_accepted", complaint_state(), log, complaint="sofa").passed


def test_a_remedy_turned_down_fails_in_the_customers_words():
    c = Clock()
    log = answered_remedy(c, "rejects", "I want the sofa, not a voucher.")
    result = run("remedy_accepted", complaint_state(), log, complaint="sofa")
    assert not result.passed and "I want the sofa, not a voucher." in result.message


def test_an_acceptance_after_the_close_does_not_count():
    c = Clock()
    log = [closed(c, None), *answered_remedy(c, "accepts")]
    assert not run("remedy_accepted", complaint_state(), log, complaint="sofa").passed
