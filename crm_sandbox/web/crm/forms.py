from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TelField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ...models import (
    AccountType,
    Category,
    Channel,
    Lifecycle,
    Measure,
    Method,
    NeedType,
    Period,
    Purpose,
    Questioning,
    QuestionKind,
    Segment,
    Severity,
)
from ...services.customers.persona import REMEDY_LABELS
from ...services.feedback import AIMS, FIGURES
from ...services.loyalty import HANDLING, LOYALTY_FIGURES
from ..forms_common import OnceForm, choices, options


class ContactForm(OnceForm):
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


class NeedForm(OnceForm):
    need_type = SelectField(
        "Type of need", choices=choices(NeedType, "Choose…"), validate_choice=False
    )
    description = StringField(
        "What the customer needs", validators=[DataRequired(), Length(max=500)]
    )
    submit = SubmitField("Record need")


class ConfirmNeedForm(FlaskForm):
    """A need is confirmed by pointing at the customer's reply that confirms it (the choices
    are that need's confirming replies, filled in by the page)."""

    reply = SelectField("Confirmed by the customer's reply", choices=[])
    submit = SubmitField("Confirm need")


class PreferenceForm(OnceForm):
    pref_type = SelectField(
        "Type of preference", choices=choices(NeedType, "Choose…"), validate_choice=False
    )
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


class InteractionForm(OnceForm):
    """The learner's own note of a contact (a practice sandbox's call from a customer), and the
    correction of an entry. Whether it was inbound, reactive or proactive is not chosen here:
    a note of a call is the customer reaching us, and a correction keeps the original's."""

    channel = SelectField("Channel", choices=choices(Channel))
    summary = TextAreaField(
        "Your note of the contact", validators=[DataRequired(), Length(max=2000)]
    )
    outcome = StringField("Outcome", validators=[Length(max=500)])
    follow_up_on = DateField("Follow-up date (optional)", validators=[Optional()])
    submit = SubmitField("Save note")


