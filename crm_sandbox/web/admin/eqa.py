"""The admin's EQA grants: which external quality assurer may read which group, for which
period; a grant can be ended early."""

from flask import abort, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, SubmitField
from wtforms.validators import InputRequired

from ...access import admin_area
from ...extensions import db
from ...models import User
from ...services import eqa, groups
from ...services.errors import NotFound, ServiceError
from ...wording import date_text
from ..forms_common import ButtonForm, form_problems, options
from ..transaction import transaction
from . import bp


class GrantForm(FlaskForm):
    eqa = SelectField("External quality assurer", validators=[InputRequired("Choose an EQA.")])
    group = SelectField("Group", validators=[InputRequired("Choose a group.")])
    starts_on = DateField("From (first day)", validators=[InputRequired("Give the first day.")])
    ends_on = DateField("Until (last day)", validators=[InputRequired("Give the last day.")])
    submit = SubmitField("Grant read-only access")


def _grant_form(blank: bool = False) -> GrantForm:
    form = GrantForm(formdata=None) if blank else GrantForm()
    form.eqa.choices = options(
        ("", "Choose…"), *((str(u.id), f"{u.name} ({u.email})") for u in eqa.eqa_accounts())
    )
    form.group.choices = options(
        ("", "Choose…"), *((str(g.id), g.name) for g in groups.groups_for(current_user))
    )
    return form


def _page(form, status=200):
    return render_template(
        "admin/eqa.html",
        rows=eqa.all_grants(),
        form=form,
        end_form=ButtonForm(),
        active=eqa.ACTIVE,
        scheduled=eqa.SCHEDULED,
    ), status


@bp.route("/eqa")
@admin_area
def eqa_grants():
    return _page(_grant_form(blank=True))


@bp.route("/eqa", methods=["POST"])
@admin_area
def eqa_grant():
    form = _grant_form()
    with transaction(form) as tx:
        if not form.validate_on_submit():
            raise ServiceError(form_problems(form))
        person = db.session.get(User, int(form.eqa.data))
        group = groups.get_group(current_user, int(form.group.data))
        made = eqa.grant(person, group, form.starts_on.data, form.ends_on.data, by=current_user)
        tx.success = (
            f"{person.name} may read {group.name} from {date_text(made.starts_on)} "
            f"until {date_text(made.ends_on)}."
        )
    if not tx.ok:
        return _page(form, status=422)
    return redirect(url_for(".eqa_grants"))


@bp.route("/eqa/<int:grant_id>/end", methods=["POST"])
@admin_area
def eqa_end(grant_id: int):
    try:
        found = eqa.get_grant(grant_id)
    except NotFound:
        abort(404)
    form = ButtonForm()
    with transaction(form, refused="Nothing was changed") as tx:
        if not form.validate_on_submit():
            raise ServiceError("The form expired: try again.")
        eqa.end_grant(found, by=current_user)
        tx.success = "The EQA's access has ended: they no longer see the group."
    return redirect(url_for(".eqa_grants"))
