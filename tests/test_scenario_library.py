"""Tutors read the scenario library as learners see it, and preview their own scenarios
before publishing them; an uploaded scenario's problems are all listed at once."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from crm_sandbox.criteria import criteria_for_scenario, load_catalogue
from crm_sandbox.extensions import db
from crm_sandbox.models import AuthoredScenario, Role
from crm_sandbox.scenarios.loader import library, library_source
from crm_sandbox.services import tutoring

TABLE_SCENARIO = "listening-to-customers"  # its brief has a Markdown table


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", page))


def words_of(page: str) -> str:
    """The page's words without its tags, as a reader sees them."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split()).replace(" .", ".")


@pytest.fixture
def tutor(create_user, auth):
    user = create_user(Role.TUTOR, name="Tara Tutor")
    auth.login(user.email)
    return user


def authored_text(scenario_id: str = "my-own-sofa") -> str:
    return (
        library_source("first-complaint")[1]
        .replace("id: first-complaint", f"id: {scenario_id}", 1)
        .replace('title: "A first complaint: stage 1, in time"', 'title: "My own sofa"', 1)
    )


def test_the_library_page_lists_every_library_scenario_with_a_read_link(client, tutor):
    page = text_of(client.get("/tutor/scenarios/library").data.decode())
    for scenario in library().values():
        assert scenario.title in page
        assert f'href="/tutor/scenarios/library?id={scenario.id}"' in page


def test_a_tutor_reads_the_brief_with_its_tables_the_tasks_every_hint_and_the_criteria(
    client, tutor
):
    scenario = library()[TABLE_SCENARIO]
    response = client.get(f"/tutor/scenarios/library?id={TABLE_SCENARIO}")
    assert response.status_code == 200
    page = text_of(response.data.decode())
    assert "<table>" in page and "<th>How was your visit? (1-5)</th>" in page
    assert "| --- |" not in page
    for number, task in enumerate(scenario.tasks, start=1):
        assert f"{number}. {task.title}" in page
        for index, hint in enumerate(task.hints, start=1):
            assert f"Hint {index}</span>" in page  # its tier, then the hint as Markdown
            assert f'hint-tier">{hint.label}</span>' in page
            assert " ".join(hint.text.replace("*", "").split()) in words_of(page)
    for body in load_catalogue().bodies:  # each qualification's criteria, as its learners read them
        assert body.name in page
        for criterion in criteria_for_scenario(scenario, body.id):
            assert f"{criterion.number}</strong> {criterion.learner_text}" in page
    assert "Show hint" not in page  # a reader, not a learner: nothing to press


def test_an_unknown_library_scenario_is_not_found_and_learners_may_not_read_the_library(
    client, auth, tutor, create_user
):
    assert client.get("/tutor/scenarios/library?id=no-such-thing").status_code == 404
    assert client.get("/tutor/scenarios/library?id=").status_code == 404
    auth.logout()
    auth.login(create_user(Role.LEARNER).email)
    assert client.get(f"/tutor/scenarios/library?id={TABLE_SCENARIO}").status_code == 403


def test_the_author_previews_a_draft_as_a_learner_sees_it_and_publishing_stays_a_post(
    client, tutor
):
    draft = tutoring.save_authored(tutor, authored_text(), "mine.yaml")
    db.session.commit()
    edit_page = client.get(f"/tutor/scenarios/{draft.id}").data.decode()
    assert f'href="/tutor/scenarios/{draft.id}/preview"' in edit_page
    preview = text_of(client.get(f"/tutor/scenarios/{draft.id}/preview").data.decode())
    scenario = tutoring.parse(draft.source, "mine.yaml")
    assert "Preview" in preview and "My own sofa" in preview
    for number, task in enumerate(scenario.tasks, start=1):
        assert f"{number}. {task.title}" in preview
        for index, hint in enumerate(task.hints, start=1):
            assert f"Hint {index}</span>" in preview
            assert " ".join(hint.text.replace("*", "").split()) in words_of(preview)
    assert f'action="/tutor/scenarios/{draft.id}/publish"' in preview
    db.session.rollback()
    assert db.session.get(AuthoredScenario, draft.id).status == "draft"


def test_only_the_author_and_admins_preview_a_scenario(client, auth, tutor, create_user):
    draft = tutoring.save_authored(tutor, authored_text(), "mine.yaml")
    db.session.commit()
    auth.logout()
    auth.login(create_user(Role.TUTOR).email)
    assert client.get(f"/tutor/scenarios/{draft.id}/preview").status_code == 404
    auth.logout()
    auth.login(create_user(Role.ADMIN).email)
    assert b"My own sofa" in client.get(f"/tutor/scenarios/{draft.id}/preview").data


def test_an_upload_lists_its_schema_and_cross_check_problems_together(client, tutor):
    broken = (
        authored_text()
        .replace("estimated_minutes: 40", "estimated_minutes: many")
        .replace("type: complaint_resolved_within", "type: complaint_resolved_whenever")
        .replace("criteria: [generic.ac4, focus.ac2]", "criteria: [generic.ac99]", 1)
    )
    page = text_of(client.post("/tutor/scenarios/new", data={"text": broken}).data.decode())
    assert "3 problems: nothing was saved" in page
    assert "estimated_minutes: Input should be a valid integer" in page
    assert "tasks.0.checks.0.criteria.0: unknown criterion 'generic.ac99'" in page
    assert "tasks.2.checks.1.type: unknown check type 'complaint_resolved_whenever'" in page
    assert db.session.scalar(select(AuthoredScenario)) is None
