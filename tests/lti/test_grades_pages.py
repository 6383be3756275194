"""The tutor's page of scores waiting to be sent to the platform: their own groups' only, with
each score's learner, scenario, tries, the platform's last answer and the next try."""

from __future__ import annotations

from crm_sandbox.extensions import db
from crm_sandbox.models import Role
from crm_sandbox.scenarios import engine
from crm_sandbox.services import outbox

from .linked import linked


def checked(work):
    engine.check_my_work(work.attempt, work.learner)
    db.session.commit()


def test_a_tutor_sees_their_own_groups_waiting_scores_and_no_one_elses(
    client, auth, app, platform, create_user
):
    ours = linked(platform, subject="moodle-user-7", context_id="Course-101")
    theirs = linked(platform, subject="moodle-user-8", context_id="Course-202")
    checked(ours)
    checked(theirs)
    platform.down = True
    assert outbox.deliver_due().retrying == 2

    auth.login(ours.group.tutor.email)
    group_page = client.get(f"/tutor/groups/{ours.group.id}").text
    assert "Scores waiting to be sent" in group_page and f"Course on {platform.name}" in group_page
    page = client.get(f"/tutor/groups/{ours.group.id}/lti/scores")
    assert page.status_code == 200
    text = page.text
    assert f"Scores waiting to be sent to {platform.name}" in text
    assert "1 score not yet in the course" in text
    assert "Lola Learner" in text and "moodle-user-8" not in text
    assert "waiting" in text and "answered 503" in text
    assert client.get(f"/tutor/groups/{theirs.group.id}/lti/scores").status_code == 404
    auth.logout()

    admin = create_user(Role.ADMIN)
    auth.login(admin.email)
    assert "answered 503" in client.get(f"/tutor/groups/{theirs.group.id}/lti/scores").text


def test_a_refused_score_stays_listed_until_a_newer_one_arrives(client, auth, app, platform):
    work = linked(platform)
    platform.refuse_scores = "The grade item is locked."
    checked(work)
    assert outbox.deliver_due().failed == 1
    auth.login(work.group.tutor.email)
    page = client.get(f"/tutor/groups/{work.group.id}/lti/scores").text
    assert f"refused by {platform.name}" in page and "The grade item is locked." in page
    assert "when an admin sends it again" in page

    platform.refuse_scores = ""
    checked(work)
    assert outbox.deliver_due().sent == 1
    page = client.get(f"/tutor/groups/{work.group.id}/lti/scores").text
    assert "nothing is waiting" in page and "locked" not in page
