"""PyLTI1p3's launch data in the database (`lti_launch_values`): the login's nonce and state
parameters, the validated launches (a deep-linking launch is picked up again by the next
request) and the id-token hash PyLTI1p3 keeps per state. Any instance can finish a launch
another began, and nothing lives in a process's memory.

Two decisions:

- **Nonces are single use.** PyLTI1p3's `SessionService.check_nonce` only asks whether the
  nonce exists, and its state check accepts the same id token again once it has been seen, so
  a launch posted twice would pass twice. `DatabaseSessionService.check_nonce` consumes the
  nonce: it deletes the row and passes only if a row was deleted, in the launch's transaction,
  so of two concurrent replays one deletes and the other finds nothing ("replayed").
- **No `session-id` cookie.** PyLTI1p3 can prefix every key with a per-browser id kept in a
  `lti1p3-session-id` cookie (its cache storage does so only on https). We do not: every key
  is already unguessable (a state or launch id is a random UUID, a nonce two), the state
  cookie PyLTI1p3 sets at login (`SameSite=None; Secure` on https, as a platform posts the
  launch cross-site) already ties a launch to the browser that began it, and the one place a
  launch is picked up again, the deep-linking picker, also requires the signed-in account to be
  the launch's person. One cookie fewer is one fewer thing a browser's third-party cookie rules
  can break.

Expired rows are ignored on reading and deleted by `purge_expired`, which each login calls.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pylti1p3.launch_data_storage.base import LaunchDataStorage
from pylti1p3.session import SessionService
from sqlalchemy import delete, select

from ...models import LtiLaunchValue, db
from ...models.base import utcnow

DEFAULT_LIFETIME = 3600  # seconds: what PyLTI1p3 stores without saying how long
KEY_MAX = 255


class DatabaseLaunchDataStorage(LaunchDataStorage[Any]):
    """Key-value launch data with an expiry, in `lti_launch_values`."""

    def get_session_cookie_name(self) -> str | None:
        return None  # no per-browser key prefix: see the module's docstring

    def can_set_keys_expiration(self) -> bool:
        return True

    def _key(self, key: str) -> str | None:
        """The stored key, or None for one too long to have been stored (a state or launch
        id sent by someone other than PyLTI1p3 can be any length)."""
        prepared = self._prepare_key(key)
        return prepared if len(prepared) <= KEY_MAX else None

    def get_value(self, key: str) -> Any:
        key = self._key(key)
        row = db.session.get(LtiLaunchValue, key) if key else None
        if row is None or row.expires_at <= utcnow():
            return None
        return row.value

    def set_value(self, key: str, value: Any, exp: int | None = None) -> None:
        key = self._key(key)
        if key is None:
            raise ValueError("launch data key too long")  # PyLTI1p3's own keys never are
        expires = utcnow() + timedelta(seconds=exp or DEFAULT_LIFETIME)
        row = db.session.get(LtiLaunchValue, key)
        if row is None:
            db.session.add(LtiLaunchValue(key=key, value=value, expires_at=expires))
        else:
            row.value, row.expires_at = value, expires
        db.session.flush()

    def check_value(self, key: str) -> bool:
        return self.get_value(key) is not None

    def consume_value(self, key: str) -> bool:
        """Delete the value and say whether it was there and unexpired: a single-use check."""
        key = self._key(key)
        if key is None:
            return False
        result = db.session.execute(
            delete(LtiLaunchValue).where(
                LtiLaunchValue.key == key, LtiLaunchValue.expires_at > utcnow()
            )
        )
        return result.rowcount == 1

    def remove_value(self, key: str) -> None:
        key = self._key(key)
        if key is not None:
            db.session.execute(delete(LtiLaunchValue).where(LtiLaunchValue.key == key))


class DatabaseSessionService(SessionService):
    """PyLTI1p3's session service on the database storage, with single-use nonces."""

    def __init__(self, request) -> None:
        super().__init__(request)
        storage = DatabaseLaunchDataStorage()
        storage.set_request(request)
        self.data_storage = storage

    def check_nonce(self, nonce: str) -> bool:
        storage = self.data_storage
        key = self._get_key("nonce", nonce)
        if isinstance(storage, DatabaseLaunchDataStorage):
            return storage.consume_value(key)
        return storage.check_value(key)  # pragma: no cover - another storage set by a caller

    def forget_launch(self, launch_id: str) -> None:
        """Drop a validated launch once it has been used (a deep-linking response sent)."""
        storage = self.data_storage
        if isinstance(storage, DatabaseLaunchDataStorage):
            storage.remove_value(self._get_key(launch_id, add_prefix=False))


def purge_expired() -> int:
    """Delete the expired launch data; returns how many rows went."""
    result = db.session.execute(delete(LtiLaunchValue).where(LtiLaunchValue.expires_at <= utcnow()))
    return result.rowcount or 0


def stored_keys() -> list[str]:
    """Every key held (for tests and the command line)."""
    return list(db.session.scalars(select(LtiLaunchValue.key).order_by(LtiLaunchValue.key)))
