"""A learner who has forgotten their password gets back in through their tutor: the sign-in
page says whom to ask, the tutor resets it from the group's page and reads out a one-time
password, and the learner must choose their own before anything else."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .helpers import check_accessible, flash, sign_in

pytestmark = pytest.mark.e2e


def test_a_locked_out_learner_gets_back_in_through_their_tutor(new_page, world):
    tutor_id, tutor_email = world.person("tutor", "Tess Tutor")
    learner_id, learner_email = world.person("learner", "Lou Locked")
    group = world.unique("Recovery group ")
    group_id = world.group(group, tutor_id, [learner_id])

    learner = new_page()
    learner.goto("/login")
    learner.get_by_text("Forgot password?").click()
    expect(learner.get_by_text("Ask your tutor (learners) or the administrator")).to_be_visible()

    tutor = new_page()
    sign_in(tutor, tutor_email)
    tutor.goto(f"/tutor/groups/{group_id}")
    tutor.get_by_role("button", name="Reset password of Lou Locked").click()
    expect(tutor.get_by_role("heading", name="One-time password for Lou Locked")).to_be_visible()
    assert tutor.watch.confirmations == [
        "Reset Lou Locked's password? They are signed out and get a one-time password, "
        "shown to you once."
    ]
    check_accessible(tutor, "the one-time password page")
    one_time = tutor.locator("code.one-time-password").inner_text().strip()

    sign_in(learner, learner_email, one_time)
    expect(learner.get_by_role("heading", name="Choose your own password")).to_be_visible()
    learner.goto("/learner/")  # nothing else opens until the password is their own
    expect(learner.get_by_role("heading", name="Choose your own password")).to_be_visible()
    learner.get_by_label("The password you were given").fill(one_time)
    learner.get_by_label("New password", exact=True).fill("Lou's own passphrase")
    learner.get_by_label("New password again").fill("Lou's own passphrase")
    learner.get_by_role("button", name="Save my new password").click()
    expect(flash(learner, "Your new password is saved.")).to_be_visible()
    expect(learner.get_by_role("heading", name="Hello, Lou Locked")).to_be_visible()
