"""The complaint page's structured choices in the browser's terms: the policy rule a resolution
applies, the procedure's reason for escalating (with the amount asked for), and the policy and
kind of change a lesson learned is about. Each is a real, labelled select; a value that is not
the organisation's gets a clear message and changes nothing; a post without its CSRF token is
refused; what was chosen is shown on the complaint page and the Organisation & policies page
numbers the rules the learner chooses from."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from crm_sandbox.extensions import db
from crm_sandbox.models import Complaint, Contact
from crm_sandbox.services import complaints


@pytest.fixture
def crm(client, auth, provision, ctx_for):
    sandbox = provision()  # retail
    auth.login(sandbox.owner.email)
    ctx = ctx_for(sandbox)
    contact = db.session.scalars(
        select(Contact)
        .where(Contact.sandbox_id == sandbox.id, Contact.category == "external")
        .order_by(Contact.id)
        .limit(1)
    ).one()
    complaint = complaints.receive_complaint(
        ctx,
        contact,
        {"channel": "email", "category": "Other", "description": "The pillow fell apart."},
    )
    complaints.acknowledge(ctx, complaint, "email", "Sorry: we are looking into it.")
    complaints.start_investigation(ctx, complaint, "Read the returns policy.")
    db.session.commit()
    return sandbox, ctx, complaint, f"/s/{sandbox.id}/complaints/{complaint.id}"


def fresh(complaint: Complaint) -> Complaint:
    db.session.rollback()
    return db.session.get(Complaint, complaint.id)


def labelled_select(page: str, name: str) -> str:
    """The select's HTML, after checking a <label for> names it."""
    assert re.search(rf'<label[^>]*for="{name}"', page), name
    found = re.search(rf'<select[^>]*name="{name}".*?</select>', page, re.S)
    assert found, name
    return found.group(0)


RESOLVE = {
    "res-resolution": "Faulty within a fortnight: all his money back, postage too.",
    "res-channel": "email",
    "res-outcome_message": "You will get everything you paid back.",
    "res-remedy_type": "full_refund",
    "res-remedy_amount": "44.94",
}


def test_the_resolve_form_offers_every_rule_of_the_organisations_policies(client, crm):
    _, _, _, url = crm
    options = labelled_select(client.get(url).text, "res-policy_rule")
    assert 'value="returns.2"' in options and "Returns and refunds policy, rule 2" in options
    assert 'value="charter.5"' in options and 'value=""' in options


def test_a_resolution_records_the_rule_chosen_and_the_page_shows_it(client, crm):
    _, _, complaint, url = crm
    done = client.post(
        f"{url}/resolve", data={**RESOLVE, "res-policy_rule": "returns.2"}, follow_redirects=True
    )
    assert "Resolution of complaint" in done.text
    assert fresh(complaint).policy_rule == "returns.2"
    assert "Policy rule applied" in done.text
    assert "Returns and refunds policy, rule 2: Faulty items" in done.text


@pytest.mark.parametrize("ref", ["returns.42", "pricing.1", "' OR 1=1 --"])
def test_a_rule_that_does_not_exist_is_refused_with_a_clear_message(client, crm, ref):
    _, _, complaint, url = crm
    refused = client.post(
        f"{url}/resolve", data={**RESOLVE, "res-policy_rule": ref}, follow_redirects=True
    )
    assert refused.status_code == 200
    assert "Choose one of the organisation&#39;s policy rules" in refused.text
    complaint = fresh(complaint)
    assert complaint.stage == "investigating" and complaint.policy_rule == ""


def test_the_escalate_form_offers_the_procedures_reasons_and_records_the_one_chosen(client, crm):
    _, _, complaint, url = crm
    page = client.get(url).text
    options = labelled_select(page, "esc-rule")
    assert "3. A refund or compensation over £100 is asked for" in options
    assert 'name="esc-amount"' in page
    done = client.post(
        f"{url}/escalate",
        data={
            "esc-rule": "3",
            "esc-reason": "He wants £150 for the ruined bedding",
            "esc-amount": "150",
        },
        follow_redirects=True,
    )
    complaint = fresh(complaint)
    assert (complaint.level, complaint.escalation_rule) == ("supervisor", 3)
    assert complaint.escalation_amount == "150.00"
    assert "Why it was escalated" in done.text and "£150.00" in done.text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"esc-rule": "7"}, "Choose one of the reasons the complaints procedure gives"),
        ({"esc-rule": "1", "esc-amount": "a lot"}, "must be a sum in pounds"),
    ],
)
def test_a_bad_escalation_reason_or_amount_changes_nothing(client, crm, data, message):
    _, _, complaint, url = crm
    refused = client.post(
        f"{url}/escalate", data={"esc-reason": "Not happy", **data}, follow_redirects=True
    )
    assert message in refused.text
    assert fresh(complaint).level == "front_line"


def test_the_close_form_asks_which_policy_the_lesson_changes_and_how(client, crm):
    _, ctx, complaint, url = crm
    complaints.resolve(ctx, complaint, "Refunded", "email", "Refund sent.")
    db.session.commit()
    page = client.get(url).text
    assert 'value="returns"' in labelled_select(page, "close-lessons_policy")
    assert 'value="train_staff"' in labelled_select(page, "close-lessons_change")
    close = {
        "close-root_cause": "Shop used the wrong rule",
        "close-lessons_learned": "Brief the shops",
        "close-judgement_note": "He did not answer",
        "close-satisfaction_reply": "",
        "close-confirm": "y",
    }
    refused = client.post(
        f"{url}/close", data={**close, "close-lessons_policy": "pricing"}, follow_redirects=True
    )
    assert "Choose one of the organisation&#39;s policies" in refused.text
    assert fresh(complaint).stage == "resolved"
    done = client.post(
        f"{url}/close",
        data={**close, "close-lessons_policy": "returns", "close-lessons_change": "train_staff"},
        follow_redirects=True,
    )
    complaint = fresh(complaint)
    assert (complaint.stage, complaint.lessons_policy) == ("closed", "returns")
    assert "Returns and refunds policy (Staff training" in done.text


def test_a_post_without_its_csrf_token_changes_nothing(client, crm):
    _, _, complaint, url = crm
    refused = client.post(
        f"{url}/resolve", data={**RESOLVE, "res-policy_rule": "returns.2"}, csrf=False
    )
    assert refused.status_code == 400
    assert fresh(complaint).stage == "investigating"


def test_the_organisation_page_numbers_each_policys_rules(client, crm):
    sandbox, _, _, _ = crm
    page = client.get(f"/s/{sandbox.id}/organisation").text
    assert 'id="rule-returns-2"' in page and "Rule 2</span>Faulty items" in page
    assert "<ol><li>the customer is not satisfied with the stage 1 response" in page
