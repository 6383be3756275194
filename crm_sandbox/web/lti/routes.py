"""The platform's side of LTI 1.3 calls these: our public key set, the OIDC login initiation and
the launch; then the instructor's deep-linking picker, on our own pages.

The login and the launch are posted by the platform from its own site (an auto-submitted form),
so they cannot carry our CSRF token: they are exempt, and protected instead by what LTI 1.3
itself checks (the platform's signature on the id token, the nonce, the state cookie).
"""

from __future__ import annotations

import re

from flask import (
    current_app,
    flash,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user
from flask_wtf import FlaskForm
from pylti1p3.contrib.flask import FlaskRequest
from sqlalchemy.exc import IntegrityError
from wtforms import HiddenField, StringField

from ...access import public, tutor_area
from ...app import CONTENT_SECURITY_POLICY
from ...extensions import csrf, limiter
from ...services import accounts, sandbox_clock
from ...services.errors import ServiceError
from ...services.lti import deep_linking, identities, keys, registrations
from ...services.lti import launch as lti_launch
from ..transaction import transaction
from . import bp

ORIGIN = re.compile(r"^https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?$")


class DeepLinkForm(FlaskForm):
    launch = HiddenField()
    scenario = StringField()


def launch_url() -> str:
    """Our launch (redirect) URL, absolute, as platforms are given it."""
    return url_for("lti.launch", _external=True)


def _counts_when_refused(_response) -> bool:
    return g.get("lti_refused", False)


# Refused logins and launches count towards the sign-in limit per address (so nobody can fill
# the refusals list or load the platform's key set endpoint by posting junk); accepted ones do
# not, so a class behind one address launches freely.
_refusal_limit = limiter.shared_limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT_ADDRESS"],
    scope="lti-refused-address",
    methods=["GET", "POST"],
    deduct_when=_counts_when_refused,
)


def _refused(stage: str, refused: lti_launch.LaunchRefused):
    """The clear page for a refused login or launch; the refusal is kept and logged."""
    g.lti_refused = True
    with transaction(write=True):
        registrations.record_refusal(
            stage,
            refused.reason,
            issuer=refused.issuer,
            client_id=refused.client_id,
            remote_addr=request.remote_addr or "",
        )
    current_app.logger.warning(
        "LTI %s refused (%s): %s; issuer %r, client id %r",
        stage,
        refused.kind,
        refused.reason,
        refused.issuer,
        refused.client_id,
    )
    return render_template("lti/refused.html", refusal=refused), refused.status


@bp.route("/jwks")
@public
def jwks():
    """Our public key set: platforms check our signed messages with it."""
    return jsonify(keys.published())


@bp.route("/login", methods=["GET", "POST"])
@public
@_refusal_limit
@csrf.exempt  # posted (or linked) by the platform from its own site: see the module docstring
def login():
    params = {k: request.values.get(k) for k in ("iss", "login_hint", "client_id")}
    try:
        with transaction(write=request.method == "GET"):
            response = lti_launch.login(FlaskRequest(), launch_url(), params)
    except lti_launch.LaunchRefused as refused:
        return _refused("login", refused)
    return response


def _land():
    """Validate the launch and do what it says, in one transaction; raises LaunchRefused."""
    with transaction():
        valid = lti_launch.validate(FlaskRequest(), request.form.get("id_token"))
        landing = identities.arrive(valid)
        if current_user.is_authenticated:  # someone else was signed in in this browser
            accounts.end_session(current_user.get_id())
            sandbox_clock.pause_all(current_user)
        accounts.start_session(landing.user, request.user_agent.string or "")
    return landing


@bp.route("/launch", methods=["POST"])
@public
@_refusal_limit
@csrf.exempt  # posted by the platform's authorisation page: see the module docstring
def launch():
    try:
        try:
            landing = _land()
        except IntegrityError:
            # Two first launches of the same person or course at once (a double click opens
            # two logins): the other made the account or group a moment ago. Everything here
            # was rolled back, the nonce included, so the launch runs again and finds them.
            landing = _land()
    except lti_launch.LaunchRefused as refused:
        return _refused("launch", refused)
    # A new session: nothing from before the launch carries over (as at sign-in).
    session.clear()
    login_user(landing.user)
    flash(f"Signed in from your course as {landing.user.name}. {landing.note}".strip(), "success")
    return redirect(landing.url)


# ---------------------------------------------------------------- deep linking


def _picker(valid, form, status=200):
    group = identities.group_of(valid)
    return render_template(
        "lti/deep_link.html",
        choices=deep_linking.choices(group),
        group=group,
        platform=valid.registration.name,
        form=form,
    ), status


def _expired(exc: ServiceError, status: int = 404):
    """A picker whose launch is used, expired or someone else's: not found, in words."""
    refusal = lti_launch.LaunchRefused("deep_link", exc.message, message=exc.message)
    return render_template("lti/refused.html", refusal=refusal), status


@bp.route("/deep-link/<launch>")
@tutor_area
def deep_link(launch: str):
    try:
        valid = deep_linking.check_owner(lti_launch.restore(FlaskRequest(), launch), current_user)
    except ServiceError as exc:
        return _expired(exc)
    return _picker(valid, DeepLinkForm(formdata=None, launch=launch))


@bp.route("/deep-link", methods=["POST"])
@tutor_area
def deep_link_choose():
    form = DeepLinkForm()
    if not form.validate_on_submit():
        return _expired(
            ServiceError("The form expired: go back to your course and try again."), 400
        )
    try:
        valid = deep_linking.check_owner(
            lti_launch.restore(FlaskRequest(), form.launch.data or ""), current_user
        )
    except ServiceError as exc:
        return _expired(exc)
    origin = deep_linking.return_origin(valid)
    if not ORIGIN.match(origin):
        return _expired(ServiceError("The platform gave no usable return address."), 400)
    token = ""
    with transaction(form, refused="Nothing was sent") as tx:
        token = deep_linking.response_jwt(valid, form.scenario.data or "", launch_url())
        valid.message.forget()  # one choice per launch
    if not tx.ok:
        return _picker(valid, form, status=422)
    response = make_response(
        render_template(
            "lti/deep_link_return.html",
            action=deep_linking.return_url(valid),
            jwt=token,
            platform=valid.registration.name,
        )
    )
    # The page posts the choice to the platform: its form may go there, and nowhere else.
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'", f"form-action 'self' {origin}"
    )
    return response
