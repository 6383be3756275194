"""Bad input never reaches a 500: every CRM and learner route, GET with junk query strings and
POST with junk, missing and over-long fields."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from crm_sandbox.extensions import db
from crm_sandbox.models import (
    Complaint,
    Contact,
    Finding,
    ImprovementAction,
    Interaction,
    Need,
    Question,
    Role,
    ServiceStandard,
    Survey,
)
from crm_sandbox.scenarios import engine
from crm_sandbox.scenarios.loader import library_source
from tests.urls import fill_rule

JUNK = [
    "",
    "x" * 5000,
    "<script>alert(1)</script>",
    "-1",
    "0",
    "99999999999",
    "nan",
    "2026-02-30",
    "'; DROP TABLE contacts; --",
    "\u202e\u0000",
    "[]",
    "{}",
    "🙂",
]
FIELDS = [
    "category",
    "description",
    "method",
    "channel",
    "direction",
    "initiative",
    "summary",
    "outcome",
    "follow_up_on",
    "first_name",
    "last_name",
    "email",
    "phone",
    "segment",
    "lifecycle_stage",
    "account_type",
    "notes",
    "duplicate_id",
    "confirm",
    "title",
    "measure",
    "threshold",
    "threshold_unit",
    "target_percent",
    "period",
    "agreed_with",
    "contact_id",
    "taken_on",
    "value",
    "text",
    "period_from",
    "period_to",
    "kind",
    "options",
    "days_open",
    "question_id",
    "theme",
    "figure",
    "owner",
    "due_on",
    "standard_id",
    "process_changed",
    "success_measure",
    "baseline",
    "result",
    "evaluation",
    "ack-channel",
    "ack-message",
    "ack-promise_on",
    "ack-promise_time",
    "upd-promise_on",
    "upd-promise_time",
    "note-note",
    "res-resolution",
    "res-channel",
    "res-outcome_message",
    "close-satisfaction_reply",
    "purpose",
    "topic",
    "needs",
    "preferences",
    "remedy_type",
    "remedy_amount",
    "remedy_by",
    "promise_on",
    "promise_time",
    "in_reply_to",
    "complaint",
    "reply",
    "need_type",
    "pref_type",
    "prop-remedy_type",
    "prop-remedy_amount",
    "prop-remedy_by",
    "prop-message",
    "sat-message",
    "res-remedy_type",
    "res-remedy_amount",
    "res-remedy_by",
    "close-root_cause",
    "close-lessons_learned",
    "close-judgement_note",
    "esc-reason",
    "upd-channel",
    "upd-message",
    "severity",
    "task",
    "index",
    "declaration",
    "q_1",
    "response_ids",
    "consent_email",
    "back",
]


@pytest.fixture
def learner_world(client, auth, app, create_user):
    learner = create_user(Role.LEARNER)
    scenario, source = library_source("first-complaint")
    attempt = engine.start_attempt(learner, scenario, source)
    db.session.commit()
    auth.login(learner.email)
    sid = attempt.sandbox_id
    ids = {}
    for name, model in (
        ("contact_id", Contact),
        ("need_id", Need),
        ("interaction_id", Interaction),
        ("complaint_id", Complaint),
        ("standard_id", ServiceStandard),
        ("survey_id", Survey),
        ("question_id", Question),
        ("finding_id", Finding),
        ("action_id", ImprovementAction),
    ):
        found = db.session.scalar(select(model.id).where(model.sandbox_id == sid).limit(1))
        ids[name] = found or 1
    ids["attempt_id"] = attempt.id
    ids["sandbox_id"] = sid
    return app, ids


def concrete_paths(app, ids):
    for rule in app.url_map.iter_rules():
        if not (rule.endpoint.startswith("crm.") or rule.endpoint.startswith("learner.")):
            continue
        path = rule.rule
        for arg in rule.arguments:
            value = ids.get(arg)
            if arg == "action" and "any(" in str(rule._converters.get(arg, "")):
                value = "investigate"
            if value is None:
                value = "investigate" if arg == "action" else 1
            path = re.sub(rf"<(?:[^:>]+:)?{arg}(?:\([^)]*\))?>", str(value), path)
        yield rule, path


def test_no_route_answers_500_to_junk(client, learner_world):
    app, ids = learner_world
    tried = 0
    last = ("learner.submit", "learner.restart", "crm.reset")
    routes = sorted(concrete_paths(app, ids), key=lambda pair: pair[0].endpoint in last)
    for rule, path in routes:
        if "GET" in rule.methods:
            for junk in JUNK[:6]:
                response = client.get(
                    path,
                    query_string={
                        "q": junk,
                        "category": junk,
                        "after": junk,
                        "from": junk,
                        "to": junk,
                        "stage": junk,
                    },
                )
                assert response.status_code < 500, (path, junk)
                tried += 1
        if "POST" in rule.methods:
            for junk in JUNK:
                response = client.post(path, data={f: junk for f in FIELDS})
                assert response.status_code < 500, (path, junk, response.status_code)
                tried += 1
            assert client.post(path, data={}).status_code < 500, path
    assert tried > 300


def test_no_staff_route_answers_500_to_junk(client, auth, app, create_user, create_group):
    from crm_sandbox.models import AuthoredScenario, Decision
    from crm_sandbox.services import assignments

    admin = create_user(Role.ADMIN)
    learner = create_user(Role.LEARNER)
    group = create_group("Junk group", learners=[learner])
    assignments.assign("first-complaint", [learner], set_by=group.tutor, group_id=group.id)
    attempt = assignments.attempts_of(learner)[0]
    engine.submit(attempt, learner, True)
    db.session.commit()
    auth.login(admin.email)
    ids = {
        "group_id": group.id,
        "attempt_id": attempt.id,
        "user_id": learner.id,
        "authored_id": db.session.scalar(select(AuthoredScenario.id)) or 1,
        "decision_id": db.session.scalar(select(Decision.id)) or 1,
    }
    tried = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in ("tutor", "assessor", "admin"):
            continue
        path = fill_rule(rule, ids, default=1)
        if "GET" in rule.methods:
            for junk in JUNK[:6]:
                response = client.get(
                    path,
                    query_string={
                        "sort": junk,
                        "group": junk,
                        "scenario": junk,
                        "older_than": junk,
                    },
                )
                assert response.status_code < 500, (path, junk)
                tried += 1
        if "POST" in rule.methods and "active" not in rule.rule:
            for junk in JUNK:
                response = client.post(
                    path,
                    data={
                        f: junk
                        for f in FIELDS
                        + [
                            "name",
                            "outcome",
                            "feedback",
                            "agrees",
                            "reason",
                            "due_at",
                            "source",
                            "learners",
                            "scope",
                            "file",
                            "criterion_id",
                            "decision",
                            "comment",
                        ]
                    },
                )
                assert response.status_code < 500, (path, junk, response.status_code)
                tried += 1
    assert tried > 100


def test_a_nul_character_is_refused_with_a_clear_message(client, auth, create_user):
    auth.login(create_user(Role.TUTOR).email)
    response = client.post("/tutor/groups/new", data={"name": "Bad\x00name", "body_id": "vtct"})
    assert response.status_code == 400 and b"cannot be stored" in response.data
    assert client.get("/tutor/", query_string={"q": "a\x00"}).status_code == 400
