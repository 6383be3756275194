from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from ...models import Role
from ...services import groups
from ..forms_common import OnceForm, choices, options


class ToggleActiveForm(FlaskForm):
    submit = SubmitField("Change")


class EraseForm(FlaskForm):
    confirm_email = StringField(
        "Type the learner's email address to confirm",
        validators=[DataRequired(message="Type the learner's email address to confirm.")],
    )
    submit = SubmitField("Erase this learner's personal data")


class NewUserForm(OnceForm):
    name = StringField("Name", validators=[DataRequired(message="Enter a name."), Length(max=120)])
    email = StringField(
        "Email", validators=[DataRequired(message="Enter an email address."), Length(max=254)]
    )
    role = SelectField("Role", choices=choices(Role), validate_choice=False)
    password = PasswordField(
        "First password (leave blank to generate one; it is shown once)",
        validators=[Optional(), Length(max=256)],
    )
    submit = SubmitField("Create account")


class RoleForm(FlaskForm):
    role = SelectField("New role", choices=choices(Role), validate_choice=False)
    submit = SubmitField("Change role")


class NewGroupForm(OnceForm):
    name = StringField(
        "Group name", validators=[DataRequired(message="Enter a group name."), Length(max=120)]
    )
    tutor_id = SelectField("Tutor", validate_choice=False)
    body_id = SelectField("Qualification (its assessment criteria apply)", validate_choice=False)
    submit = SubmitField("Create group")


class TutorForm(FlaskForm):
    tutor_id = SelectField("Give the group to", validate_choice=False)
    submit = SubmitField("Change tutor")


def tutor_choices(blank: str = "Choose a tutor"):
    """The enabled tutors, as options for a select."""
    return options(
        ("", blank), *((str(t.id), f"{t.name} ({t.email})") for t in groups.active_tutors())
    )


def tutor_form(group) -> TutorForm:
    """The change-tutor form for a group, offering every enabled tutor but its own."""
    form = TutorForm(formdata=None)
    form.tutor_id.choices = [c for c in tutor_choices() if c.value != str(group.tutor_id)]
    return form
