from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired


class ToggleActiveForm(FlaskForm):
    submit = SubmitField("Change")


class EraseForm(FlaskForm):
    confirm_email = StringField(
        "Type the learner's email address to confirm",
        validators=[DataRequired(message="Type the learner's email address to confirm.")],
    )
    submit = SubmitField("Erase this learner's personal data")
