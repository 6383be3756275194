"""The admin's LTI platforms: register a platform (Moodle, Canvas...), change or deactivate it,
see the values the platform needs from us and the launches refused lately."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField

from ...access import admin_area
from ...services.errors import NotFound, ServiceError
from ...services.lti import registrations
from ..forms_common import ButtonForm
from ..transaction import transaction
from . import bp


class RegistrationForm(FlaskForm):
    name = StringField("Name (for you)", description="For example: College Moodle.")
    issuer = StringField(
        "Issuer (Platform ID)",
        description="Moodle: the site's address. Canvas: https://canvas.instructure.com.",
    )
    client_id = StringField(
        "Client ID", description="The platform gives it when the tool is added."
    )
    deployment_ids = TextAreaField(
        "Deployment IDs", description="One per line: every deployment that may launch the tool."
    )
    auth_login_url = StringField("Authentication request URL (OIDC auth)")
    auth_token_url = StringField("Access token URL")
    key_set_url = StringField("Public keyset URL")
    auth_audience = StringField(
        "Token audience (optional)",
        description="Only if the platform asks for an audience other than its token URL.",
    )
    submit = SubmitField("Save")

    def values(self) -> registrations.RegistrationValues:
        return registrations.RegistrationValues(
            **{name: getattr(self, name).data or "" for name in registrations.FIELD_LABELS},
            deployment_ids=self.deployment_ids.data or "",
        )


def tool_urls() -> list[tuple[str, str]]:
    """What a platform needs from us, as absolute URLs."""
    launch = url_for("lti.launch", _external=True)
    return [
        ("Tool URL / target link URI", launch),
        ("Initiate login URL (OpenID Connect initiation)", url_for("lti.login", _external=True)),
        ("Redirection URI(s)", launch),
        ("Public keyset URL (JWK URL)", url_for("lti.jwks", _external=True)),
        ("Deep linking URL (content selection URL)", launch),
    ]


def _registration(registration_id: int):
    try:
        return registrations.get_registration(registration_id)
    except NotFound:
        abort(404)


@bp.route("/lti")
@admin_area
def lti_platforms():
    return render_template(
        "admin/lti_list.html",
        rows=registrations.all_registrations(),
        urls=tool_urls(),
        refusals=registrations.recent_refusals(),
        button=ButtonForm(),
    )


def _form_page(form, row=None, status=200):
    return render_template("admin/lti_form.html", form=form, row=row, urls=tool_urls()), status


@bp.route("/lti/new", methods=["GET", "POST"])
@admin_area
def lti_new():
    form = RegistrationForm()
    if not form.is_submitted():
        return _form_page(form)
    with transaction(form) as tx:
        if not form.validate_on_submit():
            raise ServiceError("The form expired: send it again.")
        made = registrations.create_registration(form.values(), by=current_user)
        tx.success = f"{made.name} is registered: its launches are accepted from now on."
    if not tx.ok:
        return _form_page(form, status=422)
    return redirect(url_for(".lti_platforms"))


@bp.route("/lti/<int:registration_id>", methods=["GET", "POST"])
@admin_area
def lti_edit(registration_id: int):
    row = _registration(registration_id)
    if not RegistrationForm().is_submitted():
        form = RegistrationForm(formdata=None, obj=registrations.values_of(row))
        return _form_page(form, row)
    form = RegistrationForm()
    with transaction(form) as tx:
        if not form.validate_on_submit():
            raise ServiceError("The form expired: send it again.")
        registrations.update_registration(row, form.values(), by=current_user)
        tx.success = f"{row.name} is saved."
    if not tx.ok:
        return _form_page(form, _registration(registration_id), status=422)
    return redirect(url_for(".lti_platforms"))


def _set_active(registration_id: int, active: bool, done: str):
    row = _registration(registration_id)
    form = ButtonForm()
    with transaction(form, refused="Nothing was changed") as tx:
        if not form.validate_on_submit():
            raise ServiceError("The form expired: try again.")
        registrations.set_active(row, active, by=current_user)
        tx.success = f"{row.name} {done}"
    return redirect(url_for(".lti_platforms"))


@bp.route("/lti/<int:registration_id>/deactivate", methods=["POST"])
@admin_area
def lti_deactivate(registration_id: int):
    return _set_active(registration_id, False, "is deactivated: its launches are refused.")


@bp.route("/lti/<int:registration_id>/activate", methods=["POST"])
@admin_area
def lti_activate(registration_id: int):
    return _set_active(registration_id, True, "is active again: its launches are accepted.")
