"""Deep Linking: an instructor adding an activity in the platform picks one of our scenarios
on our page, and the platform receives a link to it, signed with our published key, with a
grade column (line item)."""

from __future__ import annotations

import html

from sqlalchemy import select

from crm_sandbox.extensions import db
from crm_sandbox.models import LtiLaunchValue, LtiRefusal
from crm_sandbox.scenarios.loader import library

from .launching import (
    INSTRUCTOR,
    LEARNER,
    choose_scenario,
    launch,
    read_form,
    register,
)

DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/"
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"


def _deep_link(client, platform, **kwargs):
    kwargs.setdefault("roles", INSTRUCTOR)
    kwargs.setdefault("sub", "teacher-1")
    return launch(client, platform, message_type="LtiDeepLinkingRequest", **kwargs)


def test_the_picker_lists_the_library_with_time_and_criteria(client, platform):
    register(platform)
    done = _deep_link(client, platform)
    assert done.location.startswith("/lti/deep-link/lti1p3-launch-")
    page = client.get(done.location).get_data(as_text=True)
    scenario = library()["closing-the-loop"]
    assert scenario.title in page
    assert f"{scenario.estimated_minutes} minutes" in page
    assert "Choose" in page and 'name="csrf_token"' in page


def test_choosing_a_scenario_returns_a_signed_link_with_a_line_item(client, platform):
    register(platform)
    done = _deep_link(client, platform)
    chosen, delivered = choose_scenario(client, platform, done, "closing-the-loop")
    assert chosen.status_code == 200
    assert "form-action 'self' " + platform.url in chosen.headers["Content-Security-Policy"]
    assert delivered.status_code == 200, platform.deep_link_rejections
    (response,) = platform.deep_link_responses
    keys = client.get("/lti/jwks").get_json()["keys"]
    assert response["header"]["kid"] == keys[0]["kid"]
    claims = response["claims"]
    assert claims["iss"] == platform.client_id and claims["aud"] == [platform.issuer]
    assert claims[CLAIM + "deployment_id"] == platform.deployment_id
    assert claims[DL_CLAIM + "data"] == "platform-opaque-data-42"
    (item,) = claims[DL_CLAIM + "content_items"]
    title = library()["closing-the-loop"].title
    assert item["type"] == "ltiResourceLink"
    assert item["title"] == title
    assert item["url"] == "http://localhost/lti/launch"
    assert item["custom"] == {"scenario": "closing-the-loop"}
    assert item["lineItem"] == {
        "scoreMaximum": 100,
        "label": title,
        "resourceId": "closing-the-loop",
        "tag": "crm-sandbox",
    }


def test_the_linked_activity_then_launches_learners_into_that_scenario(client, platform):
    register(platform)
    done = _deep_link(client, platform)
    choose_scenario(client, platform, done, "closing-the-loop")
    client.post("/logout")
    item = platform.deep_link_responses[0]["claims"][DL_CLAIM + "content_items"][0]
    learner = launch(
        client,
        platform,
        sub="learner-1",
        scenario=None,
        **{CLAIM + "custom": item["custom"]},
    )
    assert learner.location.startswith("/learner/scenarios/")


def test_a_choice_is_sent_once(client, platform):
    register(platform)
    done = _deep_link(client, platform)
    choose_scenario(client, platform, done, "closing-the-loop")
    db.session.rollback()
    launch_id = done.location.rsplit("/", 1)[1]
    assert db.session.get(LtiLaunchValue, launch_id) is None
    again = client.get(done.location)
    assert again.status_code == 404
    assert "expired" in again.get_data(as_text=True)


def test_an_unknown_scenario_is_refused_on_the_picker(client, platform):
    register(platform)
    done = _deep_link(client, platform)
    _action, fields = read_form(client.get(done.location).get_data(as_text=True), "/lti/deep-link")
    response = client.post(
        "/lti/deep-link",
        data={"launch": fields["launch"], "scenario": "no-such-scenario"},
    )
    assert response.status_code == 422
    assert "Choose a scenario from the list" in response.get_data(as_text=True)
    assert platform.deep_link_responses == []


def test_the_picker_needs_its_csrf_token(client, platform):
    register(platform)
    done = _deep_link(client, platform)
    _action, fields = read_form(client.get(done.location).get_data(as_text=True), "/lti/deep-link")
    response = client.post(
        "/lti/deep-link",
        data={"launch": fields["launch"], "scenario": "closing-the-loop"},
        csrf=False,
    )
    assert response.status_code == 400
    assert "JWT" not in response.get_data(as_text=True)


def test_a_learner_cannot_reach_the_picker(client, platform):
    register(platform)
    launch(client, platform, sub="teacher-1", roles=INSTRUCTOR)  # the course exists
    client.post("/logout")
    done = _deep_link(client, platform, sub="learner-1", roles=LEARNER)
    assert done.response.status_code == 403
    page = html.unescape(done.response.get_data(as_text=True))
    assert "Only the course's instructor can choose a scenario" in page
    db.session.rollback()
    assert db.session.scalar(select(LtiRefusal.reason)).startswith("a deep-linking launch by")
    # and signed in as a learner by a resource link, the picker is not theirs
    launch(client, platform, sub="learner-1")
    assert client.get("/lti/deep-link/lti1p3-launch-anything").status_code == 403


def test_another_instructor_cannot_use_someone_elses_picker(app, client, platform):
    register(platform)
    done = _deep_link(client, platform)
    other = app.test_client()
    launch(other, platform, sub="teacher-2", roles=INSTRUCTOR)
    response = other.get(done.location)
    assert response.status_code == 404
    assert "belongs to another launch" in response.get_data(as_text=True)


def test_the_picker_reads_no_launch_data_but_a_launch(client, platform):
    """A nonce or a state in the picker's URL is not a launch: not found, never an error."""
    register(platform)
    done = _deep_link(client, platform)
    db.session.rollback()
    for key in db.session.scalars(select(LtiLaunchValue.key)):
        if not key.startswith("lti1p3-launch-"):
            assert client.get(f"/lti/deep-link/{key}").status_code == 404, key
    assert client.get("/lti/deep-link/" + "x" * 400).status_code == 404
    assert client.get(done.location).status_code == 200
