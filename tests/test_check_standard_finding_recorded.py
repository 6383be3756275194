"""Check type `standard_finding_recorded`: a monitoring finding cites its period and states
figures that are the CRM's for that period (within the tolerance), on a standard that could be
measured with decided cases behind it. The finding's words never decide anything."""

from __future__ import annotations

from datetime import datetime

import pytest

from crm_sandbox.checks import REGISTRY
from crm_sandbox.scenarios.state import LogItem

from .standard_replays import attempt_with, findings, outcomes

CHECK = REGISTRY["standard_finding_recorded"]
T = datetime(2026, 3, 12, 10, 0)
SHARE = "complaint_resolution_time"
COMPUTED = {"value": 33.3, "cases": 3, "breaches": 2, "unit": "%"}


class FakeState:
    def __init__(self, keys):
        self.keys = keys

    def id_of(self, kind, key):
        return self.keys.get(kind, {}).get(key)


STATE = FakeState({"standards": {"resolve": 7, "vague": 8}})


def finding(seq, standard_id, stated=None, computed=COMPUTED, measure=SHARE, text="Some words"):
    measurable = computed is not None
    return LogItem(
        seq,
        "standard.finding_recorded",
        "standard_finding",
        seq,
        T,
        {
            "after": {
                "standard_id": standard_id,
                "text": text,
                "measure": measure,
                "measurable": measurable,
                "compliance_percent": (computed or {}).get("value"),
                "stated": stated or {"value": None, "cases": None, "breaches": None},
                "computed": computed or {"value": None, "cases": None, "breaches": None},
            }
        },
    )


def run(log, **params):
    return CHECK(STATE, log, None, params)


def test_nothing_recorded_fails_and_says_where_to_monitor():
    other = LogItem(1, "standard.created", "standard", 9, T, {"after": {}})
    result = run([other])
    assert not result.passed and not result.pending
    assert "no monitoring finding" in result.message
    assert "monitoring panel" in result.message


def test_the_crms_figures_stated_pass():
    result = run([finding(3, 7, {"value": 33.3, "cases": 3, "breaches": 2})])
    assert result.passed
    assert result.evidence == [3]


@pytest.mark.parametrize("value", [33, 33.33, 33.7, "33.3"])
def test_a_figure_rounded_within_the_tolerance_passes(value):
    assert run([finding(3, 7, {"value": value, "cases": None, "breaches": 2})]).passed


@pytest.mark.parametrize(
    "stated",
    [
        {"value": 100, "cases": None, "breaches": 0},  # "100%, 0 breaches"
        {"value": 34, "cases": 3, "breaches": 2},  # beyond 0.5 points
        {"value": 33.3, "cases": 3, "breaches": 1},  # breaches must be exact
        {"value": 33.3, "cases": 4, "breaches": 2},  # cases too, when stated
        {"value": 33.3, "cases": None, "breaches": None},  # a share needs its breaches
        {"value": None, "cases": None, "breaches": 2},  # and its figure
    ],
)
def test_made_up_or_missing_figures_fail_without_giving_the_right_ones(stated):
    result = run([finding(3, 7, stated)])
    assert not result.passed
    assert "come from the records" in result.message
    assert "33" not in result.message and "2 breaches" not in result.message


def test_figures_only_in_the_words_fail():
    words = "Compliance 33.3% against a 90% target; 2 breaches out of 3 decided."
    assert not run([finding(3, 7, text=words)]).passed


def test_a_date_only_finding_fails():
    assert not run([finding(3, 7, text="Looked at this on 2 March.")]).passed


def test_an_average_score_needs_no_breaches_and_has_a_tighter_tolerance():
    computed = {"value": 3.8, "cases": 5, "breaches": 2, "unit": "/5"}
    sat = "satisfaction_score"
    assert run([finding(3, 7, {"value": 3.8}, computed, sat)]).passed
    assert run([finding(3, 7, {"value": 3.84}, computed, sat)]).passed
    assert not run([finding(3, 7, {"value": 3.9}, computed, sat)]).passed


