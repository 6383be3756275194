"""Two app instances behind nginx (round-robin, no sticky sessions) on one PostgreSQL database and
one Redis, with one worker: what a college with a second server relies on, proved through nginx
as a browser would meet it. Each response says which instance served it (`served_by`)."""

from __future__ import annotations

import signal
import threading
import time

from tests.multi.conftest import PASSWORD, hidden_fields

FIRST_COMPLAINT_TITLE = 'title: "A first complaint: stage 1, in time"'


def _other(instance: str) -> str:
    return "b" if instance == "a" else "a"


def _signed_in_home(page) -> bool:
    return page.status_code == 200 and "Sign out" in page.text


def test_sign_in_on_one_instance_and_the_next_request_on_the_other(browser, world):
    _, email = world.person("learner", "Lee Learner")
    learner = browser()
    signed_in = learner.sign_in(email)
    assert signed_in.status_code == 302, "the right password signs in"
    home = learner.get("/learner/")
    assert home.served_by == _other(signed_in.served_by)
    assert _signed_in_home(home), "the other instance knows the session"
    again = learner.get("/learner/")
    assert again.served_by == signed_in.served_by
    assert _signed_in_home(again)


def test_sign_in_rate_limits_are_counted_across_both_instances(browser, world, multi):
    _, email = world.person("learner", "Guess Target")
    guesser = browser()
    fields = guesser.form("/login")
    # The account's limit is CRM_SANDBOX_LOGIN_RATE_LIMIT_ACCOUNT, 5 wrong passwords a minute.
    guesses = [
        guesser.post("/login", {**fields, "email": email, "password": "not the password"})
        for _ in range(5)
    ]
    assert all(g.status_code == 200 and "Sign out" not in g.text for g in guesses)
    assert {g.served_by for g in guesses} == {"a", "b"}, "the guesses went to both instances"
    sixth = guesser.post("/login", {**fields, "email": email, "password": PASSWORD})
    assert sixth.status_code == 429, "the sixth try is refused though each instance saw fewer"
    assert "Wait a while" in sixth.text or "too many" in sixth.text.lower()


def test_a_scenario_a_tutor_publishes_on_one_instance_is_assigned_from_the_other(
    browser, world, class_of
):
    from sqlalchemy import select

    from crm_sandbox.models import Attempt, AuthoredScenario
    from crm_sandbox.scenarios.loader import library_source

    group = class_of(1)
    scenario_id = world.unique("published-on-one-")
    text = (
        library_source("first-complaint")[1]
        .replace("id: first-complaint", f"id: {scenario_id}", 1)
        .replace(FIRST_COMPLAINT_TITLE, f'title: "Published on one {scenario_id}"', 1)
    )
    tutor = browser()
    assert tutor.sign_in(group["tutor_email"]).status_code == 302
    fields = tutor.form("/tutor/scenarios/new")
    saved = tutor.post("/tutor/scenarios/new", {**fields, "text": text})
    assert saved.status_code == 302, saved.text[:2000]
    authored_id = world.read(
        lambda s: s.scalar(
            select(AuthoredScenario.id).where(AuthoredScenario.scenario_id == scenario_id)
        )
    )
    edit_page = f"/tutor/scenarios/{authored_id}"
    fields = tutor.form(edit_page, f"{edit_page}/publish")
    published = tutor.post(f"{edit_page}/publish", fields)
    assert published.status_code == 302

    assign_page = f"/tutor/groups/{group['group_id']}/assign"
    tutor.next_lands_on(_other(published.served_by))
    form = tutor.get(assign_page)
    assert form.served_by == _other(published.served_by)
    assert scenario_id in form.text, "the other instance offers the scenario at once"
    tutor.next_lands_on(_other(published.served_by))
    fields = hidden_fields(form.text, assign_page, assign_page)
    assigned = tutor.post(assign_page, {**fields, "scenario": scenario_id, "who": "all", "due": ""})
    assert assigned.served_by == _other(published.served_by)
    assert assigned.status_code == 302, assigned.text[:2000]
    learner_id = world.read(
        lambda s: s.scalars(
            select(Attempt.learner_id).where(Attempt.scenario_id == scenario_id)
        ).all()
    )
    assert len(learner_id) == 1, "the group's learner has the published scenario"


