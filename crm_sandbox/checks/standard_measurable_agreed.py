"""Check type `standard_measurable_agreed`: a measurable standard agreed with a customer."""

from __future__ import annotations

from typing import Literal

from ..models import Contact, ServiceStandard
from ..services.standards import measurability_problems
from ..wording import count_of
from . import CheckResult, Params, register
from ._helpers import as_log


class MeasurableAgreed(Params):
    min: int = 1
    measures: list[str] = []
    agreed_with_contact: str | None = None  # an opening contact who must have agreed it
    agreed_with_category: Literal["internal", "external"] | None = None


@register("standard_measurable_agreed", MeasurableAgreed)
def standard_measurable_agreed(state, log, scenario, p: MeasurableAgreed) -> CheckResult:
    """Passes when at least `min` standards written in this attempt are measurable and agreed
    (with the named contact, or a contact of the given category, if asked)."""
    log = as_log(log)
    made = {i.object_id for i in log.of("standard.created")}
    agreed = {i.object_id: i for i in log.of("standard.agreed")}
    good, vague, evidence = [], [], []
    contacts = {c.id: c for c in state.all(Contact)}
    for s in state.all(ServiceStandard):
        if s.id not in made:
            continue
        if p.measures and s.measure not in p.measures:
            continue
        if measurability_problems(s):
            vague.append(s.title)
            continue
        item = agreed.get(s.id)
        if item is None or s.status != "agreed":
            continue
        if p.agreed_with_contact and s.agreed_with_contact_id != state.id_of(
            "contacts", p.agreed_with_contact
        ):
            continue
        if p.agreed_with_category:
            who = contacts.get(s.agreed_with_contact_id)
            if who is None or who.category != p.agreed_with_category:
                continue
        good.append(s)
        evidence.append(item.seq)
    if len(good) >= p.min:
        return CheckResult(True, f"{count_of(len(good), 'measurable standard')} agreed.", evidence)
    if vague:
        return CheckResult(False, "not measurable: " + "; ".join(vague), evidence)
    return CheckResult(False, f"{len(good)} of {p.min} measurable standard(s) agreed.", evidence)
