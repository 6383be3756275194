"""Every refused login or launch gives the person a clear page (400 or 403, no traceback),
changes nothing but the refusal's own record, is kept for the admin (`LtiRefusal`, with the
reason in words) and is logged."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from crm_sandbox.extensions import db
from crm_sandbox.models import Base, LtiRefusal, LtiRegistration

from .launching import (
    INSTRUCTOR,
    launch,
    login_params,
    post_launch,
    read_form,
    register,
    replay,
)
from .platform import new_key_pair

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
# Written by every request (sessions) or by the refusal itself (launch data, the refusal).
NOT_COMPARED = {"user_sessions", "lti_refusals", "lti_launch_values"}


def _rows() -> dict[str, int]:
    db.session.rollback()
    return {
        t.name: db.session.scalar(select(func.count()).select_from(t))
        for t in Base.metadata.sorted_tables
        if t.name not in NOT_COMPARED
    }


def _refusals() -> list[LtiRefusal]:
    db.session.rollback()
    return list(db.session.scalars(select(LtiRefusal).order_by(LtiRefusal.id)))


@pytest.fixture
def course(client, platform):
    """A registered platform whose instructor has opened the activity (the course is a group)."""
    register(platform)
    done = launch(client, platform, sub="teacher-1", roles=INSTRUCTOR)
    assert done.response.status_code == 302
    client.post("/logout")
    return platform


def _assert_refused(response, status: int, reason_words: str, before: dict, caplog):
    page = response.get_data(as_text=True)
    assert response.status_code == status, page
    assert "could not open this activity" in page
    assert "Traceback" not in page and "LtiException" not in page
    assert _rows() == before, "a refused launch changed something"
    refusal = _refusals()[-1]
    assert reason_words in refusal.reason, refusal.reason
    assert refusal.remote_addr == "127.0.0.1"
    assert any(
        reason_words in r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING
    )
    return refusal


OTHER_PRIVATE, _ = new_key_pair()

# (name, how the platform's token is spoiled, status, words in the admin's reason)
SPOILED = [
    ("bad signature", dict(signing={"private_pem": OTHER_PRIVATE}), 403, "bad signature"),
    (
        "a key the platform does not publish",
        dict(signing={"kid": "not-published"}),
        403,
        "bad signature",
    ),
    ("expired token", dict(signing={"lifetime": -120}), 400, "expired token"),
    ("unknown issuer", dict(iss="https://moodle.elsewhere.example.org"), 403, "unknown issuer"),
    ("wrong audience", dict(aud="another-tool", azp=None), 403, "wrong audience"),
    (
        "several audiences without azp",
        dict(aud=["crm-sandbox-tool", "another-tool"], azp=None),
        403,
        "wrong audience",
    ),
    ("azp that is not an audience", dict(azp="another-tool"), 403, "wrong audience"),
    ("unknown deployment", {CLAIM + "deployment_id": "deployment-9"}, 403, "unknown deployment"),
    ("missing scenario", dict(scenario=None), 400, "names no scenario"),
    ("unknown scenario", dict(scenario="no-such-scenario"), 400, "scenario we do not have"),
    ("not LTI 1.3", {CLAIM + "version": "1.1"}, 400, "not valid"),
    (
        "a resource link that is not an object",
        {CLAIM + "resource_link": "link-1"},
        400,
        "wrong type",
    ),
    ("a course that is not an object", {CLAIM + "context": "course-101"}, 400, "names no course"),
    ("a user id too long to keep", dict(sub="x" * 300), 400, "over 255 characters"),
    ("no roles claim", {CLAIM + "roles": None}, 400, "Roles"),
    (
        "a target link that is not a URL",
        dict(scenario=None, **{CLAIM + "target_link_uri": "http://["}),
        400,
        "names no scenario",
    ),
]


@pytest.mark.parametrize(
    "spoil,status,reason", [s[1:] for s in SPOILED], ids=[s[0] for s in SPOILED]
)
def test_a_spoiled_launch_is_refused_with_a_clear_page(
    client, course, spoil, status, reason, caplog
):
    spoil = dict(spoil)
    signing = spoil.pop("signing", None)
    before = _rows()
    done = launch(client, course, signing=signing, **{"sub": "learner-1", **spoil})
    refusal = _assert_refused(done.response, status, reason, before, caplog)
    assert refusal.stage == "launch"
    assert client.get("/learner/").status_code == 302  # not signed in


def test_a_replayed_launch_is_refused(client, course, caplog):
    first = launch(client, course, sub="learner-1")
    assert first.response.status_code == 302
    before = _rows()
    again = replay(client, first)
    _assert_refused(again, 400, "replayed", before, caplog)


def test_a_replay_from_another_browser_is_refused(app, client, course, caplog):
    first = launch(client, course, sub="learner-1")
    before = _rows()
    elsewhere = app.test_client()  # no state cookie, but PyLTI1p3 knows the token's state
    _assert_refused(replay(elsewhere, first), 400, "replayed", before, caplog)


def test_a_launch_without_state_is_refused(client, course, caplog):
    first = launch(client, course, sub="learner-1")
    client.post("/logout")
    fresh = launch(client, course, sub="learner-2", scenario=None)  # a token we can reuse
    before = _rows()
    response = post_launch(client, fresh.id_token, None)
    _assert_refused(response, 400, "missing state", before, caplog)
    assert first.response.status_code == 302


def test_a_launch_whose_state_the_browser_never_had_is_refused(app, client, course, caplog):
    claims = course.launch_claims(sub="learner-1")
    hint = course.prepare_launch(claims)
    login = client.post("/lti/login", data=login_params(course, claims, hint), csrf=False)
    import requests

    action, fields = read_form(requests.get(login.headers["Location"], timeout=10).text)
    before = _rows()
    stranger = app.test_client()  # another browser: no state cookie
    response = post_launch(stranger, fields["id_token"], fields["state"])
    _assert_refused(response, 400, "state does not match", before, caplog)


def test_an_inactive_registration_refuses_logins_and_launches(client, course, caplog):
    import requests

    claims = course.launch_claims(sub="learner-1")
    hint = course.prepare_launch(claims)
    login = client.post("/lti/login", data=login_params(course, claims, hint), csrf=False)
    _action, fields = read_form(requests.get(login.headers["Location"], timeout=10).text)
    row = db.session.scalar(select(LtiRegistration))
    row.active = False
    db.session.commit()
    before = _rows()
    _assert_refused(
        post_launch(client, fields["id_token"], fields["state"]), 403, "deactivated", before, caplog
    )
    again = client.post("/lti/login", data=login_params(course, claims, hint), csrf=False)
    refusal = _assert_refused(again, 403, "deactivated", before, caplog)
    assert refusal.stage == "login"


def test_a_login_from_an_unknown_issuer_is_refused(client, course, caplog):
    before = _rows()
    response = client.post(
        "/lti/login",
        data={
            "iss": "https://moodle.elsewhere.example.org",
            "login_hint": "x",
            "client_id": "crm-sandbox-tool",
            "target_link_uri": "http://localhost/lti/launch",
        },
        csrf=False,
    )
    refusal = _assert_refused(response, 403, "unknown issuer", before, caplog)
    assert (refusal.stage, refusal.issuer) == ("login", "https://moodle.elsewhere.example.org")


def test_a_login_without_an_issuer_or_login_hint_is_refused(client, course, caplog):
    before = _rows()
    _assert_refused(client.get("/lti/login"), 400, "without an issuer", before, caplog)
    response = client.get(f"/lti/login?iss={course.issuer}&client_id=crm-sandbox-tool")
    _assert_refused(response, 400, "without a login_hint", before, caplog)


def test_a_launch_with_no_token_or_a_broken_one_is_refused(client, course, caplog):
    before = _rows()
    _assert_refused(
        client.post("/lti/launch", data={"state": "x"}, csrf=False),
        400,
        "no id token",
        before,
        caplog,
    )
    claims = course.launch_claims(sub="learner-1")
    hint = course.prepare_launch(claims)
    client.post("/lti/login", data=login_params(course, claims, hint), csrf=False)
    state = next(c.value for c in client._cookies.values() if c.key.startswith("lti1p3-state-"))
    for token in ("", "not-a-jwt", "a.b.c"):
        response = post_launch(client, token, state)
        _assert_refused(response, 400, "", before, caplog)


def test_an_instructor_cannot_be_refused_into_a_half_made_course(client, platform, caplog):
    """A refusal after the course would have been made (an unknown scenario) leaves no group."""
    register(platform)
    before = _rows()
    done = launch(client, platform, sub="teacher-1", roles=INSTRUCTOR, scenario="nope")
    _assert_refused(done.response, 400, "scenario we do not have", before, caplog)


def test_refused_launches_from_one_address_are_limited_accepted_ones_are_not(app_factory, platform):
    from crm_sandbox.services.lti import registrations as regs

    app = app_factory(LOGIN_RATE_LIMIT_ADDRESS="3 per minute")
    client = app.test_client()
    with app.app_context():
        regs.create_registration(regs.RegistrationValues(**platform.registration_values()), None)
        db.session.commit()
        for _ in range(4):  # more accepted launches than the limit
            assert launch(client, platform, sub="teacher-1", roles=INSTRUCTOR).location
        statuses = [client.post("/lti/launch", data={}, csrf=False).status_code for _ in range(4)]
        db.session.remove()
    assert statuses == [400, 400, 400, 429]
