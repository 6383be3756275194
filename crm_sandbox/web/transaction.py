"""The one way a view runs a change: commit it when the service accepts it, roll it back and
explain when it refuses.

    with transaction(form) as tx:
        made = tutoring.create_group(current_user, name, body)
        tx.success = f"Group {made.name!r} created."
    if tx.ok:
        return redirect(...)
    return render_template(...)  # the form, with the refusal on its field

Inside the block a `ServiceError` (or a `ScenarioError`, a scenario file with problems) is
the service saying no: everything the block did is rolled back, the refusal is shown (on the
form field it names, or flashed), and the view carries on after the block with `tx.ok`
false. Any other exception is rolled back and raised again; `AlreadySaved` (a create form
sent twice) is one of those, answered by the redirect in `forms_common`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from flask import flash
from flask_wtf import FlaskForm

from ..database import reads_in_autocommit, write_transactions
from ..extensions import db
from ..scenarios.loader import Problem, ScenarioError
from ..services.errors import ServiceError
from ..services.form_tokens import AlreadySaved
from ..wording import count_of
from .forms_common import show_service_error


@dataclass
class Transaction:
    """What a `transaction` block did: `ok` once it is committed."""

    ok: bool = False
    #: flashed once the block is committed (set it inside the block to name what was made)
    success: str = ""
    #: the service's refusal, when it refused
    error: ServiceError | None = None
    #: a refused scenario file's problems, for the page to list
    problems: list[Problem] = field(default_factory=list)
    _abandoned: bool = False

    def abandon(self) -> None:
        """Roll the block back when it ends, without a message: for a service that answers
        "not this" with a result (an import's list of problems) rather than an error."""
        self._abandoned = True


@contextmanager
def transaction(
    form: FlaskForm | None = None,
    *,
    success: str = "",
    refused: str = "Nothing was saved",
    problems_listed: bool = True,
    write: bool = False,
) -> Iterator[Transaction]:
    """Run the block as one transaction (see the module's docstring).

    `refused` begins the message of a refusal ("Nothing was changed", "Not published").
    A refused scenario's message counts its problems when the page lists them
    (`problems_listed`), and names the first when it does not (a redirect).
    `write` is for a GET that has to change something (a sandbox made or a scenario's events
    fired on first sight): the request's read transaction is ended first, so that the block
    starts a write transaction of its own (SQLite's BEGIN IMMEDIATE; see `database`). A block
    in a read-only request is always such a write transaction: on PostgreSQL the request reads
    in autocommit, where a change would not be one transaction."""
    tx = Transaction(success=success)
    write = write or reads_in_autocommit()
    if write:
        db.session.rollback()
    with write_transactions() if write else nullcontext():
        try:
            yield tx
            if tx._abandoned:
                db.session.rollback()
                return
            db.session.commit()
        except Exception as exc:
            db.session.rollback()
            if isinstance(exc, AlreadySaved) or not isinstance(exc, ServiceError | ScenarioError):
                raise
            _explain(tx, exc, form, refused, problems_listed)
            return
    tx.ok = True
    if tx.success:
        flash(tx.success, "success")


def _explain(tx, exc, form, refused: str, problems_listed: bool) -> None:
    if isinstance(exc, ScenarioError):
        tx.problems = exc.problems
        detail = (
            f"{count_of(len(exc.problems), 'problem')} in the scenario."
            if problems_listed
            else str(exc.problems[0])
        )
        flash(f"{refused}: {detail}", "danger")
    else:
        tx.error = exc
        show_service_error(form, exc, refused)


def run_in_transaction(
    action: Callable[[], Any], form: FlaskForm | None = None, success: str = ""
) -> tuple[Any, bool]:
    """`transaction` for a single service call: (its result, True) once committed, or
    (None, False) when the service refused (the refusal is already shown)."""
    result = None
    with transaction(form, success=success) as tx:
        result = action()
    return (result if tx.ok else None), tx.ok
