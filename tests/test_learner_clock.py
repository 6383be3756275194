"""The learner's own clock: a scenario's sandbox clock starts when the learner first opens it,
runs only while they work (each gap between their requests counts at most the idle limit),
pauses when they sign out, stops when they submit and resumes when the work is returned.
"Started" everywhere is that first opening."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime, timedelta

import pytest

from crm_sandbox.criteria import criteria_for_attempt
from crm_sandbox.extensions import db
from crm_sandbox.models import Attempt, Complaint, Group, Role, Sandbox
from crm_sandbox.models.base import utcnow
from crm_sandbox.scenarios import engine
from crm_sandbox.services import assessment, assignments, clock, complaints, evidence
from crm_sandbox.services.context import SandboxContext
from crm_sandbox.services.provisioning import batch, copying, templates
from crm_sandbox.services.tutoring import progress

SCENARIO = "first-complaint"  # starts Mon 9 March 2026 09:00; acknowledge within 1 working day
START = datetime(2026, 3, 9, 9, 0)


class RealTime:
    """Real time as the sandbox clock sees it, moved on by the test."""

    def __init__(self):
        self.now = utcnow().replace(microsecond=0)

    def advance(self, **amount) -> None:
        self.now += timedelta(**amount)


@pytest.fixture
def real_time(monkeypatch):
    moving = RealTime()
    monkeypatch.setattr(clock, "utcnow", lambda: moving.now)
    for module in (templates, copying, batch):
        monkeypatch.setattr(module, "utcnow", lambda: moving.now)
    return moving


@pytest.fixture
def work(app, create_user, create_group, real_time):
    """A learner in a tutor's group with the scenario set for the group (not opened yet)."""
    learner = create_user(Role.LEARNER)
    tutor = create_user(Role.TUTOR)
    group = create_group("Group A", tutor=tutor, learners=[learner])
    assignments.assign(SCENARIO, [learner], tutor, group_id=group.id)
    db.session.commit()
    return assignments.attempts_of(learner)[0]


def fresh(attempt: Attempt) -> Attempt:
    db.session.expire_all()
    return db.session.get(Attempt, attempt.id)


def sandbox_time(attempt: Attempt) -> datetime:
    db.session.expire_all()
    return clock.sandbox_now(db.session.get(Sandbox, attempt.sandbox_id))


def at(minutes: int) -> datetime:
    return START + timedelta(minutes=minutes)


def test_a_learner_who_opens_a_scenario_a_day_after_it_was_set_starts_at_its_start_time(
    client, auth, work, real_time
):
    real_time.advance(hours=26)  # the next day's lesson
    assert sandbox_time(work) == START  # nothing ran while nobody worked
    assert fresh(work).started_at is None

    auth.login(work.learner.email)
    assert client.get(f"/learner/scenarios/{work.id}").status_code == 200
    attempt = fresh(work)
    assert attempt.started_at == real_time.now
    assert attempt.assigned_at < attempt.started_at
    opened = engine.action_log.entries(attempt.sandbox_id, newest_first=True, limit=1)[0]
    assert (opened.verb, opened.sandbox_time) == ("scenario.opened", START)
    assert engine.happened_events(attempt) == []  # nothing scripted has happened yet

    real_time.advance(minutes=5)
    complaint = db.session.get(Complaint, attempt.keys["complaints"]["late_sofa"])
    complaints.acknowledge(
        SandboxContext(attempt.sandbox, attempt.learner),
        complaint,
        "email",
        "Thank you for telling us. I am handling your complaint and will call you by Friday.",
        promise_by=datetime(2026, 3, 13, 17, 0),  # the acknowledgement's "next contact by"
    )
    db.session.commit()
    ack = next(c for t in engine.evaluate(attempt).tasks for c in t.checks if c.id == "ack-in-time")
    assert ack.passed, ack.message


def test_opening_the_scenario_crm_first_also_starts_the_clock(client, auth, work, real_time):
    real_time.advance(days=3)
    auth.login(work.learner.email)
    assert client.get(f"/s/{work.sandbox_id}/").status_code == 200
    assert fresh(work).started_at == real_time.now
    assert sandbox_time(work) == START


def test_each_gap_between_requests_counts_at_most_the_idle_limit(
    app, client, auth, work, real_time
):
    assert app.config["IDLE_MINUTES"] == 10
    auth.login(work.learner.email)
    client.get(f"/s/{work.sandbox_id}/")
    real_time.advance(minutes=5)
    client.get(f"/s/{work.sandbox_id}/contacts")
    assert sandbox_time(work) == at(5)
    real_time.advance(hours=2)  # away from the desk: only the idle limit counts
    assert sandbox_time(work) == at(15)
    client.get(f"/s/{work.sandbox_id}/")
    real_time.advance(minutes=3)
    client.get(f"/learner/scenarios/{work.id}")
    assert sandbox_time(work) == at(18)


def test_the_idle_limit_is_a_setting(app, client, auth, work, real_time):
    app.config["IDLE_MINUTES"] = 2
    auth.login(work.learner.email)
    client.get(f"/s/{work.sandbox_id}/")
    real_time.advance(minutes=30)
    client.get(f"/s/{work.sandbox_id}/")
    assert sandbox_time(work) == at(2)


def test_a_request_within_a_minute_of_the_last_record_writes_nothing(client, auth, work, real_time):
    auth.login(work.learner.email)
    client.get(f"/s/{work.sandbox_id}/")
    recorded = db.session.get(Sandbox, work.sandbox_id).clock_anchor
    real_time.advance(seconds=40)
    client.get(f"/s/{work.sandbox_id}/contacts")
    client.get(f"/learner/scenarios/{work.id}")
    db.session.expire_all()
    assert db.session.get(Sandbox, work.sandbox_id).clock_anchor == recorded
    assert sandbox_time(work) == at(0) + timedelta(seconds=40)  # yet the clock reads on


