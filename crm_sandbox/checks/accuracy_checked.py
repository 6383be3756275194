"""Check type `accuracy_checked`: named records checked with the customer for accuracy, and
any listed fields corrected."""

from __future__ import annotations

from . import CheckResult, Params, register
from ._helpers import as_log
from ._records import changes_to, same


class AccuracyChecked(Params):
    contacts: list[str]
    # contact key -> {field: the value the customer gave}; compared after normalising
    # (postcodes, phone numbers, emails, names), so "ls185pa" is "LS18 5PA". "" means the
    # field must be cleared.
    expect: dict[str, dict[str, str]] = {}
    # The mark must come after a duplicate was merged into the record (check the record once
    # it is the one record with the whole history).
    after_merge: bool = False


def _label(field: str) -> str:
    return field.replace("_", " ")


@register("accuracy_checked", AccuracyChecked)
def accuracy_checked(state, log, scenario, p: AccuracyChecked) -> CheckResult:
    """Passes when each contact was marked as checked in this attempt after its listed fields
    were changed to the values in `expect` (compared after normalising: a postcode without its
    space, a phone number with +44, an email in capitals are the same value). A record marked
    as checked before it was corrected was not checked."""
    problems, evidence = [], []
    log = as_log(log)
    for key in p.contacts:
        contact = state.get("contacts", key)
        if contact is None:
            problems.append("a record the task names is no longer in the CRM")
            continue
        name = contact.display_name
        marks = [i for i in log.of("contact.accuracy_checked") if i.object_id == contact.id]
        wrong = [
            field
            for field, value in p.expect.get(key, {}).items()
            if not same(field, getattr(contact, field, "") or "", value)
        ]
        if wrong:
            problems.append(
                f"{name}'s {' and '.join(_label(f) for f in wrong)} "
                f"{'does' if len(wrong) == 1 else 'do'} not yet match what the customer told us"
            )
        last_change = max(
            (
                c.seq
                for f in p.expect.get(key, {})
                for c in changes_to(log, "contact", contact.id, f)
            ),
            default=0,
        )
        if p.after_merge:
            merges = [
                i.seq
                for i in log.of("contact.merged")
                if i.object_id == contact.id and i.object_type == "contact"
            ]
            last_change = max([last_change, *merges[:1]])
            if not merges:
                problems.append(
                    f"no duplicate has been merged into {name}'s record in this attempt: "
                    "check the record once it is the one record with the whole history"
                )
        if not marks:
            problems.append(f"{name} has not been marked as checked in this attempt")
        elif marks[-1].seq < last_change and not wrong:
            problems.append(
                f"{name} was marked as checked before the record was put right: check it "
                "once it is right"
            )
        evidence.extend(i.seq for i in marks[-1:])
    if problems:
        return CheckResult(False, "; ".join(problems) + ".", evidence)
    return CheckResult(True, "the records were corrected and then checked.", evidence)
