from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
    submit = SubmitField("Sign in")


class LogoutForm(FlaskForm):
    submit = SubmitField("Sign out")


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired(), Length(max=1024)]
    )
    new_password = PasswordField("New password", validators=[DataRequired(), Length(max=1024)])
    confirm = PasswordField(
        "New password again",
        validators=[
            DataRequired(),
            EqualTo("new_password", message="The two new passwords are not the same."),
        ],
    )
    submit = SubmitField("Change my password")


class ChooseOwnPasswordForm(ChangePasswordForm):
    """The forced change after a one-time or first password: the same fields, named for it."""

    current_password = PasswordField(
        "The password you were given", validators=[DataRequired(), Length(max=1024)]
    )
    submit = SubmitField("Save my new password")


class ChangeEmailForm(FlaskForm):
    # Shown on the same page as the password form: its own ids keep the labels apart.
    email = EmailField(
        "New email address", validators=[DataRequired(), Length(max=254)], id="new-email"
    )
    current_password = PasswordField(
        "Current password",
        validators=[DataRequired(), Length(max=1024)],
        id="email-current-password",
    )
    submit = SubmitField("Change my email")
