"""The one transaction helper every view uses (crm_sandbox/web/transaction.py), and the rules
that moved out of views into services with it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask import get_flashed_messages
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField

from crm_sandbox.extensions import db
from crm_sandbox.models import Contact, Role, User
from crm_sandbox.scenarios.loader import Problem, ScenarioError
from crm_sandbox.scenarios.schema import HintCosts, HintSpec, Scenario, TaskSpec
from crm_sandbox.services import accounts, contacts, hints, personal_data
from crm_sandbox.services.errors import ServiceError
from crm_sandbox.services.form_tokens import AlreadySaved
from crm_sandbox.web.transaction import run_in_transaction, transaction


class NameForm(FlaskForm):
    class Meta:
        csrf = False

    name = StringField("Name")


@pytest.fixture
def request_ctx(app):
    with app.test_request_context("/", method="POST"):
        yield


def _make_user(email: str) -> User:
    return accounts.create_user(name="Sam Lee", email=email, role=Role.LEARNER, password="x" * 12)


def _saved(email: str) -> bool:
    db.session.rollback()
    return db.session.scalar(select(User).where(User.email == email)) is not None


def _flashes():
    return get_flashed_messages(with_categories=True)


def test_an_accepted_change_is_committed_and_its_success_flashed(request_ctx):
    with transaction() as tx:
        made = _make_user("kept@college.example.org")
        tx.success = f"{made.name} added."
    assert tx.ok and tx.error is None
    assert _saved("kept@college.example.org")
    assert _flashes() == [("success", "Sam Lee added.")]


def test_a_refusal_naming_a_field_rolls_everything_back_and_marks_the_field(request_ctx):
    form = NameForm(formdata=None)
    with transaction(form, success="never shown") as tx:
        _make_user("refused@college.example.org")
        raise ServiceError("That name is taken.", "name")
    assert not tx.ok and tx.error.message == "That name is taken."
    assert not _saved("refused@college.example.org")
    assert form.name.errors == ["That name is taken."]
    assert _flashes() == [("danger", "Nothing was saved: please correct the highlighted field.")]


def test_a_refusal_naming_no_field_is_flashed_with_the_views_own_words(request_ctx):
    with transaction(refused="Nothing was changed") as tx:
        _make_user("refused@college.example.org")
        raise ServiceError("The group is archived.")
    assert not tx.ok
    assert not _saved("refused@college.example.org")
    assert _flashes() == [("danger", "Nothing was changed: The group is archived.")]


def test_a_refusal_that_is_its_own_sentence_is_flashed_as_it_is(request_ctx):
    with transaction(refused=""):
        raise ServiceError("You cannot disable your own account.")
    assert _flashes() == [("danger", "You cannot disable your own account.")]


def test_an_unexpected_error_is_rolled_back_and_raised_again(request_ctx):
    with pytest.raises(ZeroDivisionError), transaction():
        _make_user("crashed@college.example.org")
        raise ZeroDivisionError
    assert not _saved("crashed@college.example.org")
    assert _flashes() == []


def test_a_form_saved_twice_is_rolled_back_and_left_to_the_redirect(request_ctx):
    with pytest.raises(AlreadySaved), transaction():
        _make_user("twice@college.example.org")
        raise AlreadySaved("/somewhere")
    assert not _saved("twice@college.example.org")
    assert _flashes() == []


def _problems(n: int) -> ScenarioError:
    return ScenarioError([Problem("mine.yaml", i + 1, "title", "is missing") for i in range(n)])


def test_a_page_listing_a_scenarios_problems_is_told_how_many(request_ctx):
    with transaction() as tx:
        raise _problems(2)
    assert not tx.ok and len(tx.problems) == 2
    assert _flashes() == [("danger", "Nothing was saved: 2 problems in the scenario.")]


def test_a_redirect_after_a_refused_scenario_names_its_first_problem(request_ctx):
    with transaction(refused="Not published", problems_listed=False):
        raise _problems(2)
    assert _flashes() == [("danger", "Not published: mine.yaml:1: title: is missing")]


def test_an_abandoned_block_saves_nothing_and_says_nothing(request_ctx):
    with transaction(success="never shown") as tx:
        _make_user("abandoned@college.example.org")
        tx.abandon()
    assert not tx.ok and tx.error is None
    assert not _saved("abandoned@college.example.org")
    assert _flashes() == []


def test_run_in_transaction_gives_the_result_or_nothing(request_ctx):
    made, ok = run_in_transaction(lambda: _make_user("run@college.example.org"), success="Done.")
    assert ok and made.email == "run@college.example.org"

    def refuse():
        raise ServiceError("No.")

    assert run_in_transaction(refuse) == (None, False)
    assert _flashes() == [("success", "Done."), ("danger", "Nothing was saved: No.")]


# ---------------------------------------------------------------- rules moved out of views


def test_an_admin_cannot_disable_their_own_account(client, auth, create_user):
    admin = create_user(Role.ADMIN)
    auth.login(admin.email)
    page = client.post(f"/admin/users/{admin.id}/active", follow_redirects=True)
    assert page.status_code == 200
    assert b"You cannot disable your own account." in page.data
    db.session.rollback()
    assert db.session.get(User, admin.id).active


def test_an_admin_can_disable_and_enable_another_account(app, create_user):
    admin, learner = create_user(Role.ADMIN), create_user(Role.LEARNER)
    accounts.toggle_active(learner, by=admin)
    assert not learner.active
    accounts.toggle_active(learner, by=admin)
    assert learner.active
    with pytest.raises(ServiceError, match="your own account"):
        accounts.toggle_active(admin, by=admin)
    assert admin.active


def test_an_erasure_is_confirmed_only_by_the_learners_own_email(app, create_user):
    learner = create_user(Role.LEARNER, email="priya@college.example.org")
    personal_data.confirm_erasure(learner, "  PRIYA@College.example.org ")
    for typed in ("", "priya@college.example", "someone@else.org", None):
        with pytest.raises(ServiceError) as refused:
            personal_data.confirm_erasure(learner, typed)
        assert refused.value.field == "confirm_email"


def test_only_unmerged_internal_and_external_contacts_are_offered(provision, ctx_for):
    sandbox = provision()
    offered = contacts.people_to_choose(ctx_for(sandbox))
    every = db.session.scalars(select(Contact).where(Contact.sandbox_id == sandbox.id)).all()
    expected = {
        c.id for c in every if c.category in ("internal", "external") and c.merged_into_id is None
    }
    assert expected and {p.id for p in offered} == expected
    assert len(expected) < len(every)  # the sandbox has other contacts, left out
    assert all(p.name for p in offered)


def test_colleagues_can_be_listed_before_customers(provision, ctx_for):
    offered = contacts.people_to_choose(ctx_for(provision()), internal_first=True)
    flags = [p.internal for p in offered]
    assert True in flags and False in flags
    assert flags == sorted(flags, reverse=True)


def test_a_tutor_reads_the_hints_a_learner_opened_and_nothing_else():
    scenario = Scenario.model_construct(
        tasks=[
            TaskSpec.model_construct(
                id="greet",
                title="Greet",
                hints=[
                    HintSpec(tier="nudge", text="Say hello."),
                    HintSpec(tier="pointer", text="Use their name."),
                ],
            ),
            TaskSpec.model_construct(
                id="log", title="Log it", hints=[HintSpec(tier="nudge", text="Write it down.")]
            ),
        ],
        hint_costs=HintCosts(pointer=0.05),
    )
    attempt = SimpleNamespace(
        hints_used=["greet:1", "log:0", "greet:9", "gone:0", "greet:x", "greet", "greet:1"]
    )
    assert [
        (h.task_title, h.number, h.tier, h.text, h.cost)
        for h in hints.hints_used(attempt, scenario)
    ] == [
        ("Greet", 2, "pointer", "Use their name.", 0.05),
        ("Log it", 1, "nudge", "Write it down.", 0.0),
    ]
    assert hints.hints_used(SimpleNamespace(hints_used=None), scenario) == []


def test_the_admin_page_counts_every_role_and_lists_every_account(app, create_user):
    made = [create_user(Role.TUTOR), create_user(Role.LEARNER), create_user(Role.LEARNER)]
    counts = accounts.count_by_role()
    assert counts[Role.LEARNER] >= 2 and counts[Role.TUTOR] >= 1 and Role.ASSESSOR in counts
    listed = accounts.all_users()
    assert sum(counts.values()) == len(listed)
    assert {u.id for u in made} <= {u.id for u in listed}
    assert [(u.role, u.name) for u in listed] == sorted((u.role, u.name) for u in listed)
