"""Check type `poor_service_impact` (focus.ac6): a finding from the loyalty figures stating,
in the report's own figures, the customers lost after poor service and the business lost."""

from __future__ import annotations

from crm_sandbox.checks import REGISTRY
from tests.feedback_fakes import FakeState, entry, loyalty_finding
from tests.trying import outcome

CHECK = REGISTRY["poor_service_impact"]


def fig(measure, value, computed, group="poor", agrees=None):
    if agrees is None:
        agrees = abs(value - computed) <= max(1.0, computed * 0.01)
    return {
        "measure": measure,
        "group": group,
        "figure": value,
        "computed": computed,
        "agrees": agrees,
    }


def run(findings, **params):
    log = [entry(i + 1, "finding.recorded", f.id) for i, f in enumerate(findings)]
    return CHECK(FakeState(findings), log, None, params)


def test_people_and_business_lost_in_the_reports_figures_pass_in_any_form():
    assert run(
        [loyalty_finding(1, [fig("customers_lost", 3, 3), fig("value_lost", 638, 638.27)])]
    ).passed
    assert run(
        [loyalty_finding(1, [fig("percent_lost", 100, 100), fig("orders_lost", 13, 13)])]
    ).passed


def test_made_up_figures_fail_and_the_message_does_not_give_the_report_away():
    result = run(
        [loyalty_finding(1, [fig("customers_lost", 5, 3), fig("value_lost", 2000, 638.27)])]
    )
    assert not result.passed and "not the loyalty report's" in result.message
    assert "638" not in result.message and "3" not in result.message


def test_a_finding_about_the_wrong_group_or_without_the_business_lost_fails():
    other = run(
        [
            loyalty_finding(
                1,
                [
                    fig("customers_lost", 26, 26, group="none"),
                    fig("value_lost", 10, 10, group="none"),
                ],
            )
        ]
    )
    assert not other.passed and "how many customers were lost" in other.message
    people_only = run([loyalty_finding(1, [fig("customers_lost", 3, 3)])])
    assert not people_only.passed and "business" in people_only.message
    assert run([loyalty_finding(1, [fig("customers_lost", 3, 3)])], need_business=False).passed


def test_nothing_done_fails(app):
    assert "no finding" in run([]).message
    assert not outcome("listening-to-customers", [], "poor-service-impact").passed
