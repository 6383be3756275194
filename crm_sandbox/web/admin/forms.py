from flask_wtf import FlaskForm
from wtforms import SubmitField


class ToggleActiveForm(FlaskForm):
    submit = SubmitField("Change")
