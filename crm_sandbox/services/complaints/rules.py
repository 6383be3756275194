"""The organisation's policies as rules a learner can point at, built in one place from the
profile's text.

A profile's `policies:` are text (`seed/profiles/*.yaml`): a heading line, then one rule a line
("- ..." or "1. ..."). Each rule gets a stable reference, `<policy>.<n>` for the n-th rule of
that policy ("returns.2": the second rule of the returns policy), which is what a resolution
records as the rule that decides it, what the scenario's truth names and what the checks
compare. The complaints procedure's `escalate_when` reasons are numbered the same way, from 1,
so an escalation records the reason the procedure gives by its number. Pure: nothing here
writes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ..errors import ServiceError

# The titles the "Organisation & policies" page gives each policy, in its order.
POLICY_TITLES = {
    "charter": "Customer service charter",
    "complaints": "Complaints procedure",
    "returns": "Returns and refunds policy",
    "data_protection": "Data protection policy",
}
_RULE_LINE = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)])\s+(?P<text>\S.*)$")

# What a lesson learned changes (a structured choice beside the learner's own words).
LESSON_CHANGES = {
    "train_staff": "Staff training or a reminder: apply the policy or procedure as written",
    "change_process": "Change how we work: a step, a check or a system",
    "change_policy": "Change what the policy or procedure itself says",
}


@dataclass(frozen=True)
class PolicyRule:
    ref: str  # "returns.2"
    policy: str  # "returns"
    number: int  # 2
    text: str  # the rule's words

    def label(self, title: str = "") -> str:
        """ "Returns and refunds policy, rule 2: Faulty items: you can ..."."""
        title = title or POLICY_TITLES.get(self.policy, self.policy.replace("_", " ").capitalize())
        return f"{title}, rule {self.number}: {self.text}"


@dataclass(frozen=True)
class PolicyText:
    """One policy as the page shows it: its heading, its rules and any lines between them."""

    key: str
    title: str
    heading: str
    lines: tuple  # ("rule", PolicyRule) or ("text", str), in order


def _ordered(policies: dict) -> list[str]:
    known = [k for k in POLICY_TITLES if (policies or {}).get(k)]
    return known + sorted(k for k in (policies or {}) if k not in POLICY_TITLES and policies[k])


def policy_texts(policies: dict) -> list[PolicyText]:
    """Every policy of the organisation, split into its heading and numbered rules."""
    out = []
    for key in _ordered(policies):
        raw = [line for line in str(policies[key]).splitlines() if line.strip()]
        heading = raw[0].strip() if raw and not _RULE_LINE.match(raw[0]) else ""
        body = raw[1:] if heading else raw
        lines, number = [], 0
        for line in body:
            found = _RULE_LINE.match(line)
            if found:
                number += 1
                lines.append(("rule", PolicyRule(f"{key}.{number}", key, number, found["text"])))
            else:
                lines.append(("text", line.strip()))
        title = POLICY_TITLES.get(key, heading or key.replace("_", " ").capitalize())
        out.append(PolicyText(key, title, heading, tuple(lines)))
    return out


def policy_rules(policies: dict) -> list[PolicyRule]:
    """Every rule of every policy, in the page's order."""
    return [item for p in policy_texts(policies) for kind, item in p.lines if kind == "rule"]


def find_rule(policies: dict, ref: str | None) -> PolicyRule | None:
    """The rule a reference names, or None."""
    ref = (ref or "").strip().lower()
    return next((r for r in policy_rules(policies) if r.ref == ref), None)


def rule_choices(policies: dict) -> list[tuple[str, str]]:
    """(reference, label) for a select: every rule, grouped by policy in the page's order."""
    titles = {p.key: p.title for p in policy_texts(policies)}
    return [(r.ref, r.label(titles.get(r.policy, ""))) for r in policy_rules(policies)]


def policy_choices(policies: dict) -> list[tuple[str, str]]:
    """(key, title) of each policy or procedure the organisation has."""
    return [(p.key, p.title) for p in policy_texts(policies)]


def require_rule(policies: dict, ref, field: str = "policy_rule") -> PolicyRule | None:
    """The rule a learner chose (None when they chose none); a reference that is not one of
    the organisation's rules is refused with a message that says where the rules are."""
    if ref in (None, ""):
        return None
    rule = find_rule(policies, str(ref))
    if rule is None:
        raise ServiceError(
            "Choose one of the organisation's policy rules (they are listed, numbered, under "
            "Organisation & policies).",
            field,
        )
    return rule


def require_policy(policies: dict, key, field: str = "lessons_policy") -> str:
    """The policy or procedure a lesson is about ('' when none chosen); refuses an unknown one."""
    if key in (None, ""):
        return ""
    key = str(key).strip().lower()
    if key not in dict(policy_choices(policies)):
        raise ServiceError(
            "Choose one of the organisation's policies or its complaints procedure.", field
        )
    return key


def require_change(kind, field: str = "lessons_change") -> str:
    """The kind of change a lesson makes ('' when none chosen); refuses an unknown one."""
    if kind in (None, ""):
        return ""
    if kind not in LESSON_CHANGES:
        raise ServiceError("Choose what the lesson changes from the list.", field)
    return str(kind)


def escalation_rules(procedure: dict) -> list[tuple[int, str]]:
    """The complaints procedure's reasons for escalating, numbered from 1."""
    return [(n, str(text)) for n, text in enumerate((procedure or {}).get("escalate_when", []), 1)]


def require_escalation_rule(procedure: dict, number, field: str = "rule") -> tuple[int, str] | None:
    """The procedure's escalation reason a learner chose, by number (None when none chosen)."""
    if number in (None, ""):
        return None
    try:
        wanted = int(str(number).strip())
    except ValueError:
        wanted = 0
    for n, text in escalation_rules(procedure):
        if n == wanted:
            return n, text
    raise ServiceError(
        "Choose one of the reasons the complaints procedure gives for escalating (listed "
        "under Organisation & policies).",
        field,
    )


def money(value, field: str, what: str = "The amount") -> str:
    """An amount of money as text with two decimals ('' when none given)."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(str(value).replace("£", "").replace(",", "").strip())
    except InvalidOperation:
        raise ServiceError(
            f"{what} must be a sum in pounds, such as 150 or 44.94.", field
        ) from None
    if not amount.is_finite() or amount <= 0 or amount >= 1_000_000:
        raise ServiceError(f"{what} must be more than £0 and less than £1,000,000.", field)
    return f"{amount.quantize(Decimal('0.01'))}"
