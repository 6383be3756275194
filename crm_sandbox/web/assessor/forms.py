from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from ..forms_common import OnceForm, options

JUDGEMENT_OPTIONS = (("met", "Met"), ("not_yet_met", "Not yet met"))


class QueueFilterForm(FlaskForm):
    """The queue's filters: read from the query string, so no CSRF token."""

    class Meta:
        csrf = False

    group = SelectField("Group", validators=[Optional()])
    scenario = SelectField("Scenario", validators=[Optional()])
    older_than = IntegerField(
        "Submitted more than (days ago)",
        validators=[Optional(), NumberRange(min=1, max=365, message="Between 1 and 365 days.")],
    )


class JudgeForm(FlaskForm):
    criterion_id = HiddenField()
    decision = RadioField(
        "Judgement",
        choices=options(*JUDGEMENT_OPTIONS),
        validators=[InputRequired(message="Choose met or not yet met.")],
    )
    comment = TextAreaField("Comment")
    submit = SubmitField("Record judgement")


class DecideForm(FlaskForm):
    outcome = RadioField(
        "Overall decision",
        choices=options(*JUDGEMENT_OPTIONS),
        validators=[InputRequired(message="Choose met or not yet met.")],
    )
    feedback = TextAreaField("Feedback to the learner")
    confirm = BooleanField(
        "I sign this decision with my name: it is final, and returning the work reopens the "
        "learner's CRM",
        validators=[DataRequired(message="Tick the box to sign the decision.")],
    )
    submit = SubmitField("Sign off decision")


class ReviewForm(OnceForm):
    agrees = RadioField(
        "Quality review",
        choices=options(("agree", "Agree"), ("disagree", "Disagree")),
        validators=[InputRequired(message="Choose agree or disagree.")],
    )
    comment = TextAreaField("Comment")
    submit = SubmitField("Record review")
