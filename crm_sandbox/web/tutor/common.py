"""Helpers shared by the tutor area's route modules."""

from __future__ import annotations

from flask import abort, flash
from flask_login import current_user

from ...services import groups, tutoring
from ...services.errors import NotFound


def group_or_404(group_id: int):
    try:
        return groups.get_group(current_user, group_id)
    except NotFound:
        abort(404)


def attempt_or_404(attempt_id: int):
    try:
        return tutoring.get_attempt(current_user, attempt_id)
    except NotFound:
        abort(404)


def authored_or_404(authored_id: int):
    try:
        return tutoring.get_authored(current_user, authored_id)
    except NotFound:
        abort(404)


def flash_form_errors(form) -> None:
    for errors in form.errors.values():
        flash(" ".join(errors), "danger")


def uploaded_name(filename: str, default: str) -> str:
    """The name of an uploaded file without any folders, to name it in messages."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[:120] or default
