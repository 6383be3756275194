from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from ...access import public, signed_in
from ...extensions import limiter
from ...services import accounts, sandbox_clock
from ..transaction import transaction
from . import bp
from .forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    ChooseOwnPasswordForm,
    LoginForm,
    LogoutForm,
)

BAD_SIGN_IN = "That email and password do not match an active account."
CHOOSE_YOUR_OWN = (
    "The password you used was given to you by someone else: choose your own now to carry on."
)
TOO_MANY_GUESSES = (
    "Too many wrong current passwords have been tried for this account. Nothing was changed. "
    "Wait a while, then try again; if you have forgotten your password, ask your tutor or IT "
    "team to reset it."
)


def _account_key() -> str:
    return "account:" + (request.form.get("email") or "").strip().lower()[:254]


def _signed_in_key() -> str:
    return f"user:{current_user.id}"


def _password_refused() -> None:
    """Mark this request as a failed password check: only those count towards the limits."""
    g.password_refused = True


def _only_refused(_response) -> bool:
    # Flask-Limiter's deduct_when: the request counts towards the limit only when the password
    # was checked and refused (a correct password, or a form refused before any check, does
    # not use up the allowance).
    return g.get("password_refused", False)


def _password_check_limit(setting: str, scope: str, key_func=None):
    """A limit shared by every form that checks the signed-in user's current password."""
    return limiter.shared_limit(
        lambda: current_app.config[setting],
        scope=scope,
        key_func=key_func,
        methods=["POST"],
        deduct_when=_only_refused,
        error_message=TOO_MANY_GUESSES,
    )


_check_limit_per_address = _password_check_limit(
    "PASSWORD_CHECK_RATE_LIMIT_ADDRESS", "password-check-address"
)
_check_limit_per_account = _password_check_limit(
    "PASSWORD_CHECK_RATE_LIMIT_ACCOUNT", "password-check-account", _signed_in_key
)


def safe_next(target: str | None) -> str | None:
    """Only a path on this site (no scheme, no host, no protocol-relative //) may follow sign-in.
    A control or invisible character (a line break would split the Location header) refuses it."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or not target.isprintable():
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT_ADDRESS"],
    methods=["POST"],
    scope="login-address",
    deduct_when=_only_refused,
)
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT_ACCOUNT"],
    key_func=_account_key,
    methods=["POST"],
    scope="login-account",
    deduct_when=_only_refused,
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            _password_refused()
            flash(BAD_SIGN_IN, "danger")
            return render_template("auth/login.html", form=form), 200
        # A new session at sign-in: nothing from before sign-in carries over.
        next_url = safe_next(request.args.get("next"))
        session.clear()
        with transaction():
            accounts.start_session(user, request.user_agent.string or "")
        login_user(user)
        if user.must_change_password:
            flash(f"Signed in as {user.name}. {CHOOSE_YOUR_OWN}", "warning")
            return redirect(url_for("auth.new_password"))
        flash(f"Signed in as {user.name}.", "success")
        return redirect(next_url or url_for("main.home"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@signed_in
def logout():
    form = LogoutForm()
    if not form.validate_on_submit():
        flash("Sign-out needs the button on the page.", "warning")
        return redirect(url_for("main.home"))
    with transaction():
        accounts.end_session(current_user.get_id())
        sandbox_clock.pause_all(current_user)  # a scenario's clock does not run signed out
    logout_user()
    session.clear()
    flash("You have signed out.", "info")
    return redirect(url_for("auth.login"))


# ---------------------------------------------------------------- the signed-in user's account


def _account_page(password_form=None, email_form=None, status=200):
    return (
        render_template(
            "auth/account.html",
            password_form=password_form or ChangePasswordForm(formdata=None),
            email_form=email_form or ChangeEmailForm(formdata=None),
        ),
        status,
    )


def _account_changed(tx, **form):
    """Back to the Account page once a change is saved; the form again if it was refused
    (a wrong current password counts towards the limits)."""
    if tx.ok:
        return redirect(url_for("auth.account"))
    if tx.error is not None and tx.error.field == "current_password":
        _password_refused()
    return _account_page(**form, status=400)


@bp.route("/account")
@signed_in
def account():
    return _account_page()


@bp.route("/account/password", methods=["POST"])
@signed_in
@_check_limit_per_address
@_check_limit_per_account
def change_password():
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return _account_page(password_form=form, status=400)
    with transaction(form) as tx:
        accounts.change_password(current_user, form.current_password.data, form.new_password.data)
        tx.success = "Your password is changed. Any other place you were signed in is signed out."
    return _account_changed(tx, password_form=form)


@bp.route("/account/email", methods=["POST"])
@signed_in
@_check_limit_per_address
@_check_limit_per_account
def change_email():
    form = ChangeEmailForm()
    if not form.validate_on_submit():
        return _account_page(email_form=form, status=400)
    with transaction(form) as tx:
        accounts.change_email(current_user, form.current_password.data, form.email.data)
        tx.success = f"You now sign in with {current_user.email}."
    return _account_changed(tx, email_form=form)


# ---------------------------------------------------------------- the forced change


@bp.route("/account/new-password", methods=["GET", "POST"])
@signed_in
@_check_limit_per_address
@_check_limit_per_account
def new_password():
    """The one page (with sign-out) open to a user who must replace a one-time or first
    password (`access.enforce` sends them here)."""
    if not current_user.must_change_password:
        return redirect(url_for("auth.account"))
    form = ChooseOwnPasswordForm()
    if form.validate_on_submit():
        with transaction(form) as tx:
            accounts.change_password(
                current_user, form.current_password.data, form.new_password.data
            )
            tx.success = "Your new password is saved. Use it from now on."
        if tx.ok:
            return redirect(url_for("main.home"))
        if tx.error is not None and tx.error.field == "current_password":
            _password_refused()
    status = 400 if form.is_submitted() else 200
    return render_template("auth/new_password.html", form=form), status
