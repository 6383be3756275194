"""The long tasks a page starts (provisioning a group, every learner's evidence pack), their
progress pages and results, and who may start, follow and download them."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from sqlalchemy import func, select

from crm_sandbox.extensions import db
from crm_sandbox.models import BackgroundJob, JobStatus, Role, Sandbox, SandboxKind


@pytest.fixture
def cohort(create_user, create_group):
    tutor = create_user(Role.TUTOR, name="Tess Tutor")
    assessor = create_user(Role.ASSESSOR)
    learners = [create_user(Role.LEARNER, name=f"Learner {n}") for n in (1, 2)]
    group = create_group("Monday BA", tutor=tutor, learners=learners, assessors=[assessor])
    return tutor, assessor, learners, group


def download(client, url):
    """GET a file and close the response (send_file keeps it open until then)."""
    response = client.get(url)
    response.get_data()  # read it all, then let go of the file
    response.close()
    return response


def practice_count(learners) -> int:
    db.session.rollback()
    return db.session.scalar(
        select(func.count()).where(
            Sandbox.owner_id.in_([u.id for u in learners]),
            Sandbox.kind == SandboxKind.PRACTICE.value,
        )
    )


def test_a_tutor_provisions_the_group_as_a_task_and_its_page_shows_the_result(client, auth, cohort):
    tutor, _, learners, group = cohort
    auth.login(tutor.email)
    assert "Provision the group" in client.get(f"/tutor/groups/{group.id}").data.decode()
    response = client.post(f"/tutor/groups/{group.id}/provision")
    assert response.status_code == 302 and re.fullmatch(r"/tasks/\d+", response.location)
    page = client.get(response.location).data.decode()
    assert "Practice sandboxes for Monday BA" in page
    assert "Done." in page and "2 practice sandboxes made; 0 learners already had one." in page
    assert practice_count(learners) == 2
    # again: nobody is given a second sandbox
    page = client.post(f"/tutor/groups/{group.id}/provision", follow_redirects=True)
    assert "0 practice sandboxes made; 2 learners already had one." in page.data.decode()
    assert practice_count(learners) == 2


def test_an_unfinished_task_page_refreshes_itself_and_shows_its_progress(client, auth, cohort):
    tutor, _, _, group = cohort
    job = BackgroundJob(
        kind="provision-group",
        key=f"provision-group:{group.id}",
        status=JobStatus.RUNNING.value,
        done=1,
        total=2,
        summary="Practice sandboxes for Monday BA",
        started_by_id=tutor.id,
        group_id=group.id,
    )
    db.session.add(job)
    db.session.commit()
    auth.login(tutor.email)
    page = client.get(f"/tasks/{job.id}").data.decode()
    assert '<meta http-equiv="refresh" content="2">' in page
    assert "Done: 1 of 2 (50%)" in page and 'value="1"' in page
    # asking again while it runs finds the same task
    response = client.post(f"/tutor/groups/{group.id}/provision")
    assert response.location == f"/tasks/{job.id}"


def test_a_tutor_builds_every_learners_pack_and_downloads_one_zip(client, auth, cohort):
    tutor, _, learners, group = cohort
    auth.login(tutor.email)
    response = client.post(f"/tutor/groups/{group.id}/evidence-packs")
    page = client.get(response.location).data.decode()
    assert "Evidence packs for Monday BA" in page and "2 evidence packs in one ZIP file." in page
    got = download(client, f"{response.location}/download")
    assert got.status_code == 200 and got.mimetype == "application/zip"
    assert "evidence-packs-Monday_BA-" in got.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(got.data)) as outer:
        names = sorted(outer.namelist())
        assert len(names) == 2 and all(n.startswith("evidence-learner") for n in names)
        with zipfile.ZipFile(io.BytesIO(outer.read(names[0]))) as pack:
            assert "manifest.json" in pack.namelist()


def test_an_assessor_of_the_group_builds_their_own_packs(client, auth, cohort, create_user):
    _, assessor, _, group = cohort
    auth.login(assessor.email)
    assert "Build every learner" in client.get("/assessor/").data.decode()
    response = client.post(f"/assessor/groups/{group.id}/evidence-packs")
    assert "2 evidence packs" in client.get(response.location).data.decode()
    assert download(client, f"{response.location}/download").status_code == 200
    auth.logout()
    auth.login(create_user(Role.ASSESSOR).email)  # assesses no group
    assert client.post(f"/assessor/groups/{group.id}/evidence-packs").status_code == 404


def test_only_people_who_may_see_the_group_start_follow_or_download_its_tasks(
    client, auth, cohort, create_user
):
    tutor, _, learners, group = cohort
    auth.login(tutor.email)
    packs = client.post(f"/tutor/groups/{group.id}/evidence-packs").location
    auth.logout()

    auth.login(create_user(Role.TUTOR).email)  # another tutor's group
    assert client.post(f"/tutor/groups/{group.id}/provision").status_code == 404
    assert client.post(f"/tutor/groups/{group.id}/evidence-packs").status_code == 404
    assert client.get(packs).status_code == 404
    assert client.get(f"{packs}/download").status_code == 404
    auth.logout()

    auth.login(learners[0].email)
    assert client.get(packs).status_code == 403
    assert client.post(f"/tutor/groups/{group.id}/provision").status_code == 403
    auth.logout()

    auth.login(create_user(Role.ADMIN).email)  # follows any task, downloads only their own
    assert client.get(packs).status_code == 200
    assert client.get(f"{packs}/download").status_code == 404
    assert practice_count(learners) == 0


def test_starting_a_task_without_a_csrf_token_starts_nothing(client, auth, cohort):
    tutor, _, _, group = cohort
    auth.login(tutor.email)
    response = client.post(f"/tutor/groups/{group.id}/provision", csrf=False)
    assert response.status_code == 400
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(BackgroundJob)) == 0


def test_the_command_line_queues_a_groups_provisioning_for_the_worker(runner, cohort):
    _, _, learners, group = cohort
    result = runner.invoke(
        args=["sandbox", "provision", "--group", group.name, "--size", "small", "--in-background"]
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"Queued as task #\d+", result.output)
    assert practice_count(learners) == 2  # the queue runs at once in tests
    task = db.session.scalar(select(BackgroundJob))
    assert task.status == "done" and task.started_by_id is None
    assert task.params["size"] == "small"
