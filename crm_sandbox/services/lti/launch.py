"""The OIDC login and the launch, with PyLTI1p3 (its Flask classes), and every refusal in words.

`login(request, launch_url)` answers the platform's login initiation with the redirect to its
authorisation endpoint; `validate(request)` checks a launch's id token and returns its claims,
or raises `LaunchRefused`. Where PyLTI1p3 is lenient we are not:

- **Audience.** PyLTI1p3 turns off PyJWT's audience check and looks the registration up by
  `aud[0]`. `ToolMessageLaunch.get_client_id` takes the client id from `azp` when present
  (it must be one of the audiences), and refuses a token with several audiences and no `azp`;
  the registration is then looked up by the issuer and that client id, so a token meant for
  another tool is "wrong audience".
- **Order.** The nonce is consumed (single use, `storage.DatabaseSessionService`) only after
  the signature and deployment are checked, so a forged token cannot use up a real one's nonce.
- **Expiry.** `exp` and `iat` are required, not just checked when present.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import jwt
from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskOIDCLogin
from pylti1p3.exception import LtiException, OIDCException
from sqlalchemy import select

from ...models import LtiRegistration, db
from . import storage
from .tool_conf import DatabaseToolConf

LAUNCH_DATA_LIFETIME = 3600  # seconds: a login's nonce, state and a launch kept for the picker

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
MESSAGE_TYPE = CLAIM + "message_type"
RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"


# ---------------------------------------------------------------- refusals

# What the person who clicked the link reads, by kind of refusal (the admin reads the reason).
TRY_AGAIN = (
    "This launch has expired or was already used. Nothing was changed. Go back to your course "
    "and open the activity again."
)
NOT_SET_UP = (
    "Your course's platform is not set up to open the CRM Sandbox, or the launch could not be "
    "trusted. Nothing was changed. Tell your tutor or the college's IT team: the CRM Sandbox "
    "administrator can see the details on the LTI platforms page."
)
USER_MESSAGES = {
    "expired": TRY_AGAIN,
    "replayed": TRY_AGAIN,
    "missing_state": TRY_AGAIN,
    "bad_signature": NOT_SET_UP,
    "unknown_issuer": NOT_SET_UP,
    "wrong_audience": NOT_SET_UP,
    "unknown_deployment": NOT_SET_UP,
    "inactive": NOT_SET_UP,
    "key_set": NOT_SET_UP,
    "malformed": NOT_SET_UP,
}
STATUS = {"expired": 400, "replayed": 400, "missing_state": 400, "malformed": 400}


class LaunchRefused(Exception):
    """A login or launch refused: `reason` in words for the admin (kept as an `LtiRefusal`),
    `message` for the person who clicked, `status` the HTTP status of the page."""

    def __init__(
        self,
        kind: str,
        reason: str,
        *,
        message: str | None = None,
        status: int | None = None,
        issuer: str = "",
        client_id: str = "",
    ) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason
        self.message = message or USER_MESSAGES.get(kind, NOT_SET_UP)
        self.status = status or STATUS.get(kind, 403)
        self.issuer = issuer
        self.client_id = client_id


def _registration_problem(issuer: str, client_id: str) -> tuple[str, str]:
    """Why no active registration matched: unknown issuer, wrong audience, or inactive."""
    rows = list(db.session.scalars(select(LtiRegistration).where(LtiRegistration.issuer == issuer)))
    if not rows:
        return "unknown_issuer", f"unknown issuer {issuer!r}: no platform is registered with it"
    same = [r for r in rows if r.client_id == client_id]
    if same and not any(r.active for r in same):
        return "inactive", f"the registration {same[0].name!r} is deactivated"
    return (
        "wrong_audience",
        f"wrong audience: the token is for client id {client_id!r}, which is not registered "
        f"for {issuer!r}",
    )


# PyLTI1p3's (and PyJWT's) messages, by a fragment of each, in the order they are tried:
# (fragments, kind, the reason for the admin; "{text}" is the library's message).
KNOWN_MESSAGES = [
    (("signature has expired",), "expired", "expired token: its exp time has passed"),
    (("not yet valid",), "expired", "token not valid yet ({text})"),
    (
        ("invalid nonce",),
        "replayed",
        "replayed: the token's nonce was already used, or was never issued by our login",
    ),
    (('"nonce" is empty',), "malformed", "the token has no nonce"),
    (("missing state",), "missing_state", "missing state: the launch did not carry one"),
    (
        ("state not found",),
        "missing_state",
        "state does not match the browser's (no state cookie from our login page, or another)",
    ),
    (("client id not registered",), "wrong_audience", "wrong audience ({text})"),
    (("unable to find deployment",), "unknown_deployment", "unknown deployment id"),
    (
        ("signature verification failed", "unable to find public key", "kid not found"),
        "bad_signature",
        "bad signature: the token was not signed by a key the platform publishes ({text})",
    ),
    (
        ("error during fetch", "invalid response from"),
        "key_set",
        "the platform's key set could not be read ({text})",
    ),
    (("missing id_token",), "malformed", "the launch carried no id token"),
    (("audience", "azp"), "wrong_audience", "wrong audience: {text}"),
]


def refusal_from(exc: Exception, *, issuer: str = "", client_id: str = "") -> LaunchRefused:
    """An `LtiException` (or `OIDCException`) from PyLTI1p3 as a refusal in words."""
    text = str(exc)
    lower = text.lower()
    if "registration not found" in lower or "could not find registration" in lower:
        kind, reason = _registration_problem(issuer, client_id)
        return LaunchRefused(kind, reason, issuer=issuer, client_id=client_id)
    for fragments, kind, reason in KNOWN_MESSAGES:
        if any(f in lower for f in fragments):
            return LaunchRefused(kind, reason.format(text=text), issuer=issuer, client_id=client_id)
    return LaunchRefused(
        "malformed",
        f"the launch message is not valid ({text})",
        issuer=issuer,
        client_id=client_id,
    )


def claimed(id_token: str | None) -> dict:
    """The claims a token says it has, unverified: only for naming a refusal's issuer."""
    if not id_token:
        return {}
    try:
        body = jwt.decode(id_token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        return {}
    return body if isinstance(body, dict) else {}


def client_id_of(body: dict) -> str:
    """Our client id in a token: `azp` when given (it must be an audience), else the single
    audience. Raises LtiException for several audiences without `azp`."""
    aud = body.get("aud")
    audiences = aud if isinstance(aud, list) else [aud] if aud else []
    azp = body.get("azp")
    if azp:
        if azp not in audiences:
            raise LtiException("azp is not one of the token's audiences")
        return azp
    if len(audiences) != 1:
        raise LtiException("several audiences and no azp: cannot tell which client id")
    return audiences[0]


# ---------------------------------------------------------------- PyLTI1p3, stricter


class ToolMessageLaunch(FlaskMessageLaunch):
    """PyLTI1p3's Flask launch with the audience, order and expiry rules above."""

    def __init__(self, request, tool_config=None, **kwargs):
        kwargs.setdefault("session_service", storage.DatabaseSessionService(request))
        super().__init__(request, tool_config or DatabaseToolConf(), **kwargs)
        self.set_jwt_verify_options({"verify_aud": False, "require": ["exp", "iat"]})
        self.set_launch_data_lifetime(LAUNCH_DATA_LIFETIME)

    def get_client_id(self) -> str:
        return client_id_of(self._get_jwt_body())

    def validate(self):
        if self._restored:
            raise LtiException("Can't validate restored launch")
        self._validated = True
        try:
            return (
                self.validate_state()
                .validate_jwt_format()
                .validate_registration()
                .validate_jwt_signature()
                .validate_deployment()
                .validate_nonce()
                .validate_message()
                .save_launch_data()
            )
        except Exception:
            self._validated = False
            raise

    def forget(self) -> None:
        """Drop this launch's cached data (it has been used)."""
        self._session_service.forget_launch(self.get_launch_id())


def _oidc_login(request) -> FlaskOIDCLogin:
    return FlaskOIDCLogin(
        request, DatabaseToolConf(), session_service=storage.DatabaseSessionService(request)
    ).set_launch_data_lifetime(LAUNCH_DATA_LIFETIME)


def login(request, launch_url: str, params: dict):
    """Answer a platform's login initiation: the redirect to its authorisation endpoint, with
    the state cookie set. `params` are the request's values (for naming a refusal)."""
    storage.purge_expired()
    try:
        return _oidc_login(request).redirect(launch_url)
    except (OIDCException, LtiException) as exc:
        issuer, client_id = params.get("iss") or "", params.get("client_id") or ""
        if not params.get("iss"):
            raise LaunchRefused(
                "malformed", "login without an issuer (iss)", status=400, client_id=client_id
            ) from None
        if not params.get("login_hint"):
            raise LaunchRefused(
                "malformed", "login without a login_hint", status=400, issuer=issuer
            ) from None
        raise refusal_from(exc, issuer=issuer, client_id=client_id) from None


@dataclass
class ValidLaunch:
    """A launch whose token passed every check."""

    message: ToolMessageLaunch
    body: dict
    registration: LtiRegistration

    @property
    def launch_id(self) -> str:
        return self.message.get_launch_id()

    @property
    def message_type(self) -> str:
        return self.body.get(MESSAGE_TYPE, "")


def validate(request, id_token: str | None) -> ValidLaunch:
    """Check a launch (state, token, registration, audience, signature, deployment, nonce,
    message), or raise LaunchRefused. The nonce is used up in the caller's transaction."""
    body = claimed(id_token)
    issuer = str(body.get("iss") or "")
    try:
        client_id = client_id_of(body) if body else ""
    except LtiException:
        client_id = ""
    message = ToolMessageLaunch(request)
    try:
        message.validate()
        data = dict(message.get_launch_data())
    except LtiException as exc:
        raise refusal_from(exc, issuer=issuer, client_id=str(client_id or "")) from None
    except (AttributeError, TypeError, ValueError, KeyError) as exc:
        # PyLTI1p3 reads claims assuming their JSON types: a claim of the wrong type (a string
        # where an object belongs) is the platform's mistake, refused like any bad message.
        raise LaunchRefused(
            "malformed",
            f"a claim of the wrong type ({type(exc).__name__}: {exc})",
            issuer=issuer,
            client_id=str(client_id or ""),
        ) from None
    row = db.session.scalar(
        select(LtiRegistration).where(
            LtiRegistration.issuer == data["iss"],
            LtiRegistration.client_id == message.get_client_id(),
            LtiRegistration.active.is_(True),
        )
    )
    if row is None:  # pragma: no cover - validate_registration found it a moment ago
        raise LaunchRefused("unknown_issuer", "registration vanished during the launch")
    return ValidLaunch(message, data, row)


LAUNCH_ID = re.compile(r"^lti1p3-launch-[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$")


def restore(request, launch_id: str) -> ValidLaunch | None:
    """A validated launch kept for a later request (the deep-linking picker), or None. Only a
    launch id names one: no other launch data (a nonce, a state) can be read this way."""
    if not LAUNCH_ID.match(launch_id or ""):
        return None
    try:
        message = ToolMessageLaunch.from_cache(
            launch_id, request, DatabaseToolConf(), storage.DatabaseSessionService(request)
        )
        data = dict(message.get_launch_data())
        client_id = message.get_client_id()
    except LtiException:
        return None
    row = db.session.scalar(
        select(LtiRegistration).where(
            LtiRegistration.issuer == data.get("iss"),
            LtiRegistration.client_id == client_id,
            LtiRegistration.active.is_(True),
        )
    )
    return ValidLaunch(message, data, row) if row is not None else None


def subject_digest(registration_id: int, subject: str) -> str:
    """A short stable digest of a platform user id (for placeholder emails)."""
    return hashlib.sha256(f"{registration_id}:{subject}".encode()).hexdigest()[:16]
