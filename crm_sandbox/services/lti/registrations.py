"""The platforms an admin registers (Moodle, Canvas...): adding, changing and deactivating
them, each change in the staff audit log; and the refused launches the registration page shows.

A platform's URLs must be https, except http://127.0.0.1 and http://localhost (a platform on
the same machine, for trying things out and for the tests). An issuer and client id pair is
registered once. A registration is never deleted (identities, courses and links point at it):
deactivating it refuses its launches until it is activated again.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import func, select

from ...models import LtiRefusal, LtiRegistration, User, db
from ..errors import NotFound, ServiceError
from ..staff_audit import record_staff_action

LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]"}
REFUSALS_SHOWN = 20


@dataclass
class RegistrationValues:
    """What the form gives, as text: deployment ids one per line or separated by commas."""

    name: str = ""
    issuer: str = ""
    client_id: str = ""
    deployment_ids: str = ""
    auth_login_url: str = ""
    auth_token_url: str = ""
    key_set_url: str = ""
    auth_audience: str = ""


FIELD_LABELS = {
    "name": "The platform's name",
    "issuer": "The issuer (platform id)",
    "client_id": "The client id",
    "auth_login_url": "The authentication request URL",
    "auth_token_url": "The access token URL",
    "key_set_url": "The public key set URL",
    "auth_audience": "The token audience",
}


def _text(value: str, field: str, limit: int, required: bool = True) -> str:
    value = (value or "").strip()
    label = FIELD_LABELS[field]
    if required and not value:
        raise ServiceError(f"{label} is needed.", field=field)
    if len(value) > limit:
        raise ServiceError(f"{label} can be at most {limit} characters.", field=field)
    if any(ch.isspace() for ch in value) and field != "name":
        raise ServiceError(f"{label} cannot contain spaces or line breaks.", field=field)
    if not value.isprintable():
        raise ServiceError(f"{label} cannot contain control characters.", field=field)
    return value


def check_url(value: str, field: str, required: bool = True) -> str:
    """An https URL, or http on this machine (127.0.0.1, localhost) for testing."""
    value = _text(value, field, 500, required=required)
    if not value:
        return value
    label = FIELD_LABELS[field]
    parts = urlsplit(value)
    if not parts.netloc or parts.scheme not in ("http", "https"):
        raise ServiceError(f"{label} must be a full web address starting https://.", field=field)
    if parts.scheme == "http" and (parts.hostname or "") not in {
        h.strip("[]") for h in LOCAL_HOSTS
    }:
        raise ServiceError(
            f"{label} must start https:// (plain http is accepted only for a platform on this "
            "machine, 127.0.0.1 or localhost, for testing).",
            field=field,
        )
    return value


def _deployment_ids(text: str) -> list[str]:
    ids: list[str] = []
    for part in (text or "").replace(",", "\n").splitlines():
        part = part.strip()
        if not part:
            continue
        if len(part) > 255 or not part.isprintable():
            raise ServiceError(
                "A deployment id can be at most 255 characters, without control characters.",
                field="deployment_ids",
            )
        if part not in ids:
            ids.append(part)
    if not ids:
        raise ServiceError(
            "Give at least one deployment id (the platform shows it once the tool is added).",
            field="deployment_ids",
        )
    return ids


def _checked(values: RegistrationValues) -> dict:
    issuer = _text(values.issuer, "issuer", 255)
    if issuer.lower().startswith("http"):
        issuer = check_url(issuer, "issuer")
    return {
        "name": _text(values.name, "name", 120),
        "issuer": issuer,
        "client_id": _text(values.client_id, "client_id", 255),
        "deployment_ids": _deployment_ids(values.deployment_ids),
        "auth_login_url": check_url(values.auth_login_url, "auth_login_url"),
        "auth_token_url": check_url(values.auth_token_url, "auth_token_url"),
        "key_set_url": check_url(values.key_set_url, "key_set_url"),
        "auth_audience": _text(values.auth_audience, "auth_audience", 500, required=False),
    }


def _refuse_duplicate(issuer: str, client_id: str, keeping: LtiRegistration | None) -> None:
    query = select(LtiRegistration).where(
        LtiRegistration.issuer == issuer, LtiRegistration.client_id == client_id
    )
    if keeping is not None:
        query = query.where(LtiRegistration.id != keeping.id)
    other = db.session.scalar(query)
    if other is not None:
        raise ServiceError(
            f"{other.name!r} already registers this issuer with this client id.",
            field="client_id",
        )


def _audit_values(row: LtiRegistration) -> dict:
    return {
        "name": row.name,
        "issuer": row.issuer,
        "client_id": row.client_id,
        "deployment_ids": list(row.deployment_ids or []),
        "auth_login_url": row.auth_login_url,
        "auth_token_url": row.auth_token_url,
        "key_set_url": row.key_set_url,
        "auth_audience": row.auth_audience or "",
        "active": bool(row.active),
    }


def all_registrations() -> list[LtiRegistration]:
    """Every registration, active ones first, by name."""
    return list(
        db.session.scalars(
            select(LtiRegistration).order_by(
                LtiRegistration.active.desc(), func.lower(LtiRegistration.name), LtiRegistration.id
            )
        )
    )


def get_registration(registration_id: int) -> LtiRegistration:
    """One registration; NotFound when there is none with this id."""
    row = db.session.get(LtiRegistration, registration_id)
    if row is None:
        raise NotFound("No such platform registration.")
    return row


def values_of(row: LtiRegistration) -> RegistrationValues:
    """A registration as the form shows it."""
    return RegistrationValues(
        name=row.name,
        issuer=row.issuer,
        client_id=row.client_id,
        deployment_ids="\n".join(row.deployment_ids or []),
        auth_login_url=row.auth_login_url,
        auth_token_url=row.auth_token_url,
        key_set_url=row.key_set_url,
        auth_audience=row.auth_audience or "",
    )


def create_registration(values: RegistrationValues, by: User | None) -> LtiRegistration:
    """Register a platform; refuses bad values and an issuer and client id already registered."""
    checked = _checked(values)
    _refuse_duplicate(checked["issuer"], checked["client_id"], None)
    row = LtiRegistration(**checked, active=True, created_by_id=by.id if by else None)
    db.session.add(row)
    db.session.flush()
    record_staff_action(
        "lti.registration_created", "lti_registration", row.id, actor=by, after=_audit_values(row)
    )
    return row


def update_registration(
    row: LtiRegistration, values: RegistrationValues, by: User | None
) -> LtiRegistration:
    """Change a registration's values (the same checks as adding one)."""
    checked = _checked(values)
    _refuse_duplicate(checked["issuer"], checked["client_id"], row)
    before = _audit_values(row)
    for name, value in checked.items():
        setattr(row, name, value)
    db.session.flush()
    after = _audit_values(row)
    if after != before:
        changed = [k for k in after if after[k] != before[k]]
        record_staff_action(
            "lti.registration_changed",
            "lti_registration",
            row.id,
            actor=by,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    return row


def set_active(row: LtiRegistration, active: bool, by: User | None) -> LtiRegistration:
    """Deactivate a registration (its launches are refused) or activate it again."""
    if bool(row.active) == active:
        state = "active" if active else "deactivated"
        raise ServiceError(f"{row.name!r} is already {state}.")
    row.active = active
    db.session.flush()
    record_staff_action(
        "lti.registration_activated" if active else "lti.registration_deactivated",
        "lti_registration",
        row.id,
        actor=by,
        before={"active": not active},
        after={"active": active},
    )
    return row


# ---------------------------------------------------------------- refused launches


def record_refusal(
    stage: str, reason: str, *, issuer: str = "", client_id: str = "", remote_addr: str = ""
) -> LtiRefusal:
    """Keep a refused login or launch for the admin's page (the caller commits)."""
    row = LtiRefusal(
        stage=stage[:20],
        reason=reason,
        issuer=(issuer or "")[:255],
        client_id=(client_id or "")[:255],
        remote_addr=(remote_addr or "")[:64],
    )
    db.session.add(row)
    db.session.flush()
    return row


def recent_refusals(limit: int = REFUSALS_SHOWN) -> list[LtiRefusal]:
    """The latest refused launches, newest first."""
    return list(
        db.session.scalars(
            select(LtiRefusal).order_by(LtiRefusal.at.desc(), LtiRefusal.id.desc()).limit(limit)
        )
    )
