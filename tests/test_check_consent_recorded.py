"""Check type `consent_recorded`: consent recorded per channel as the customer gave it, in this
attempt (a change to another channel, or a record that already said so, earns nothing)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from crm_sandbox.checks import REGISTRY

from .trying import outcomes

MERGE = """
- do: merge
  keep: kirkgate
  duplicate: kirkgate_dup
"""


def test_consent_as_she_gave_it_passes_in_one_change_or_two(app):
    together = outcomes(
        "accurate-records",
        MERGE + "- {do: set_consent, contact: kirkgate, consent: {email: true, phone: false}}",
    )
    assert together["email-consent"].passed and together["phone-consent-withdrawn"].passed
    apart = outcomes(
        "accurate-records",
        MERGE
        + "- {do: set_consent, contact: kirkgate, consent: {phone: false}}\n"
        + "- {do: set_consent, contact: kirkgate, consent: {email: true}}",
    )
    assert apart["email-consent"].passed and apart["phone-consent-withdrawn"].passed


def test_nothing_done_or_the_wrong_channel_does_not_pass_and_gives_nothing_away(app):
    untouched = outcomes("accurate-records", [])
    assert not untouched["email-consent"].passed
    assert not untouched["phone-consent-withdrawn"].passed
    # only email recorded: the phone channel was not touched, whatever else changed
    only_email = outcomes(
        "accurate-records", MERGE + "- {do: set_consent, contact: kirkgate, consent: {email: true}}"
    )
    assert only_email["email-consent"].passed
    result = only_email["phone-consent-withdrawn"]
    assert not result.passed
    assert "has not been recorded in this attempt" in result.message
    for words in ("withdrawn", "false", "sales calls"):
        assert words not in result.message.lower()


def test_consent_recorded_before_the_merge_is_lost_by_it_and_the_message_says_why(app):
    result = outcomes(
        "accurate-records",
        "- {do: set_consent, contact: kirkgate, consent: {email: true, phone: false}}" + MERGE,
    )["email-consent"]
    assert not result.passed
    assert "merge keeps only the consent both records had" in result.message


def test_bad_params_are_refused():
    with pytest.raises(ValidationError):
        REGISTRY["consent_recorded"].params.model_validate({"contact": "x", "channel": "fax"})