class CheckboxesField(SelectMultipleField):
    """Several ids chosen with checkboxes (a fieldset of them in the template). The ids are
    checked by the service (another customer's is refused there, with a clear message)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form) -> None:  # the service checks whose ids they are
        pass


def purpose_choices(internal: bool) -> list:
    """The purposes a message to this contact can have: internal requests and replies only to
    internal customers. A standard is proposed from its own page (the proposal carries the
    standard's terms), so it is not offered here."""
    items = [
        p
        for p in Purpose
        if p.value != "propose_standard"
        and (internal or p.value not in ("internal_request", "internal_reply"))
    ]
    return options(("", "Choose…"), *((p.value, p.label) for p in items))


class MessageToCustomerForm(OnceForm):
    """Send a message: what it is for, the words, what it is about, any promise, and the
    structured content of its purpose."""

    channel = SelectField("Channel", choices=choices(Channel), default="email")
    purpose = SelectField("What the message is for", choices=[], validate_choice=False)
    summary = TextAreaField(
        "Your message (the words the customer reads or hears)",
        validators=[DataRequired(message="Write the message."), Length(max=2000)],
    )
    complaint = SelectField(
        "The complaint it is about (optional)", choices=[], validate_choice=False
    )
    in_reply_to = SelectField("In reply to (optional)", choices=[], validate_choice=False)
    order = SelectField(
        "The order, booking or renewal it is about (optional)", choices=[], validate_choice=False
    )
    promise_on = DateField("Next contact by: date (optional)", validators=[Optional()])
    promise_time = TimeField("Next contact by: time", validators=[Optional()])
    topic = SelectField("What you ask about", choices=choices(NeedType), validate_choice=False)
    kind = SelectField("Kind of question", choices=choices(Questioning), validate_choice=False)
    needs = CheckboxesField("Needs you summarise back", coerce=int, choices=[])
    preferences = CheckboxesField("Preferences you summarise back", coerce=int, choices=[])
    remedy_type = SelectField(
        "Remedy", choices=options(("", "Choose…"), *REMEDY_LABELS.items()), validate_choice=False
    )
    remedy_amount = StringField("Amount in pounds (optional)", validators=[Length(max=20)])
    remedy_by = DateField("Happens by (optional)", validators=[Optional()])
    submit = SubmitField("Send message")


class MergeForm(FlaskForm):
    duplicate_id = HiddenField(validators=[DataRequired()])
    confirm = BooleanField(
        "I have checked that these two records are the same person or organisation",
        validators=[DataRequired(message="Tick the box to confirm the merge.")],
    )
    submit = SubmitField("Merge into this record")


class ResetForm(FlaskForm):
    confirm = BooleanField(
        "I understand that everything I changed in this sandbox will be undone",
        validators=[DataRequired(message="Tick the box to confirm the reset.")],
    )
    submit = SubmitField("Reset my sandbox")


# ---------------------------------------------------------------- complaints


class ComplaintForm(OnceForm):
    channel = SelectField("How it was received", choices=choices(Channel))
    category = SelectField("Category", choices=[])
    severity = SelectField("Severity", choices=choices(Severity), default="medium")
    description = TextAreaField(
        "What the customer is unhappy about", validators=[DataRequired(), Length(max=4000)]
    )
    submit = SubmitField("Record complaint")


class MessageForm(FlaskForm):
    """Acknowledge, or send an update: a message to the customer on a channel."""

    channel = SelectField("Channel", choices=choices(Channel), default="email")
    message = TextAreaField(
        "Message to the customer", validators=[DataRequired(), Length(max=2000)]
    )
    submit = SubmitField("Send")


class NextContactFields:
    """When the customer will next hear from us: a promise the CRM and the customer hold us
    to (the message's "next contact by")."""

    promise_on = DateField("Next contact by: date (optional)", validators=[Optional()])
    promise_time = TimeField("Next contact by: time", validators=[Optional()])


class AcknowledgeForm(MessageForm, NextContactFields):
    """Acknowledge a complaint: the message, and when the customer will next hear."""


class UpdateForm(OnceForm, MessageForm, NextContactFields):
    """An update to the customer: each one sent is a new communication, so it is saved once."""


class ResponseForm(OnceForm):
    """A response typed in by hand (its answers are the survey's own fields, read from the
    request); saved once however often it is sent."""


class NoteForm(FlaskForm):
    note = TextAreaField("Note", validators=[Length(max=1000)])
    submit = SubmitField("Save")


class RemedyFields:
    """A remedy in the organisation's policy terms: its type, an amount, a date."""

    remedy_type = SelectField(
        "Remedy", choices=options(("", "Choose…"), *REMEDY_LABELS.items()), validate_choice=False
    )
    remedy_amount = StringField("Amount in pounds (optional)", validators=[Length(max=20)])
    remedy_by = DateField("Happens by (optional)", validators=[Optional()])


class ResolveForm(FlaskForm):
    resolution = TextAreaField(
        "Resolution (what was done)", validators=[DataRequired(), Length(max=4000)]
    )
    remedy_type = SelectField(
        "Remedy given (optional)",
        choices=options(("", "None recorded"), *REMEDY_LABELS.items()),
        validate_choice=False,
    )
    remedy_amount = StringField("Amount in pounds (optional)", validators=[Length(max=20)])
    remedy_by = DateField("Happens by (optional)", validators=[Optional()])
    # The organisation's rules, numbered as under Organisation & policies (set by the view;
    # the service refuses one that is not the organisation's).
    policy_rule = SelectField("The policy rule that decides it", choices=[], validate_choice=False)
    channel = SelectField("How the outcome was sent", choices=choices(Channel), default="email")
    outcome_message = TextAreaField(
        "Outcome message to the customer", validators=[DataRequired(), Length(max=2000)]
    )
    submit = SubmitField("Record resolution")


class ProposeForm(OnceForm, RemedyFields):
    """Propose a resolution to the customer: the remedy and the words."""

    channel = SelectField("Channel", choices=choices(Channel), default="email")
    message = TextAreaField(
        "Message to the customer", validators=[DataRequired(), Length(max=2000)]
    )
    submit = SubmitField("Propose resolution")


class AskSatisfiedForm(OnceForm, MessageForm):
    """Ask the customer whether they are satisfied (they answer yes or no)."""


class CloseForm(FlaskForm):
    satisfaction_reply = SelectField("The customer's confirmation", choices=[])
    confirmation_note = StringField("How they confirmed (optional)", validators=[Length(max=500)])
    root_cause = TextAreaField("Root cause", validators=[Length(max=2000)])
    lessons_learned = TextAreaField("Lessons learned", validators=[Length(max=2000)])
    lessons_policy = SelectField(
        "The policy or procedure the lesson changes", choices=[], validate_choice=False
    )
    lessons_change = SelectField("What should change", choices=[], validate_choice=False)
    judgement_note = TextAreaField(
        "If closing without confirmation: why (your judgement)", validators=[Length(max=1000)]
    )
    confirm = BooleanField(
        "Close it: the complaint leaves the open list and its procedure ends",
        validators=[DataRequired(message="Tick the box to confirm closing the complaint.")],
    )
    submit = SubmitField("Close complaint")


class EscalateForm(FlaskForm):
    rule = SelectField("The procedure's reason for escalating", choices=[], validate_choice=False)
    reason = TextAreaField(
        "Why, in your own words (what the customer told you)", validators=[Length(max=1000)]
    )
    amount = StringField(
        "Refund or compensation the customer asked for, in pounds (if that is the reason)",
        validators=[Length(max=20)],
    )
    submit = SubmitField("Escalate")


# ---------------------------------------------------------------- service standards

UNIT_CHOICES = options(
    ("", "—"),
    ("working_hours", "working hours"),
    ("working_days", "working days"),
    ("score", "score out of 5"),
    ("percent", "per cent"),
    ("count", "a count"),
)


class StandardForm(OnceForm):
    title = StringField("Standard (in plain words)", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("Description", validators=[Length(max=2000)])
    measure = SelectField("What is measured", choices=choices(Measure))
    threshold = DecimalField("Target value or time allowed", validators=[Optional()], places=None)
    threshold_unit = SelectField("Unit", choices=UNIT_CHOICES)
    target_percent = DecimalField(
        "Share of cases that must meet it (%)", validators=[Optional()], places=None
    )
    period = SelectField("Monitored", choices=choices(Period), default="month")
    method = TextAreaField(
        "How it is measured (a measure you record yourself: who counts what, from which "
        "records, how often)",
        validators=[Length(max=1000)],
    )
    agreed_with = StringField(
        "Agreed with (customer group or colleague)", validators=[Length(max=200)]
    )
    submit = SubmitField("Save standard")


class ProposeStandardForm(OnceForm):
    """Propose the standard to a customer: a message that carries its terms as they stand."""

    contact_id = SelectField("Propose it to", choices=[], validate_choice=False)
    channel = SelectField("Channel", choices=choices(Channel), default="email")
    summary = TextAreaField(
        "Your message (the words the customer reads or hears)",
        validators=[DataRequired(message="Write the message."), Length(max=2000)],
    )
    submit = SubmitField("Send proposal")


class AgreeForm(FlaskForm):
    reply_id = SelectField("The customer's reply agreeing it", choices=[], validate_choice=False)
    agreed_with = StringField(
        "Who agreed it (the customer group they speak for, optional with a reply)",
        validators=[Length(max=200)],
    )
    submit = SubmitField("Record agreement")


class MeasurementForm(OnceForm):
    taken_on = DateField("Date measured", validators=[DataRequired()])
    value = DecimalField("Value", validators=[DataRequired()], places=None)
    note = StringField("Note", validators=[Length(max=500)])
    submit = SubmitField("Record value")


class StandardFindingForm(OnceForm):
    """A finding cites its data: the period it covers and the figures for it, typed from the
    monitoring panel or taken from the CRM."""

    text = TextAreaField("What monitoring shows", validators=[DataRequired(), Length(max=2000)])
    period_from = HiddenField()
    period_to = HiddenField()
    from_crm = BooleanField("Use the CRM's figures for this period")
    stated_value = StringField("The measured figure", validators=[Length(max=20)])
    stated_cases = StringField("Cases decided", validators=[Length(max=20)])
    stated_breaches = StringField("Breaches", validators=[Length(max=20)])
    submit = SubmitField("Record finding")


# ---------------------------------------------------------------- feedback


class SurveyForm(OnceForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    method = SelectField("How feedback is collected", choices=choices(Method))
    purpose = TextAreaField("What you want to find out", validators=[Length(max=2000)])
    submit = SubmitField("Create")


class QuestionForm(OnceForm):
    kind = SelectField("Question type", choices=choices(QuestionKind))
    text = StringField("Question", validators=[DataRequired(), Length(max=300)])
    options = TextAreaField(
        "Options (choice questions: one per line)", validators=[Length(max=900)]
    )
    submit = SubmitField("Add question")


class SendForm(FlaskForm):
    category = SelectField(
        "Send to",
        choices=options(("external", "External customers"), ("internal", "Internal customers")),
    )
    segment = SelectField("Segment (external customers)", choices=choices(Segment, "All segments"))
    days_open = IntegerField("Days open", default=10, validators=[DataRequired()])
    submit = SubmitField("Send survey")


FIGURE_CHOICES = options(("", "— no figure —"), *[(k, v.label) for k, v in FIGURES.items()])
AIM_CHOICES = options(*AIMS.items())


class FindingForm(OnceForm):
    text = TextAreaField(
        "Finding, in your own words", validators=[DataRequired(), Length(max=2000)]
    )
    question_id = SelectField("Evidence: question", choices=[])
    segment = SelectField("Evidence: segment", choices=choices(Segment, "— all segments —"))
    theme = SelectField("Evidence: theme of comments", choices=[])
    measure = SelectField("The figure it states", choices=FIGURE_CHOICES)
    figure = DecimalField("The figure, as a number", validators=[Optional()], places=None)
    option = StringField(
        "Option (for the share who chose an option)", validators=[Optional(), Length(max=80)]
    )
    submit = SubmitField("Record finding")


class ImprovementForm(OnceForm):
    description = TextAreaField("Action", validators=[DataRequired(), Length(max=2000)])
    owner = StringField("Owner", validators=[DataRequired(), Length(max=120)])
    due_on = DateField("Due date", validators=[DataRequired()])
    standard_id = SelectField("Standard it changes", choices=[])
    process_changed = StringField("Or the process it changes", validators=[Length(max=300)])
    success_measure = StringField(
        "How success will be measured, in words", validators=[DataRequired(), Length(max=500)]
    )
    tracks = SelectField(
        "What the CRM measures it by",
        choices=options(
            ("finding", "The finding's figure"),
            ("question", "Another figure from a collection (choose below)"),
            ("standard", "The compliance of the standard it changes"),
        ),
    )
    aim = SelectField("Which way is better", choices=AIM_CHOICES)
    measure_question_id = SelectField("Another figure: question", choices=[])
    measure_figure = SelectField("Another figure: which figure", choices=FIGURE_CHOICES)
    measure_segment = SelectField(
        "Another figure: segment", choices=choices(Segment, "— all segments —")
    )
    measure_option = StringField(
        "Another figure: option (share who chose it)", validators=[Optional(), Length(max=80)]
    )
    baseline = DecimalField(
        "The baseline as you read it (optional: the CRM works it out)",
        validators=[Optional()],
        places=None,
    )
    submit = SubmitField("Plan action")


class TellForm(FlaskForm):
    channel = SelectField(
        "How",
        choices=options(
            ("email", "Email"), ("phone", "Phone"), ("sms", "Text message"), ("letter", "Letter")
        ),
    )
    words = TextAreaField(
        "What changed because of their feedback", validators=[DataRequired(), Length(max=2000)]
    )
    submit = SubmitField("Tell them")


class EvaluateForm(FlaskForm):
    result = DecimalField(
        "The measure's value now, as you read it (optional: the CRM works it out)",
        validators=[Optional()],
        places=None,
    )
    outcome = SelectField(
        "Did it work?",
        choices=options(("improved", "Improved"), ("no change", "No change"), ("worse", "Worse")),
    )
    evaluation = TextAreaField("Evaluation", validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField("Record evaluation")


class LoyaltyFindingForm(OnceForm):
    text = TextAreaField(
        "What the figures show, in your own words", validators=[DataRequired(), Length(max=2000)]
    )
    measure_1 = SelectField("Figure", choices=[])
    group_1 = SelectField("About customers whose complaints were", choices=[])
    value_1 = DecimalField("Value", validators=[Optional()], places=None)
    measure_2 = SelectField("Figure", choices=[])
    group_2 = SelectField("About customers whose complaints were", choices=[])
    value_2 = DecimalField("Value", validators=[Optional()], places=None)
    measure_3 = SelectField("Figure", choices=[])
    group_3 = SelectField("About customers whose complaints were", choices=[])
    value_3 = DecimalField("Value", validators=[Optional()], places=None)
    submit = SubmitField("Record finding")

    ROWS = 3

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        measures = options(("", "— none —"), *[(k, v[0]) for k, v in LOYALTY_FIGURES.items()])
        groups = options(*[(k, v) for k, v in HANDLING.items()])
        for n in range(1, self.ROWS + 1):
            getattr(self, f"measure_{n}").choices = measures
            getattr(self, f"group_{n}").choices = groups

    def figures(self) -> list[dict]:
        """The rows filled in, as the service takes them."""
        rows = []
        for n in range(1, self.ROWS + 1):
            measure = getattr(self, f"measure_{n}").data
            if measure:
                rows.append(
                    {
                        "measure": measure,
                        "group": getattr(self, f"group_{n}").data,
                        "value": getattr(self, f"value_{n}").data,
                    }
                )
        return rows
