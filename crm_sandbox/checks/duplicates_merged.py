"""Check type `duplicates_merged`: a duplicate record merged into the right one."""

from __future__ import annotations

from . import CheckResult, Params, register
from ._helpers import as_log


class DuplicatesMerged(Params):
    keep: str
    duplicate: str


@register("duplicates_merged", DuplicatesMerged)
def duplicates_merged(state, log, scenario, p: DuplicatesMerged) -> CheckResult:
    """Passes when `duplicate` was merged into `keep` (and not the other way round)."""
    keep, dup = state.get("contacts", p.keep), state.get("contacts", p.duplicate)
    if keep is None or dup is None:
        return CheckResult(False, "the records were not found.")
    merges = [
        i.seq
        for i in as_log(log).of("contact.merged")
        if i.object_id == keep.id and i.after.get("merged_contact_id") == dup.id
    ]
    if dup.merged_into_id == keep.id:
        return CheckResult(True, "the duplicate was merged into the right record.", merges)
    if keep.merged_into_id == dup.id:
        return CheckResult(
            False,
            "the records were merged the wrong way round: keep the complete, up-to-date record.",
        )
    return CheckResult(False, "the duplicate records have not been merged.")