def test_nothing_measured_in_the_period_is_no_data_whatever_is_stated():
    empty = {"value": None, "cases": 0, "breaches": 0, "unit": "%"}
    log = [finding(3, 7, {"value": 100, "cases": 0, "breaches": 0}, empty)]
    result = run(log)
    assert not result.passed
    assert "nothing had been measured" in result.message
    assert not run(log, figures_match=False).passed  # with_compliance: data behind it


def test_a_standard_that_cannot_be_measured_has_no_figure():
    log = [finding(3, 8, computed=None, text="Complaints went well.")]
    result = run(log)
    assert not result.passed
    assert "cannot be measured" in result.message
    assert not run(log, figures_match=False).passed
    assert run(log, figures_match=False, with_compliance=False).passed


def test_without_figures_match_a_measured_finding_is_enough():
    assert run([finding(3, 7, text="Checked it.")], figures_match=False).passed


def test_the_named_standard_must_be_the_one_monitored():
    right = {"value": 33.3, "cases": 3, "breaches": 2}
    assert run([finding(3, 8, right), finding(4, 7, right)], standard="resolve").passed
    assert not run([finding(3, 8, right)], standard="resolve").passed


def test_min_counts_only_good_findings():
    right = {"value": 33.3, "cases": 3, "breaches": 2}
    log = [finding(3, 7, right), finding(4, 7, {"value": 90, "breaches": 0})]
    assert not run(log, min=2).passed
    assert run([*log, finding(5, 7, right)], min=2).passed


def test_unknown_params_are_refused():
    with pytest.raises(ValueError):
        CHECK(STATE, [], None, {"states_figure": True})


# ---------------------------------------------------------------- real scenario, real services


def test_monitoring_standards_in_a_real_sandbox(app):
    with app.app_context():
        right = outcomes(
            "monitoring-standards",
            """
            - do: standard_finding
              standard: resolution_std
              value: 33
              breaches: 2
              text: "A third of decided complaints on time."
            """,
        )
        assert right["finding-quotes-figures"].passed
        assert right["resolution-finding"].passed

        crm = outcomes(
            "monitoring-standards",
            """
            - do: standard_finding
              standard: resolution_std
              days: 180
              from_crm: true
              text: "Half on time over six months."
            """,
        )
        assert crm["finding-quotes-figures"].passed

        made_up = outcomes(
            "monitoring-standards",
            """
            - do: standard_finding
              standard: resolution_std
              value: 100
              breaches: 0
              text: "100%, 0 breaches."
            """,
        )
        assert not made_up["finding-quotes-figures"].passed
        assert made_up["resolution-finding"].passed  # measured, with data behind it

        untouched = outcomes("monitoring-standards", [])
        assert not untouched["finding-quotes-figures"].passed
        assert not untouched["resolution-finding"].passed


def test_the_service_logs_both_figures_and_the_finding_shows_them(app):
    with app.app_context():
        attempt, _ = attempt_with(
            "monitoring-standards",
            """
            - do: standard_finding
              standard: resolution_std
              value: 100
              breaches: 0
              text: "All fine."
            - do: standard_finding
              standard: resolution_std
              period_from: 2026-02-01
              period_to: 2026-02-28
              text: "February."
            """,
        )
        made_up, february = findings(attempt)
        assert (made_up.stated_value, made_up.stated_breaches) == (100, 0)
        assert made_up.computed_value == 33.3 and made_up.computed_breaches == 2
        assert made_up.computed_cases == 3
        assert february.computed_value is None and february.computed_cases == 0
        assert str(february.period_from) == "2026-02-01"


def test_the_timeline_reads_both_sets_of_figures(app):
    from crm_sandbox.services import action_log, log_words

    with app.app_context():
        attempt, _ = attempt_with(
            "monitoring-standards",
            """
            - do: standard_finding
              standard: resolution_std
              value: 100
              breaches: 0
              text: "All fine."
            """,
        )
        entry = action_log.entries(attempt.sandbox_id, limit=1)[0]
        names = log_words.names_for(attempt.sandbox_id, [entry])
        words = log_words.describe_entry(entry, names, 500)
        assert "stated 100%, 0 breaches" in words
        assert "the CRM's records 33.3%, 2 breaches (does not match)" in words