def test_a_learner_reset_on_one_instance_is_seen_on_the_other_at_once(browser, world, class_of):
    group = class_of(1)
    work = group["learners"][0]
    sandbox = f"/s/{work['sandbox_id']}"
    learner = browser()
    assert learner.sign_in(work["email"]).status_code == 302
    fields = learner.form(f"{sandbox}/contacts/new", f"{sandbox}/contacts/new")
    assert "csrf_token" in fields
    made = learner.post(
        f"{sandbox}/contacts/new",
        {
            **fields,
            "first_name": "Zed",
            "last_name": "Beforereset",
            "category": "external",
            "account_type": "individual",
            "segment": "",
            "lifecycle_stage": "acquisition",
        },
    )
    assert made.status_code == 302, made.text[:3000]
    assert "Beforereset" in learner.get(f"{sandbox}/contacts").text

    tutor = browser()
    assert tutor.sign_in(group["tutor_email"]).status_code == 302
    reset_page = f"/tutor/attempts/{work['attempt_id']}/reset"
    fields = tutor.form(reset_page, reset_page)
    reset = tutor.post(
        reset_page, {**fields, "reason": "Starting again after a mix-up", "confirm": "y"}
    )
    assert reset.status_code == 302

    learner.next_lands_on(_other(reset.served_by))
    after = learner.get(f"{sandbox}/contacts")
    assert after.served_by == _other(reset.served_by)
    assert after.status_code == 200
    assert "Beforereset" not in after.text, "the other instance shows the reset sandbox at once"


def test_a_csrf_token_from_one_instance_is_accepted_by_the_other(browser, world, class_of):
    work = class_of(1)["learners"][0]
    sandbox = f"/s/{work['sandbox_id']}"
    contact_id = world.contact_ids(work["sandbox_id"])[0]
    page = f"{sandbox}/contacts/{contact_id}"
    needs = f"{page}/needs"
    learner = browser()
    assert learner.sign_in(work["email"]).status_code == 302
    form_page = learner.get(page)
    fields = hidden_fields(form_page.text, needs)
    learner.next_lands_on(_other(form_page.served_by))
    forged = learner.post(
        needs, {**fields, "csrf_token": "not-a-token", "need_type": "timescale", "description": "x"}
    )
    assert forged.status_code == 400, "a made-up token is refused (CSRF is checked)"
    learner.next_lands_on(_other(form_page.served_by))
    saved = learner.post(
        needs, {**fields, "need_type": "timescale", "description": "Needs delivery before Friday"}
    )
    assert saved.served_by == _other(form_page.served_by)
    assert saved.status_code == 302, "the other instance accepts the first one's token"
    assert world.need_descriptions(work["sandbox_id"]).count("Needs delivery before Friday") == 1


def test_killing_an_instance_mid_class_loses_no_saved_work(browser, world, class_of, multi):
    group = class_of(4)
    saves_each = 12
    results = {}
    served = []

    def learner_at_work(work):
        sandbox = f"/s/{work['sandbox_id']}"
        contact_id = world.contact_ids(work["sandbox_id"])[0]
        page = f"{sandbox}/contacts/{contact_id}"
        me = browser()
        assert me.sign_in(work["email"]).status_code == 302
        saved, failed_posts, failed_gets = [], [], []
        for i in range(saves_each):
            text = f"Need {i} of {work['email']}"
            shown = me.get(page)
            while shown.status_code != 200 and len(failed_gets) < 10:
                failed_gets.append(shown.status_code)
                shown = me.get(page)
            fields = hidden_fields(shown.text, f"{page}/needs")
            # As a learner would: when a save fails, send the same form again (its one-time
            # token makes a second arrival of an already saved form save nothing new).
            for _ in range(3):
                answer = me.post(
                    f"{page}/needs", {**fields, "need_type": "timescale", "description": text}
                )
                if answer.status_code == 302:
                    saved.append(text)
                    break
                failed_posts.append(answer.status_code)
            time.sleep(0.05)
        results[work["email"]] = (saved, failed_posts, failed_gets)
        served.extend(me.served)

    threads = [threading.Thread(target=learner_at_work, args=(w,)) for w in group["learners"]]
    for t in threads:
        t.start()
    time.sleep(1.5)
    multi.signal("a", signal.SIGKILL)  # mid-class: no goodbye, requests in flight are lost
    for t in threads:
        t.join(timeout=240)
    multi.start_instance("a")

    assert {"a", "b"} <= set(served), "the class was working on both instances"
    for work in group["learners"]:
        saved, failed_posts, failed_gets = results[work["email"]]
        stored = world.need_descriptions(work["sandbox_id"])
        assert len(saved) == saves_each, (work["email"], failed_posts, failed_gets)
        for text in saved:
            assert stored.count(text) == 1, f"{text!r} was saved once and is still there"
        assert set(failed_posts) <= {502}, "only a POST in flight to the killed one failed"
        assert failed_gets == [], "nginx passed every page to the living instance"


