"""Small helpers every area's forms share."""

from __future__ import annotations

from flask import flash, redirect, request
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from ..extensions import db
from ..services import form_tokens
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


def show_service_error(
    form: FlaskForm | None, exc: ServiceError, refused: str = "Nothing was saved"
) -> None:
    """Put a refused action's message on the form field it names, or flash it; `refused`
    begins the flashed sentence."""
    field = getattr(form, exc.field, None) if (form is not None and exc.field) else None
    if field is not None and hasattr(field, "errors"):
        errors = list(field.errors) if isinstance(field.errors, list | tuple) else []
        errors.append(exc.message)
        field.errors = errors
        flash(f"{refused}: please correct the highlighted field.", "danger")
    else:
        # A refusal that is its own sentence ("You cannot disable your own account.") is
        # flashed as it is: refused="".
        flash(f"{refused}: {exc.message}" if refused else exc.message, "danger")


class FormTokenField(HiddenField):
    """The one-time token of a create form (see `services.form_tokens`). A missing or
    malformed token is replaced by a fresh one when the form is shown again."""

    def _value(self):
        if not form_tokens.valid_token(self.data):
            self.data = form_tokens.new_token()
        return self.data


class OnceForm(FlaskForm):
    """Base of create forms: saving the same rendered form twice makes one record."""

    form_token = FormTokenField(default=form_tokens.new_token)

    def renew_token(self) -> OnceForm:
        """Give the form a new token and return it: a form shown once per row (a plan for each
        finding, a review of each decision) needs a token per row, since each row's save is
        a save of its own."""
        self.form_token.data = form_tokens.new_token()
        return self


def save_once(form: OnceForm, action, url_of):
    """Wrap a create action so that the form's token is used once: `url_of(result)` is where
    a repeated save is sent. Use inside the same transaction as the action (a
    `web.transaction` block); a repeat raises `AlreadySaved`, answered by a redirect."""

    def run():
        submission = form_tokens.claim(form.form_token.data, current_user)
        result = action()
        db.session.flush()
        form_tokens.saved(submission, url_of(result))
        return result

    return run


def register_already_saved_handler(app) -> None:
    @app.errorhandler(form_tokens.AlreadySaved)
    def _already_saved(exc: form_tokens.AlreadySaved):
        # An error handler ends the failed request's transaction itself (Flask calls it
        # after the view has given up); `web.transaction` has rolled back already, this
        # covers a save_once used outside one.
        db.session.rollback()
        flash(exc.message, "info")
        return redirect(exc.result_url or request.path)


def form_problems(form) -> str:
    """Every message of a form that did not validate, as one sentence list (for a refusal)."""
    return " ".join(e for errs in form.errors.values() for e in errs)
