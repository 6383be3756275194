"""The tutor's pages for a group made from a course on a learning platform: the scores not yet
on the platform, and pulling the course's members into the group (preview, then add)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeTimedSerializer
from wtforms import HiddenField, SubmitField

from ...access import tutor_area
from ...services.errors import ServiceError
from ...services.lti import grades, roster
from ...wording import count_of
from ..transaction import transaction
from . import bp
from .common import group_or_404

# How long a roster preview may be confirmed: after this the tutor looks at a fresh one.
PREVIEW_SECONDS = 3600


class RosterForm(FlaskForm):
    # The members the tutor was shown, signed by the app (so the list cannot be altered in
    # the page) and bound to the group and the tutor: "Add these people" adds what was shown.
    members = HiddenField()
    submit = SubmitField("Add them")


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="lti-roster-preview")


def _sign(group, members) -> str:
    return _signer().dumps(
        {"group": group.id, "by": current_user.id, "members": [m.as_dict() for m in members]}
    )


def _unsign(group, token: str) -> list[roster.Member] | None:
    try:
        data = _signer().loads(token or "", max_age=PREVIEW_SECONDS)
    except BadSignature:  # altered, or older than PREVIEW_SECONDS (SignatureExpired)
        return None
    if data.get("group") != group.id or data.get("by") != current_user.id:
        return None
    return [
        roster.Member(
            user_id=m["user_id"],
            name=m["name"],
            email=m["email"],
            roles=tuple(m["roles"]),
            status=m["status"],
        )
        for m in data.get("members", [])
    ]


@bp.route("/groups/<int:group_id>/lti/scores")
@tutor_area
def lti_scores(group_id: int):
    """The group's scores waiting to be sent to its platform (pending or refused)."""
    found = group_or_404(group_id)
    return render_template(
        "tutor/lti_scores.html",
        group=found,
        platforms=grades.platform_names(found),
        waiting=grades.waiting_scores(found),
    )


@bp.route("/groups/<int:group_id>/lti/roster")
@tutor_area
def lti_roster(group_id: int):
    """Who the course's members would become here, before anything changes."""
    found = group_or_404(group_id)
    course = roster.course_of(found)
    plan, problem, form = None, "", RosterForm(formdata=None)
    if course is not None:
        try:
            members = roster.fetch_members(course)
        except ServiceError as exc:
            problem = exc.message
        else:
            plan = roster.plan(found, course, members, current_user)
            form.members.data = _sign(found, members)
    return render_template(
        "tutor/lti_roster.html", group=found, course=course, plan=plan, problem=problem, form=form
    )


@bp.route("/groups/<int:group_id>/lti/roster/add", methods=["POST"])
@tutor_area
def lti_roster_import(group_id: int):
    """Add the people the preview showed (those still to add when the button is pressed)."""
    found = group_or_404(group_id)
    course = roster.course_of(found)
    form = RosterForm()
    members = _unsign(found, form.members.data) if form.validate_on_submit() else None
    if course is None or members is None:
        flash(
            "That list of the course's members is out of date: here it is again. Nothing was "
            "changed.",
            "warning",
        )
        return redirect(url_for("tutor.lti_roster", group_id=found.id))
    with transaction(refused="Nobody was added") as tx:
        made = roster.import_members(found, course, members, current_user)
        added = [
            count_of(len(made.learners), "learner"),
            count_of(len(made.assessors), "assessor"),
        ]
        tx.success = f"Added {added[0]} and {added[1]} from {course.registration.name}."
    if not tx.ok:
        return redirect(url_for("tutor.lti_roster", group_id=found.id))
    return redirect(url_for("tutor.group", group_id=found.id))