def test_a_post_in_flight_to_a_killed_instance_is_not_replayed_on_the_other(
    browser, world, class_of, multi
):
    work = class_of(1)["learners"][0]
    sandbox = f"/s/{work['sandbox_id']}"
    contact_id = world.contact_ids(work["sandbox_id"])[0]
    page = f"{sandbox}/contacts/{contact_id}"
    learner = browser()
    assert learner.sign_in(work["email"]).status_code == 302
    fields = hidden_fields(learner.get(page).text, f"{page}/needs")
    learner.next_lands_on("a")
    multi.signal("a", signal.SIGSTOP)  # instance a takes the request and never answers
    answers = []
    post = threading.Thread(
        target=lambda: answers.append(
            learner.post(
                f"{page}/needs",
                {**fields, "need_type": "timescale", "description": "Sent as a went down"},
            )
        )
    )
    try:
        post.start()
        time.sleep(2)
        assert answers == [], "the POST is in flight at instance a"
    finally:
        multi.signal("a", signal.SIGKILL)
    post.join(timeout=60)
    assert answers and answers[0].status_code == 502, "nginx did not send the POST elsewhere"
    time.sleep(1)
    assert "Sent as a went down" not in world.need_descriptions(work["sandbox_id"])
    multi.start_instance("a")
    # Pages carry on at once (the living instance); the learner saves again, once.
    again = learner.post(
        f"{page}/needs", {**fields, "need_type": "timescale", "description": "Sent as a went down"}
    )
    assert again.status_code == 302
    assert world.need_descriptions(work["sandbox_id"]).count("Sent as a went down") == 1


def test_a_worker_restart_loses_no_task_and_sends_it_once(browser, world, class_of, multi, lrs):
    from sqlalchemy import select

    from crm_sandbox.models import OutboxMessage

    work = class_of(1)["learners"][0]
    multi.signal("worker", signal.SIGKILL)
    learner = browser()
    assert learner.sign_in(work["email"]).status_code == 302
    # The learner's first opening is "launched" for the LRS: the outbox's message is made in the
    # same transaction as the work.
    opened = learner.get(f"/learner/scenarios/{work['attempt_id']}")
    assert opened.status_code == 200

    def message():
        return world.read(
            lambda s: s.execute(
                select(OutboxMessage.key, OutboxMessage.status).where(
                    OutboxMessage.attempt_id == work["attempt_id"],
                    OutboxMessage.kind == "xapi.statement",
                )
            ).all()
        )

    [(statement_id, status)] = message()
    assert status == "pending"
    time.sleep(2)
    assert lrs.times_received(statement_id) == 0, "no worker, nothing sent"
    multi.start_worker()
    deadline = time.monotonic() + 90
    while lrs.times_received(statement_id) == 0 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert lrs.times_received(statement_id) == 1, "the restarted worker sent it"
    time.sleep(4)  # a few more rounds of the worker
    assert lrs.times_received(statement_id) == 1, "and only once"
    assert message() == [(statement_id, "sent")]
