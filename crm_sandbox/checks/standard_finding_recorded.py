"""Check type `standard_finding_recorded`: what monitoring a service standard showed, recorded
as a finding that carries the compliance figure the CRM computed from its own records (and, if
asked, quotes the figures in its words)."""

from __future__ import annotations

import re

from ..wording import count_of
from . import CheckResult, Params, register
from ._helpers import as_log

NUMBER = re.compile(r"\d")


class StandardFindingRecorded(Params):
    standard: str | None = None  # an opening standard the finding must be about
    min: int = 1
    with_compliance: bool = True  # the standard could be measured, so a figure was computed
    states_figure: bool = False  # the finding's own words quote a number (the %, the breaches)


@register("standard_finding_recorded", StandardFindingRecorded)
def standard_finding_recorded(state, log, scenario, p: StandardFindingRecorded) -> CheckResult:
    """Passes when at least `min` findings on service standards were recorded in this attempt
    (about the named opening standard, if given), each with a compliance figure when
    `with_compliance` (only a measurable standard with decided cases in the period gets one)
    and with a number in its text when `states_figure`."""
    standard_id = state.id_of("standards", p.standard) if p.standard else None
    recorded = [
        i
        for i in as_log(log).of("standard.finding_recorded")
        if (standard_id is None or i.after.get("standard_id") == standard_id)
    ]
    if not recorded:
        which = "this standard" if p.standard else "any standard"
        return CheckResult(False, f"no monitoring finding was recorded on {which}.")
    good, unmeasured, no_figure = [], 0, 0
    for item in recorded:
        if p.with_compliance and item.after.get("compliance_percent") is None:
            unmeasured += 1
            continue
        if p.states_figure and not NUMBER.search(item.after.get("text") or ""):
            no_figure += 1
            continue
        good.append(item)
    evidence = [i.seq for i in good] or [i.seq for i in recorded]
    if len(good) >= p.min:
        return CheckResult(True, f"{count_of(len(good), 'monitoring finding')} recorded.", evidence)
    problems = []
    if unmeasured:
        problems.append(
            f"{unmeasured} finding(s) have no compliance figure: the standard cannot be "
            "measured as written, or nothing in the period could be counted yet"
        )
    if no_figure:
        problems.append(
            f"{no_figure} finding(s) do not say what the figures were (compliance, breaches)"
        )
    if not problems:
        problems.append(f"{len(good)} of the {p.min} finding(s) needed")
    return CheckResult(False, "; ".join(problems) + ".", evidence)
