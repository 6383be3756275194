from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from ...models import (
    AccountType,
    Category,
    Channel,
    ConfirmationMethod,
    Lifecycle,
    Segment,
)
from ..forms_common import choices, options


class ContactForm(FlaskForm):
    first_name = StringField("First name", validators=[Length(max=80)])
    last_name = StringField("Last name", validators=[Length(max=80)])
    organisation_name = StringField("Organisation", validators=[Length(max=160)])
    job_title = StringField("Job title", validators=[Length(max=120)])
    department = StringField("Department (internal customers)", validators=[Length(max=120)])
    email = EmailField("Email", validators=[Optional(), Length(max=254)])
    phone = TelField("Phone", validators=[Optional(), Length(max=32)])
    address = StringField("Address", validators=[Length(max=300)])
    postcode = StringField("Postcode", validators=[Length(max=10)])
    category = SelectField("Type of contact", choices=choices(Category))
    account_type = SelectField("Account type", choices=choices(AccountType))
    segment = SelectField("Segment (external customers)", choices=choices(Segment, "None"))
    lifecycle_stage = SelectField(
        "Lifecycle stage (external customers)", choices=choices(Lifecycle, "None")
    )
    notes = TextAreaField("Notes", validators=[Length(max=4000)])
    submit = SubmitField("Save contact")


class ClassifyForm(FlaskForm):
    category = SelectField("Type of contact", choices=choices(Category))
    submit = SubmitField("Save type")


class NeedForm(FlaskForm):
    description = StringField(
        "What the customer needs", validators=[DataRequired(), Length(max=500)]
    )
    submit = SubmitField("Record need")


class ConfirmNeedForm(FlaskForm):
    method = SelectField("How it was confirmed", choices=choices(ConfirmationMethod))
    submit = SubmitField("Confirm need")


class PreferenceForm(FlaskForm):
    description = StringField(
        "What the customer would prefer", validators=[DataRequired(), Length(max=500)]
    )
    submit = SubmitField("Record preference")


class ConsentForm(FlaskForm):
    consent_email = BooleanField("Email")
    consent_phone = BooleanField("Phone")
    consent_post = BooleanField("Post")
    consent_sms = BooleanField("Text message (SMS)")
    submit = SubmitField("Save consent")


class InteractionForm(FlaskForm):
    channel = SelectField("Channel", choices=choices(Channel))
    direction = SelectField(
        "Direction",
        choices=options(
            ("inbound", "Inbound (they contacted us)"),
            ("outbound", "Outbound (we contacted them)"),
        ),
    )
    initiative = SelectField(
        "Reactive or proactive",
        choices=options(
            ("reactive", "Reactive (responding to the customer)"),
            ("proactive", "Proactive (we reached out first)"),
        ),
    )
    summary = TextAreaField("Summary", validators=[DataRequired(), Length(max=2000)])
    outcome = StringField("Outcome", validators=[Length(max=500)])
    follow_up_on = DateField("Follow-up date (optional)", validators=[Optional()])
    submit = SubmitField("Save interaction")


class MergeForm(FlaskForm):
    duplicate_id = HiddenField(validators=[DataRequired()])
    submit = SubmitField("Merge into this record")


class ResetForm(FlaskForm):
    confirm = BooleanField(
        "I understand that everything I changed in this sandbox will be undone",
        validators=[DataRequired(message="Tick the box to confirm the reset.")],
    )
    submit = SubmitField("Reset my sandbox")