def test_signing_out_pauses_the_clock_until_the_learner_works_again(client, auth, work, real_time):
    auth.login(work.learner.email)
    client.get(f"/s/{work.sandbox_id}/")
    real_time.advance(minutes=4)
    auth.logout()
    assert sandbox_time(work) == at(4)
    real_time.advance(minutes=8)  # inside the idle limit, but signed out
    assert sandbox_time(work) == at(4)
    real_time.advance(days=2)
    auth.login(work.learner.email)
    assert sandbox_time(work) == at(4)  # signing in is not working in the scenario
    client.get(f"/s/{work.sandbox_id}/")
    real_time.advance(minutes=2)
    assert sandbox_time(work) == at(6)


def test_submitting_stops_the_clock_and_returned_work_resumes_it(
    client, auth, work, real_time, create_user
):
    auth.login(work.learner.email)
    client.get(f"/learner/scenarios/{work.id}")
    real_time.advance(minutes=7)
    client.post(f"/learner/scenarios/{work.id}/submit", data={"declaration": "y"})
    assert fresh(work).status == "submitted"
    real_time.advance(minutes=5)
    client.get(f"/s/{work.sandbox_id}/")  # reading submitted work does not run the clock
    assert sandbox_time(work) == at(7)

    assessor = create_user(Role.ASSESSOR)
    attempt = fresh(work)
    for criterion in criteria_for_attempt(attempt):
        assessment.judge(attempt, assessor, criterion.id, "not_yet_met", "Not shown yet.")
    assessment.decide(attempt, assessor, "not_yet_met", "Acknowledge the complaint.")
    db.session.commit()
    real_time.advance(days=1)
    assert sandbox_time(work) == at(7)  # returned, but not reopened yet
    client.get(f"/learner/scenarios/{work.id}")
    real_time.advance(minutes=3)
    assert sandbox_time(work) == at(10)


RULE = (
    "The scenario clock runs only while you work: it pauses when you sign out or after "
    "10 minutes without activity, and stops when you submit."
)


def test_the_scenario_page_and_its_crm_say_what_the_clock_does_and_show_its_time(
    client, auth, work, real_time, provision
):
    auth.login(work.learner.email)
    page = client.get(f"/learner/scenarios/{work.id}").data.decode()
    assert RULE in page and "Mon 9 Mar 2026, 09:00" in page
    dashboard = client.get(f"/s/{work.sandbox_id}/").data.decode()
    assert RULE in dashboard and "The clock runs with real time" not in dashboard
    practice = provision(work.learner)
    assert "The clock runs with real time" in client.get(f"/s/{practice.id}/").data.decode()


def test_the_learners_home_and_the_tutors_grid_agree_on_not_started_and_in_progress(
    client, auth, work, real_time
):
    group_id = work.assignment.group_id

    def grid_status():
        db.session.expire_all()
        group = db.session.get(Group, group_id)
        return progress.progress_grid(group).rows[0].cells[0]

    auth.login(work.learner.email)
    home = client.get("/learner/").data.decode()
    cell = grid_status()
    assert 'data-status="not_started"' in home and ">Not started<" in home
    assert (cell.status, cell.label) == ("not_started", "Not started")

    client.get(f"/learner/scenarios/{work.id}")
    home = client.get("/learner/").data.decode()
    cell = grid_status()
    assert 'data-status="in_progress"' in home and ">In progress<" in home
    assert (cell.status, cell.label) == ("in_progress", "In progress")


def test_the_evidence_pack_says_started_at_the_first_opening_not_the_assignment(
    app, client, auth, work, real_time
):
    def pack_attempt():
        db.session.expire_all()
        with zipfile.ZipFile(io.BytesIO(evidence.build_pack(work.learner))) as pack:
            manifest = json.loads(pack.read("manifest.json"))
            log = json.loads(pack.read("action_log.json"))
        assert manifest["attempts"][0]["started_at"] == log["sandboxes"][0]["started_at"]
        return manifest["attempts"][0]

    assert pack_attempt()["started_at"] is None
    real_time.advance(hours=30)
    auth.login(work.learner.email)
    client.get(f"/learner/scenarios/{work.id}")
    listed = pack_attempt()
    assert listed["started_at"] == fresh(work).started_at.isoformat()
    assert listed["started_at"] != listed["assigned_at"]


def test_the_practice_crm_keeps_a_clock_that_runs_with_real_time(
    client, auth, provision, real_time
):
    sandbox = provision()
    begins = clock.sandbox_now(sandbox)
    real_time.advance(hours=3)  # nobody worked in it: practice time runs on regardless
    db.session.expire_all()
    assert clock.sandbox_now(db.session.get(Sandbox, sandbox.id)) == begins + timedelta(hours=3)


def test_a_restart_puts_the_clock_back_at_the_start_until_the_learner_works_again(
    client, auth, work, real_time
):
    auth.login(work.learner.email)
    client.get(f"/learner/scenarios/{work.id}")
    real_time.advance(minutes=6)
    client.post(f"/learner/scenarios/{work.id}/restart", data={"confirm": "y"})
    real_time.advance(minutes=4)  # not working in it yet
    assert sandbox_time(work) == START
    client.get(f"/s/{work.sandbox_id}/")
    real_time.advance(minutes=1)
    assert sandbox_time(work) == at(1)
    assert fresh(work).started_at == real_time.now - timedelta(minutes=11)  # still the first
