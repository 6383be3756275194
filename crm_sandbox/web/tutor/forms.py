from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms_common import options


class GroupForm(FlaskForm):
    name = StringField("Group name", validators=[DataRequired(), Length(max=120)])
    body_id = SelectField("Qualification (its assessment criteria apply)")
    submit = SubmitField("Create group")


class RenameGroupForm(FlaskForm):
    # Its own id: the add-learner form on the same page has a `name` field too, and a shared id
    # would make this label name that field.
    name = StringField("New name", validators=[DataRequired(), Length(max=120)], id="new_name")
    submit = SubmitField("Rename")


class ArchiveGroupForm(FlaskForm):
    confirm = BooleanField(
        "I understand the group leaves my lists (its learners and their work are kept)",
        validators=[DataRequired(message="Tick the box to confirm.")],
    )
    submit = SubmitField("Archive this group")


class AssessorForm(FlaskForm):
    assessor_id = SelectField("Assessor", validate_choice=False)
    submit = SubmitField("Assign assessor")


class AddLearnerForm(FlaskForm):
    name = StringField("Name (for a new account)", validators=[Optional(), Length(max=120)])
    email = StringField("Email", validators=[DataRequired(), Length(max=254)])
    submit = SubmitField("Add learner")


class ImportForm(FlaskForm):
    file = FileField("CSV file (name,email,role,group)", validators=[FileRequired()])
    submit = SubmitField("Import")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AssignForm(FlaskForm):
    scenario = SelectField("Scenario", validators=[DataRequired()])
    who = RadioField(
        "For",
        choices=options(("all", "The whole group"), ("chosen", "Only the learners ticked below")),
        default="all",
    )
    learners = MultiCheckboxField("Learners", validators=[Optional()])
    due = DateField("Due date (optional; the end of that day, UTC)", validators=[Optional()])
    submit = SubmitField("Assign")


class ResetAttemptForm(FlaskForm):
    reason = TextAreaField(
        "Reason (recorded in the learner's action log)",
        validators=[DataRequired(message="Give the reason for the reset."), Length(max=500)],
    )
    confirm = BooleanField(
        "I understand everything the learner did in this sandbox is undone (the log is kept)",
        validators=[DataRequired(message="Tick the box to confirm the reset.")],
    )
    submit = SubmitField("Reset the sandbox")


class ExtendDueForm(FlaskForm):
    due = DateField("New due date (the end of that day, UTC)", validators=[DataRequired()])
    submit = SubmitField("Extend")


class ScenarioUploadForm(FlaskForm):
    file = FileField("Scenario file (.yaml)")
    text = TextAreaField("…or paste the YAML", validators=[Optional()])
    submit = SubmitField("Check and save as draft")


class ScenarioEditForm(FlaskForm):
    text = TextAreaField("Scenario YAML", validators=[DataRequired()])
    submit = SubmitField("Check and save")
