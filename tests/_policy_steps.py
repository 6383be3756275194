"""Steps shared by the complaint-policy check tests (returns-policy-complaint and
escalation-stage-2), as YAML fragments to build attempts from."""

from __future__ import annotations

RETURNS_START = """
- do: acknowledge
  complaint: pillow_refund
  channel: email
  message: "Dear Mr Nowak, I am looking into your complaint."
- do: investigate
  complaint: pillow_refund
"""


def returns_resolve(
    remedy: str = "{type: full_refund, amount: 44.94, by_working_days: 5}",
    policy: str | None = "returns.2",
    resolution: str = "Refund in full.",
) -> str:
    """Acknowledge, investigate and resolve the returns complaint with this remedy."""
    lines = (
        RETURNS_START
        + f"""
- do: resolve
  complaint: pillow_refund
  resolution: "{resolution}"
  channel: email
  message: "Here is the outcome of your complaint."
  remedy: {remedy}
"""
    )
    if policy:
        lines += f"  policy: {policy}\n"
    return lines + "- do: wait\n  working_hours: 3\n"


RETURNS_CLOSE_CONFIRMED = """
- do: ask_satisfied
  complaint: pillow_refund
  channel: email
  words: "Are you satisfied?"
- do: wait
  working_hours: 3
- do: close
  complaint: pillow_refund
  confirmed: true
  root_cause: "Shop error."
  lessons: "Brief the shops."
"""

STAGE1 = """
- do: investigate
  complaint: fan_repair
- do: resolve
  complaint: fan_repair
  resolution: "Electrician booked 30 April."
  channel: phone
  message: "Electrician booked 30 April and £20 compensation."
  remedy: {type: repair, by_working_days: 8}
"""
