"""Check type `improvement_linked`: an action from a sound finding with a measure the CRM
computes (its baseline known when planned); evaluated only from its due date, against the
figures for the period after the change, with a judgement those figures bear out."""

from __future__ import annotations

from crm_sandbox.checks import REGISTRY
from tests.feedback_fakes import FakeState, action, entry, finding

CHECK = REGISTRY["improvement_linked"]


def run(findings, actions, **params):
    log = [entry(1, "finding.recorded", f.id) for f in findings]
    log += [entry(10 + a.id, "improvement.planned", a.id) for a in actions]
    log += [entry(50 + a.id, "improvement.evaluated", a.id) for a in actions if a.evaluated_sbx]
    return CHECK(FakeState(findings, actions), log, None, params)


def test_an_action_with_a_computed_baseline_from_a_sound_finding_passes():
    assert run([finding(1)], [action(1, 1)]).passed


def test_an_action_with_no_measure_the_crm_computes_fails():
    result = run([finding(1)], [action(1, 1, measure=False)])
    assert not result.passed and "no measure the CRM can compute" in result.message


def test_an_action_from_a_finding_with_a_made_up_figure_fails():
    result = run([finding(1, figure=4.5, computed=3.0)], [action(1, 1)])
    assert not result.passed and "does not rest on the CRM's figures" in result.message


def test_a_made_up_baseline_fails_without_naming_the_crms_figure():
    result = run([finding(1)], [action(1, 1, baseline=3.0, stated_baseline=6)])
    assert not result.passed and "baseline that is not the CRM's" in result.message
    assert "3.0" not in result.message and "6" not in result.message


def test_an_evaluation_the_figures_bear_out_passes_in_other_words():
    done = action(
        1,
        1,
        evaluated=True,
        result=4.3,
        outcome="improved",
        verdict="improved",
        after_based_on=3,
        stated_result=4.33,
    )
    assert run([finding(1)], [done], evaluated=True).passed


def test_claiming_success_the_figures_do_not_show_fails_with_a_message_that_teaches():
    claimed = action(
        1, 1, evaluated=True, result=2.7, outcome="improved", verdict="worse", after_based_on=3
    )
    result = run([finding(1)], [claimed], evaluated=True)
    assert not result.passed and "the figures do not bear out" in result.message
    assert "measure you set" in result.message and "worse" not in result.message


def test_an_evaluation_with_no_figures_since_the_change_fails():
    straight_away = action(
        1, 1, evaluated=True, result=None, outcome="improved", due_in_days=0, evaluated_after_days=0
    )
    result = run([finding(1)], [straight_away], evaluated=True)
    assert not result.passed and "no figures from the period after the change" in result.message


def test_an_evaluation_before_the_due_date_fails_even_if_recorded_somehow():
    early = action(
        1,
        1,
        evaluated=True,
        result=4.0,
        outcome="improved",
        verdict="improved",
        after_based_on=2,
        due_in_days=14,
        evaluated_after_days=3,
    )
    result = run([finding(1)], [early], evaluated=True)
    assert not result.passed and "before its due date" in result.message


def test_a_made_up_result_fails():
    wrong = action(
        1,
        1,
        evaluated=True,
        result=3.5,
        outcome="improved",
        verdict="improved",
        after_based_on=2,
        stated_result=5,
    )
    assert not run([finding(1)], [wrong], evaluated=True).passed


def test_nothing_planned_or_not_yet_evaluated_fails():
    assert "no improvement action" in run([finding(1)], []).message
    result = run([finding(1)], [action(1, 1)], evaluated=True)
    assert not result.passed and "has not been evaluated yet" in result.message
