"""Check type `complaint_acknowledged_within`: the front line acknowledges in the procedure's
time, in a message that says something and records when the customer will next hear ("Next
contact by", no later than the response is due). Real scenario: first-complaint (retail: 1
working day to acknowledge, 5 to respond)."""

from __future__ import annotations

from crm_sandbox.checks import REGISTRY
from crm_sandbox.models import Role
from crm_sandbox.scenarios import engine
from crm_sandbox.scenarios.loader import library_source
from tests.trying import outcome

SCENARIO = "first-complaint"


def ack(message: str, channel: str = "email", **promise) -> list[dict]:
    return [
        {
            "do": "acknowledge",
            "complaint": "late_sofa",
            "channel": channel,
            "message": message,
            **promise,
        }
    ]


def test_an_acknowledgement_in_time_with_a_next_contact_passes_in_other_words(app):
    words = "Mrs Okafor, thanks for ringing. I have your complaint and will phone you tomorrow."
    steps = ack(words, channel="phone", promise_next_working_day=True)
    result = outcome(SCENARIO, steps, "ack-in-time")
    assert result.passed, result.message
    assert "next contact promised by" in result.message


def test_received_in_the_first_minute_is_not_an_acknowledgement(app):
    result = outcome(SCENARIO, ack("Received.", promise_in_hours=8), "ack-in-time")
    assert not result.passed and "says too little" in result.message


def test_saying_when_in_words_only_is_not_recorded(app):
    words = "We will call you by 5pm today with what happens next and by when."
    result = outcome(SCENARIO, ack(words), "ack-in-time")
    assert not result.passed
    assert "Next contact by" in result.message


def test_a_next_contact_after_the_response_is_due_fails(app):
    words = "Dear Mrs Okafor, we have your complaint and will be in touch in a fortnight."
    result = outcome(SCENARIO, ack(words, promise_in_hours=80), "ack-in-time")
    assert not result.passed and "later than the procedure allows" in result.message


def test_a_late_acknowledgement_fails_and_points_to_the_due_times(app):
    steps = [{"do": "advance", "next_working_day": True}] * 2 + ack(
        "Dear Mrs Okafor, sorry for the delay: I will call you today.", promise_in_hours=2
    )
    result = outcome(SCENARIO, steps, "ack-in-time")
    assert not result.passed and "after the procedure's deadline" in result.message
    assert "complaint's page" in result.message


def test_nothing_done_fails_and_time_passing_does_not_help(app):
    assert not outcome(SCENARIO, [], "ack-in-time").passed
    waited = outcome(SCENARIO, [{"do": "advance", "next_working_day": True}] * 2, "ack-in-time")
    assert not waited.passed and "was not acknowledged by" in waited.message


def test_the_feedback_names_the_step_and_where_to_look_not_the_words(app):
    result = outcome(SCENARIO, [], "ack-in-time")
    assert "Organisation & policies" in result.feedback
    text = (result.message + result.feedback).lower()
    for value in ("5pm", "17:00", "sorry", "van"):
        assert value not in text


def test_next_contact_false_judges_the_timing_only(app, create_user):
    check = REGISTRY["complaint_acknowledged_within"]
    scenario, source = library_source(SCENARIO)
    attempt = engine.start_attempt(create_user(Role.LEARNER), scenario, source)
    engine.replay(attempt, engine_steps(ack("We have received your complaint about the sofa.")))
    state, log = _read(attempt)
    assert not check(state, log, scenario, {"complaint": "late_sofa"}).passed
    assert check(state, log, scenario, {"complaint": "late_sofa", "next_contact": False}).passed


def engine_steps(steps):
    from crm_sandbox.scenarios import selftest

    return selftest.parse_steps(steps)


def _read(attempt):
    from crm_sandbox.scenarios.state import SandboxState, load_log

    return SandboxState(attempt.sandbox, attempt.keys), load_log(attempt.sandbox_id)


def test_params_are_validated():
    check = REGISTRY["complaint_acknowledged_within"]
    scenario, _ = library_source(SCENARIO)
    assert check.validate_params({"complaint": "late_sofa", "next_contact": False}, scenario) == []
    assert check.validate_params({"complaint": "nope"}, scenario)
    assert check.validate_params({"complaint": "late_sofa", "within": 2}, scenario)


def test_the_acknowledge_form_records_the_next_contact_and_refuses_half_of_one(
    client, auth, create_user
):
    from crm_sandbox.extensions import db
    from crm_sandbox.models import Interaction

    scenario, source = library_source(SCENARIO)
    attempt = engine.start_attempt(create_user(Role.LEARNER), scenario, source)
    db.session.commit()
    auth.login(attempt.learner.email)
    complaint_id = attempt.keys["complaints"]["late_sofa"]
    url = f"/s/{attempt.sandbox_id}/complaints/{complaint_id}/acknowledge"
    page = client.get(f"/s/{attempt.sandbox_id}/complaints/{complaint_id}").data.decode()
    assert "Next contact by" in page
    words = "Dear Mrs Okafor, I am sorry. I will ring you this afternoon with a new date."
    half = client.post(
        url,
        data={"ack-channel": "email", "ack-message": words, "ack-promise_on": "2026-03-09"},
        follow_redirects=True,
    )
    assert half.status_code == 200 and b"both the date and the time" in half.data
    db.session.rollback()
    assert db.session.query(Interaction).filter_by(complaint_id=complaint_id).count() == 0
    client.post(
        url,
        data={
            "ack-channel": "email",
            "ack-message": words,
            "ack-promise_on": "2026-03-09",
            "ack-promise_time": "16:00",
        },
    )
    db.session.rollback()
    sent = db.session.query(Interaction).filter_by(complaint_id=complaint_id).one()
    assert sent.purpose == "acknowledge" and sent.promise_by.hour == 16
    result = outcome_of(attempt)
    assert result.passed, result.message


def outcome_of(attempt):
    check = REGISTRY["complaint_acknowledged_within"]
    state, log = _read(attempt)
    return check(state, log, None, {"complaint": "late_sofa"})
