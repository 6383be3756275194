from flask_wtf import FlaskForm
from wtforms import BooleanField, SubmitField
from wtforms.validators import DataRequired


class SubmitWorkForm(FlaskForm):
    declaration = BooleanField(
        "I declare that this work is my own",
        validators=[DataRequired(message="Tick the declaration to submit your work.")],
    )
    submit = SubmitField("Submit my work")


class RestartForm(FlaskForm):
    confirm = BooleanField(
        "I understand that my changes in this scenario's CRM will be undone",
        validators=[DataRequired(message="Tick the box to confirm the restart.")],
    )
    submit = SubmitField("Start this scenario again")
