"""Check type `standard_finding_recorded`: what monitoring a service standard showed, recorded
as a finding that cites its data (the period it covers) and whose figures are the CRM's.

A finding's figures are structured fields, never digits in its words: the measured figure
(share of cases met, average score, or a manual measure's average), the cases decided and the
breaches, stated by the learner or taken from the CRM. The service computes the same figures
for the same standard and period and logs both (`services/standards/recording.add_finding`);
this check compares them with `services/standards/figures.compare` (within 0.5 percentage
points, or 0.05 of a score; counts exactly). The finding's words are kept for the assessor
and never decide anything.
"""

from __future__ import annotations

from ..services.standards import figures
from ..wording import count_of
from . import CheckResult, Params, register
from ._helpers import as_log

WHERE = "the standard's monitoring panel (Service standards, open the standard)"


class StandardFindingRecorded(Params):
    standard: str | None = None  # an opening standard the finding must be about
    min: int = 1
    # The standard could be measured as written, and the CRM had decided cases in the period
    # the finding covers (so there was data behind it).
    with_compliance: bool = True
    # The finding states the measured figure (and, for a share of cases, the breaches) and
    # they match the CRM's for the period it covers, within the tolerance. Implies
    # with_compliance: a standard that cannot be measured has no figure to match.
    figures_match: bool = True


def _judge(item, p: StandardFindingRecorded) -> str | None:
    """Why this finding does not count (None when it does)."""
    after = item.after
    computed = after.get("computed") or {}
    measured = after.get("measurable", after.get("compliance_percent") is not None)
    if not (p.with_compliance or p.figures_match):
        return None
    if not measured:
        return "unmeasurable"
    if computed.get("value") is None and (
        p.figures_match or after.get("compliance_percent") is None
    ):
        return "nothing_measured"
    if not p.figures_match:
        return None
    if figures.compare(after.get("measure") or "", after.get("stated") or {}, computed):
        return "figures"
    return None


MESSAGES = {
    "unmeasurable": (
        "{n} on a standard that cannot be measured as written, so the CRM has no figure for "
        "it (monitoring needs a measurable standard)"
    ),
    "nothing_measured": (
        "{n} covering a period in which nothing had been measured yet (no decided cases), so "
        "there is no data behind it: choose a period with cases in it"
    ),
    "figures": (
        "{n} whose figures are not the CRM's for the period it covers, or that leaves out the "
        "figure or the breaches: the figures come from the records, so take them from "
        + WHERE
        + " for that period, or choose to use the CRM's figures"
    ),
}


@register("standard_finding_recorded", StandardFindingRecorded)
def standard_finding_recorded(state, log, scenario, p: StandardFindingRecorded) -> CheckResult:
    """Passes when at least `min` findings on service standards were recorded in this attempt
    (about the named opening standard, if given), each on a standard the CRM could measure
    with decided cases in the period it covers (`with_compliance`), and stating the measured
    figure and the breaches as the CRM's records give them for that period, within the
    tolerance (`figures_match`)."""
    standard_id = state.id_of("standards", p.standard) if p.standard else None
    recorded = [
        i
        for i in as_log(log).of("standard.finding_recorded")
        if standard_id is None or i.after.get("standard_id") == standard_id
    ]
    if not recorded:
        which = "this standard" if p.standard else "any service standard"
        return CheckResult(
            False,
            f"no monitoring finding has been recorded on {which} in this attempt: monitor "
            f"service delivery against the standard and record what it shows, from {WHERE}.",
        )
    good, why = [], {}
    for item in recorded:
        reason = _judge(item, p)
        if reason is None:
            good.append(item)
        else:
            why.setdefault(reason, []).append(item)
    if len(good) >= p.min:
        what = (
            "stating the CRM's figures for the period it covers"
            if p.figures_match
            else "on a standard the CRM measured, with decided cases in the period it covers"
            if p.with_compliance
            else "recorded"
        )
        return CheckResult(
            True, f"{count_of(len(good), 'monitoring finding')} {what}.", [i.seq for i in good]
        )
    problems = [
        MESSAGES[reason].format(n=count_of(len(items), "finding")) for reason, items in why.items()
    ]
    if not problems:
        problems.append(f"{len(good)} of the {p.min} findings needed have been recorded")
    evidence = [i.seq for items in why.values() for i in items] or [i.seq for i in good]
    return CheckResult(False, "; ".join(problems) + ".", sorted(evidence))
