"""One-time form tokens: a create form saved twice (a double click, a resent request, the
back button) makes one record.

Each create form carries a random token in a hidden field. Saving the form stores the token
(unique in the database) in the same transaction as the record it makes; a second save with
the same token finds it taken and is answered "already saved" with a link to the first
result. Concurrent saves queue on the unique index (PostgreSQL) or on the write lock (SQLite),
so exactly one of them wins. A refused save (bad input) rolls back and leaves the token free.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from ..models import FormSubmission, User, db
from ..models.base import utcnow
from .errors import ServiceError

TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{20,64}")
KEEP_FOR = timedelta(days=30)  # a form older than this is long closed


class AlreadySaved(ServiceError):
    """This form was saved before; `result_url` is where that save led."""

    def __init__(self, result_url: str):
        super().__init__(
            "This form had already been saved (it was sent more than once); it was saved only once."
        )
        self.result_url = result_url


def new_token() -> str:
    """A fresh random token for a create form's hidden field."""
    return secrets.token_urlsafe(24)


def valid_token(token: str | None) -> bool:
    """Whether a posted token has the shape `new_token` gives, so a missing or tampered one is
    refused before it reaches the database."""
    return bool(token) and TOKEN_PATTERN.fullmatch(token) is not None


def claim(token: str | None, user: User) -> FormSubmission:
    """Take the form's token for this save, or raise AlreadySaved (flushes)."""
    if not valid_token(token):
        raise ServiceError(
            "the form was incomplete or out of date. It has been reloaded: please save it again."
        )
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(
        delete(FormSubmission).where(
            FormSubmission.user_id == user.id, FormSubmission.created_at < utcnow() - KEEP_FOR
        )
    )
    new_id = db.session.execute(
        insert(FormSubmission)
        .values(token=token, user_id=user.id, created_at=utcnow(), result_url="")
        .on_conflict_do_nothing(index_elements=["token"])
        .returning(FormSubmission.id)
    ).scalar_one_or_none()
    if new_id is None:
        earlier = db.session.scalar(select(FormSubmission).where(FormSubmission.token == token))
        same_user = earlier is not None and earlier.user_id == user.id
        raise AlreadySaved(earlier.result_url if same_user else "")
    return db.session.get(FormSubmission, new_id)


def saved(submission: FormSubmission, result_url: str) -> None:
    """Remember where the save led (a repeat is sent there)."""
    submission.result_url = result_url[:500]
    db.session.flush()
