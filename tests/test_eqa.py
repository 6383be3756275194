"""The external quality assurer (EQA): an admin grants read-only access to chosen groups for a
period (and can end it early); during the period the EQA reads those groups' work, decisions,
judgements and IQA samples and downloads evidence packs, each look staff-audited; outside it,
or for any other group, nothing; and no route lets an EQA change anything."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from crm_sandbox.access import PUBLIC, SIGNED_IN, access_of
from crm_sandbox.criteria import criteria_for_attempt
from crm_sandbox.extensions import db
from crm_sandbox.models import EqaGrant, Role, StaffAuditEntry, User
from crm_sandbox.scenarios import engine
from crm_sandbox.services import assessment, assignments, eqa
from crm_sandbox.services.errors import ServiceError

from .conftest import DEFAULT_PASSWORD


def _signed_in(app, user):
    client = app.test_client()
    assert (
        client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD}).status_code
        == 302
    )
    return client


def _on(monkeypatch, day: str):
    """Freeze the day the EQA service takes as today."""
    moment = datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)
    monkeypatch.setattr(eqa, "utcnow", lambda: moment)


def _decided_work(learner, group, assessor, outcome="met"):
    assignments.assign("first-complaint", [learner], None, group_id=group.id)
    attempt = [a for a in assignments.attempts_of(learner) if a.scenario_id == "first-complaint"][0]
    engine.submit(attempt, learner, True)
    for criterion in criteria_for_attempt(attempt):
        assessment.judge(attempt, assessor, criterion.id, outcome, "Seen in the log.")
    decision = assessment.decide(attempt, assessor, outcome, "Well evidenced.")
    db.session.commit()
    return attempt, decision


@pytest.fixture
def world(app, create_user, create_group):
    class World:
        pass

    w = World()
    w.admin = create_user(Role.ADMIN, name="Ada Admin")
    w.verifier = create_user(Role.EQA, name="Eve Verifier", email="eve@awarding.example.org")
    w.ann = create_user(Role.LEARNER, name="Ann Learner")
    w.bob = create_user(Role.LEARNER, name="Bob Learner")
    w.asa = create_user(Role.ASSESSOR, name="Asa Assessor")
    w.bea = create_user(Role.ASSESSOR, name="Bea Assessor")
    w.sampled = create_group("Sampled group", learners=[w.ann], assessors=[w.asa])
    w.other = create_group("Other group", learners=[w.bob], assessors=[w.bea])
    w.ann_work, w.ann_decision = _decided_work(w.ann, w.sampled, w.asa)
    w.bob_work, _ = _decided_work(w.bob, w.other, w.bea)
    return w


def _grant(world, starts="2026-12-01", ends="2026-12-31"):
    made = eqa.grant(
        world.verifier,
        world.sampled,
        date.fromisoformat(starts),
        date.fromisoformat(ends),
        by=world.admin,
    )
    db.session.commit()
    return made


def _audit(verb):
    return list(db.session.scalars(select(StaffAuditEntry).where(StaffAuditEntry.verb == verb)))


# ---------------------------------------------------------------- granting


def test_an_admin_grants_an_eqa_a_group_for_a_period_on_the_admin_page(app, world, monkeypatch):
    _on(monkeypatch, "2026-12-06")
    admin = _signed_in(app, world.admin)
    assert "Eve Verifier" in admin.get("/admin/eqa").text
    response = admin.post(
        "/admin/eqa",
        data={
            "eqa": str(world.verifier.id),
            "group": str(world.sampled.id),
            "starts_on": "2026-12-06",
            "ends_on": "2026-12-20",
        },
        follow_redirects=True,
    )
    assert (
        "Eve Verifier may read Sampled group from Sun 6 Dec 2026 until Sun 20 Dec 2026."
        in response.text
    )
    made = db.session.scalar(select(EqaGrant))
    assert (made.eqa_id, made.group_id) == (world.verifier.id, world.sampled.id)
    assert (made.starts_on, made.ends_on) == (date(2026, 12, 6), date(2026, 12, 20))
    [entry] = _audit("eqa.granted")
    assert entry.actor_id == world.admin.id and entry.group_id == world.sampled.id


@pytest.mark.parametrize(
    ("starts", "ends", "message"),
    [
        ("2026-12-20", "2026-12-10", "The last day is before the first day."),
        ("2026-11-01", "2026-11-30", "The last day has already passed"),
        ("2026-12-06", "2028-01-01", "Grant at most a year at a time."),
    ],
)
def test_a_grant_with_a_bad_period_is_refused_clearly_and_saves_nothing(
    app, world, monkeypatch, starts, ends, message
):
    _on(monkeypatch, "2026-12-06")
    admin = _signed_in(app, world.admin)
    response = admin.post(
        "/admin/eqa",
        data={
            "eqa": str(world.verifier.id),
            "group": str(world.sampled.id),
            "starts_on": starts,
            "ends_on": ends,
        },
    )
    assert response.status_code == 422
    assert message in response.text
    assert db.session.scalar(select(EqaGrant)) is None
    assert _audit("eqa.granted") == []


def test_only_an_eqa_account_can_be_granted_access(world, monkeypatch):
    _on(monkeypatch, "2026-12-06")
    with pytest.raises(ServiceError, match="only to an active EQA account"):
        eqa.grant(world.asa, world.sampled, date(2026, 12, 6), date(2026, 12, 7), by=world.admin)


# ---------------------------------------------------------------- reading, during the period only


def test_during_the_period_the_eqa_reads_the_granted_groups_work_and_decisions(
    app, world, monkeypatch
):
    _grant(world)
    _on(monkeypatch, "2026-12-06")
    client = _signed_in(app, world.verifier)
    home = client.get("/", follow_redirects=True)
    assert "Sampled group" in home.text and "Ann Learner" in home.text
    assert "Other group" not in home.text and "Bob Learner" not in home.text
    page = client.get(f"/eqa/attempts/{world.ann_work.id}")
    assert page.status_code == 200
    assert "Well evidenced." in page.text and "signed by Asa Assessor" in page.text
    assert "Seen in the log." in page.text  # the assessor's judgements
    assert "<form" not in page.text.split("</nav>", 1)[1].replace('action="/logout"', "")


def test_before_and_after_the_period_the_eqa_sees_nothing_and_is_told_why(app, world, monkeypatch):
    _grant(world, "2026-12-10", "2026-12-12")
    client = _signed_in(app, world.verifier)
    for day, visible in [
        ("2026-12-09", False),
        ("2026-12-10", True),
        ("2026-12-12", True),
        ("2026-12-13", False),
    ]:
        _on(monkeypatch, day)
        home = client.get("/eqa/").text
        work = client.get(f"/eqa/attempts/{world.ann_work.id}")
        pack = client.get(f"/eqa/attempts/{world.ann_work.id}/evidence.zip")
        assert (work.status_code, pack.status_code) == ((200, 200) if visible else (404, 404)), day
        assert ("You have no access to any group today." not in home) == visible, day
        if not visible:
            assert "Ann Learner" not in home
    _on(monkeypatch, "2026-12-13")
    assert "expired" in client.get("/eqa/").text


def test_an_admin_ends_a_grant_early_and_the_eqa_loses_access_at_once(app, world, monkeypatch):
    made = _grant(world)
    _on(monkeypatch, "2026-12-06")
    client = _signed_in(app, world.verifier)
    assert client.get(f"/eqa/attempts/{world.ann_work.id}").status_code == 200
    admin = _signed_in(app, world.admin)
    ended = admin.post(f"/admin/eqa/{made.id}/end", follow_redirects=True)
    assert "The EQA&#39;s access has ended" in ended.text
    assert client.get(f"/eqa/attempts/{world.ann_work.id}").status_code == 404
    assert "ended early" in client.get("/eqa/").text
    again = admin.post(f"/admin/eqa/{made.id}/end", follow_redirects=True)
    assert "This access has already ended." in again.text
    assert len(_audit("eqa.grant_ended")) == 1


def test_another_groups_work_is_not_found_for_the_eqa(app, world, monkeypatch):
    _grant(world)
    _on(monkeypatch, "2026-12-06")
    client = _signed_in(app, world.verifier)
    assert client.get(f"/eqa/attempts/{world.bob_work.id}").status_code == 404
    assert client.get(f"/eqa/attempts/{world.bob_work.id}/evidence.zip").status_code == 404
    assert client.get(f"/eqa/assessors/{world.bea.id}").status_code == 404
    assert _audit("eqa.viewed") == [] and _audit("eqa.downloaded") == []


def test_the_eqas_pack_holds_only_the_granted_groups_work(app, world, monkeypatch, create_group):
    # Ann also has work in a group the EQA was not granted: it stays out of the pack.
    create_group("Ann's second group", learners=[world.ann], assessors=[world.bea])
    second = db.session.scalar(
        select(type(world.sampled)).where(type(world.sampled).name == "Ann's second group")
    )
    assignments.assign("internal-request", [world.ann], None, group_id=second.id)
    hidden = [a for a in assignments.attempts_of(world.ann) if a.scenario_id == "internal-request"][
        0
    ]
    engine.submit(hidden, world.ann, True)
    db.session.commit()
    _grant(world)
    _on(monkeypatch, "2026-12-06")
    client = _signed_in(app, world.verifier)
    response = client.get(f"/eqa/attempts/{world.ann_work.id}/evidence.zip")
    assert response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.data)) as pack:
        manifest = json.loads(pack.read("manifest.json"))
    assert [a["attempt_id"] for a in manifest["attempts"]] == [world.ann_work.id]


# ---------------------------------------------------------------- every access is logged


def test_each_view_and_download_by_the_eqa_is_in_the_staff_audit_log_the_admin_reads(
    app, world, monkeypatch
):
    _grant(world)
    _on(monkeypatch, "2026-12-06")
    client = _signed_in(app, world.verifier)
    client.get(f"/eqa/attempts/{world.ann_work.id}")
    client.get(f"/eqa/attempts/{world.ann_work.id}")
    client.get(f"/eqa/attempts/{world.ann_work.id}/evidence.zip")
    viewed, downloaded = _audit("eqa.viewed"), _audit("eqa.downloaded")
    assert len(viewed) == 2 and len(downloaded) == 1
    for entry in viewed + downloaded:
        assert entry.actor_id == world.verifier.id and entry.actor_role == "eqa"
        assert (entry.object_type, entry.object_id) == ("attempt", world.ann_work.id)
        assert entry.group_id == world.sampled.id and entry.learner_id == world.ann.id
    audit = _signed_in(app, world.admin).get("/admin/audit").text
    assert "EQA viewed work" in audit and "EQA downloaded an evidence pack" in audit
    assert "eve@awarding.example.org" in audit


# ---------------------------------------------------------------- read-only


def test_no_route_an_eqa_may_open_accepts_a_post(app):
    for rule in app.url_map.iter_rules():
        access = access_of(app.view_functions[rule.endpoint])
        if access in (None, PUBLIC, SIGNED_IN):
            continue  # signing out and the account's password: everyone's
        if Role.EQA in access:
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule.rule


def test_every_post_by_an_eqa_outside_their_own_account_is_refused_and_changes_nothing(
    app, world, monkeypatch
):
    _grant(world)
    _on(monkeypatch, "2026-12-06")
    client = _signed_in(app, world.verifier)
    before = db.session.scalar(select(StaffAuditEntry.id).order_by(StaffAuditEntry.id.desc()))
    ids = {
        "attempt_id": world.ann_work.id,
        "decision_id": world.ann_decision.id,
        "assessor_id": world.asa.id,
        "group_id": world.sampled.id,
        "user_id": world.ann.id,
        "grant_id": 1,
    }
    posted = 0
    for rule in app.url_map.iter_rules():
        access = access_of(app.view_functions[rule.endpoint])
        if "POST" not in rule.methods or access in (PUBLIC, SIGNED_IN):
            continue
        if any(arg not in ids for arg in rule.arguments):
            continue  # a learner's sandbox route: the access matrix covers those for every role
        path = rule.rule
        for arg in rule.arguments:
            path = path.replace(f"<int:{arg}>", str(ids[arg]))
        response = client.post(path, data={"agrees": "agree", "comment": "EQA was here"})
        assert response.status_code == 403, path
        posted += 1
    assert posted > 15
    db.session.rollback()
    after = db.session.scalar(select(StaffAuditEntry.id).order_by(StaffAuditEntry.id.desc()))
    assert after == before
    with pytest.raises(ServiceError):
        assessment.review(world.ann_decision, world.verifier, True, "")


# ---------------------------------------------------------------- the command line


def test_the_command_line_grants_lists_and_ends_an_eqas_access(runner, world, monkeypatch):
    _on(monkeypatch, "2026-12-06")
    granted = runner.invoke(
        args=[
            "eqa",
            "grant",
            "--eqa",
            "eve@awarding.example.org",
            "--group",
            "Sampled group",
            "--from",
            "2026-12-06",
            "--until",
            "2026-12-08",
        ]
    )
    assert granted.exit_code == 0, granted.output
    assert "Eve Verifier may read Sampled group from 2026-12-06 until 2026-12-08." in granted.output
    grant_id = db.session.scalar(select(EqaGrant.id))
    listed = runner.invoke(args=["eqa", "list"])
    assert (
        f"{grant_id}\teve@awarding.example.org\tSampled group\t2026-12-06..2026-12-08\tactive"
        in (listed.output)
    )
    ended = runner.invoke(args=["eqa", "end", str(grant_id)])
    assert ended.exit_code == 0 and "no longer sees the group" in ended.output
    again = runner.invoke(args=["eqa", "end", str(grant_id)])
    assert again.exit_code == 1 and "This access has already ended." in again.output
    refused = runner.invoke(
        args=["eqa", "grant", "--eqa", world.asa.email, "--group", "Sampled group"]
        + ["--from", "2026-12-06", "--until", "2026-12-08"]
    )
    assert refused.exit_code == 1 and "No EQA account with the email" in refused.output
    backwards = runner.invoke(
        args=["eqa", "grant", "--eqa", "eve@awarding.example.org", "--group", "Sampled group"]
        + ["--from", "2026-12-08", "--until", "2026-12-06"]
    )
    assert backwards.exit_code == 1 and "The last day is before the first day." in backwards.output
    assert len(_audit("eqa.granted")) == 1 and len(_audit("eqa.grant_ended")) == 1


def test_an_imported_eqa_is_created_without_a_group_and_an_eqa_row_naming_one_is_refused(
    runner, tmp_path
):
    path = tmp_path / "people.csv"
    path.write_text(
        "name,email,role,group\nEd Verifier,ed@awarding.example.org,eqa,Sampled group\n"
    )
    refused = runner.invoke(args=["users", "import", str(path)])
    assert refused.exit_code == 1
    assert "an EQA does not belong to a group: an admin grants one" in refused.output
    path.write_text("name,email,role,group\nEd Verifier,ed@awarding.example.org,eqa,\n")
    imported = runner.invoke(args=["users", "import", str(path)])
    assert imported.exit_code == 0, imported.output
    made = db.session.scalar(select(User).where(User.email == "ed@awarding.example.org"))
    assert made.role_enum == Role.EQA
