"""PyLTI1p3's view of the registrations: a `ToolConfAbstract` that reads `lti_registrations`,
so an admin's change applies at the next launch on every instance."""

from __future__ import annotations

from pylti1p3.deployment import Deployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config.abstract import ToolConfAbstract
from sqlalchemy import select

from ...models import LtiRegistration, db
from . import keys


def pylti_registration(row: LtiRegistration) -> Registration:
    """A registration row as PyLTI1p3's `Registration`, with the tool's key pair."""
    key = keys.current()
    return (
        Registration()
        .set_issuer(row.issuer)
        .set_client_id(row.client_id)
        .set_auth_login_url(row.auth_login_url)
        .set_auth_token_url(row.auth_token_url)
        .set_auth_audience(row.auth_audience or None)
        .set_key_set_url(row.key_set_url)
        .set_tool_private_key(key.private_pem)
        .set_tool_public_key(key.public_pem)
    )


def find(issuer: str, client_id: str | None = None) -> LtiRegistration | None:
    """The active registration for the issuer (and client id, when given). An issuer with
    several client ids and no client id named is ambiguous: None."""
    query = select(LtiRegistration).where(
        LtiRegistration.issuer == issuer, LtiRegistration.active.is_(True)
    )
    if client_id is not None:
        return db.session.scalar(query.where(LtiRegistration.client_id == client_id))
    rows = list(db.session.scalars(query.limit(2)))
    return rows[0] if len(rows) == 1 else None


class DatabaseToolConf(ToolConfAbstract):
    """Registrations from the database. An issuer may have several client ids (a college with
    two Moodles behind one issuer, a Canvas developer key per subaccount)."""

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss: str, *args, **kwargs) -> Registration | None:
        row = find(iss)
        return pylti_registration(row) if row else None

    def find_registration_by_params(
        self, iss: str, client_id: str | None, *args, **kwargs
    ) -> Registration | None:
        row = find(iss, client_id)
        return pylti_registration(row) if row else None

    def find_deployment(self, iss: str, deployment_id: str) -> Deployment | None:
        row = find(iss)
        return _deployment(row, deployment_id)

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str, *args, **kwargs
    ) -> Deployment | None:
        return _deployment(find(iss, client_id), deployment_id)


def _deployment(row: LtiRegistration | None, deployment_id: str) -> Deployment | None:
    if row is None or deployment_id not in (row.deployment_ids or []):
        return None
    return Deployment().set_deployment_id(deployment_id)
