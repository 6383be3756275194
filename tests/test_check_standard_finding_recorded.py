"""Check type `standard_finding_recorded`: a monitoring finding on a standard, with the
compliance figure the CRM computed, and (when asked) the figures quoted in its words."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from crm_sandbox.checks import REGISTRY
from crm_sandbox.scenarios.state import LogItem, SandboxState, load_log
from crm_sandbox.services import standards

CHECK = REGISTRY["standard_finding_recorded"]
T = datetime(2026, 3, 12, 10, 0)
ACK_STANDARD = {
    "title": "Acknowledge complaints within 1 working day",
    "measure": "complaint_ack_time",
    "threshold": 1,
    "threshold_unit": "working_days",
    "target_percent": 95,
    "period": "week",
}


class FakeState:
    def __init__(self, keys):
        self.keys = keys

    def id_of(self, kind, key):
        return self.keys.get(kind, {}).get(key)


def finding(seq, standard_id, text, percent):
    return LogItem(
        seq,
        "standard.finding_recorded",
        "standard_finding",
        seq,
        T,
        {"after": {"standard_id": standard_id, "text": text, "compliance_percent": percent}},
    )


STATE = FakeState({"standards": {"resolve": 7, "vague": 8}})


def run(log, **params):
    return CHECK(STATE, log, None, params)


def test_fails_when_nothing_was_recorded():
    other = LogItem(1, "standard.created", "standard", 9, T, {"after": {}})
    result = run([other])
    assert not result.passed
    assert "no monitoring finding" in result.message


def test_a_finding_with_a_compliance_figure_passes():
    result = run([finding(3, 7, "Checked it.", 80.0)])
    assert result.passed
    assert result.evidence == [3]


def test_a_finding_on_a_standard_that_cannot_be_measured_fails_unless_allowed():
    log = [finding(3, 8, "Complaints went well.", None)]
    result = run(log)
    assert not result.passed
    assert "cannot be measured" in result.message
    assert run(log, with_compliance=False).passed


def test_the_named_standard_must_be_the_one_monitored():
    log = [finding(3, 8, "No target to check.", None), finding(4, 7, "Looked at it.", 50.0)]
    assert run(log, standard="resolve").passed
    assert not run([finding(3, 8, "80% met", None)], standard="resolve").passed


def test_states_figure_needs_a_number_in_the_text():
    vague_words = [finding(3, 7, "Checked the standard in the CRM.", 33.3)]
    result = run(vague_words, states_figure=True)
    assert not result.passed
    assert "figures" in result.message
    quoted = vague_words + [finding(4, 7, "33% against a 90% target; 2 breaches.", 33.3)]
    result = run(quoted, states_figure=True)
    assert result.passed
    assert result.evidence == [4]


def test_min_counts_only_good_findings():
    log = [finding(3, 7, "40% met", 40.0), finding(4, 8, "no target", None)]
    assert not run(log, min=2).passed
    assert run(log + [finding(5, 7, "60% met", 60.0)], min=2).passed


def test_unknown_params_are_refused():
    with pytest.raises(ValueError):
        CHECK(STATE, [], None, {"standards": "resolve"})


def test_on_a_real_sandbox_with_the_standards_service(provision, ctx_for, frozen):
    sandbox = provision()
    frozen(sandbox, "2026-03-12 10:00")
    ctx = ctx_for(sandbox)
    measurable = standards.create_standard(ctx, ACK_STANDARD)
    vague = standards.create_standard(ctx, {"title": "Good service", "measure": "manual"})
    keys = {"standards": {"ack": measurable.id, "vague": vague.id}}

    def check(**params):
        state = SandboxState(sandbox, keys)
        return CHECK(state, load_log(sandbox.id), None, params)

    week = (date(2026, 3, 9), date(2026, 3, 12))
    assert not check().passed
    standards.add_finding(ctx, vague, "Nothing to count: no target.", *week)
    assert not check().passed
    assert check(with_compliance=False).passed
    standards.add_finding(ctx, measurable, "Checked the standard.", None, None)
    assert check(standard="ack").passed
    assert not check(standard="ack", states_figure=True).passed
    standards.add_finding(ctx, measurable, "All 12 complaints this quarter met it.", None, None)
    assert check(standard="ack", states_figure=True).passed
