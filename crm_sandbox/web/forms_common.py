"""Small helpers every area's forms share."""

from __future__ import annotations

from flask import flash
from flask_wtf import FlaskForm
from wtforms import BooleanField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from ..services.errors import ServiceError


class ButtonForm(FlaskForm):
    """A form that is only a button (and its CSRF token)."""

    submit = SubmitField("Go")


class ConfirmForm(FlaskForm):
    """A button for an action that cannot be taken back, and the box that must be ticked
    first (a POST without it changes nothing); the template words the box's label."""

    confirm = BooleanField(
        "I am sure", validators=[DataRequired(message="Tick the box to confirm.")]
    )
    submit = SubmitField("Go")


def choices(enum_cls, blank: str | None = None) -> list[SelectChoice]:
    """Options for a select field from an enum, with an optional blank first option."""
    items = [SelectChoice(m.value, getattr(m, "label", m.value)) for m in enum_cls]
    return ([SelectChoice("", blank)] if blank is not None else []) + items


def options(*pairs: tuple[str, str]) -> list[SelectChoice]:
    """Options for a select field from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def show_service_error(form: FlaskForm | None, exc: ServiceError) -> None:
    """Put a refused action's message on the form field it names, or flash it."""
    field = getattr(form, exc.field, None) if (form is not None and exc.field) else None
    if field is not None and hasattr(field, "errors"):
        errors = list(field.errors) if isinstance(field.errors, list | tuple) else []
        errors.append(exc.message)
        field.errors = errors
        flash("Nothing was saved: please correct the highlighted field.", "danger")
    else:
        flash(f"Nothing was saved: {exc.message}", "danger")
