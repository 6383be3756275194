"""Database work per CRM page: every page of a learner's CRM reads in at most three
statements on a realistic sandbox, whatever its number of rows (no query per row).

The statements are counted on the engine (`before_cursor_execute`) around one request of a
signed-in learner; the signed-in user is one of them. Runs on SQLite and, with
CRM_SANDBOX_TEST_DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from crm_sandbox.extensions import db
from crm_sandbox.models import Complaint, Contact, ServiceStandard, Survey

LIMIT = 3


def first_id(model, sandbox):
    return db.session.scalar(
        select(model.id).where(model.sandbox_id == sandbox.id).order_by(model.id).limit(1)
    )


@pytest.fixture
def crm(client, auth, provision):
    sandbox = provision(size="standard")
    auth.login(sandbox.owner.email)
    client.get(f"/s/{sandbox.id}/")  # the first opening may record work; count what follows
    return sandbox


# page: its path in the sandbox
PAGES = {
    "dashboard": lambda s: "/",
    "organisation": lambda s: "/organisation",
    "log": lambda s: "/log",
    "contact list": lambda s: "/contacts",
    "contact search": lambda s: "/contacts?q=a",
    "contact page": lambda s: f"/contacts/{first_id(Contact, s)}",
    "new contact form": lambda s: "/contacts/new",
    "edit contact form": lambda s: f"/contacts/{first_id(Contact, s)}/edit",
    "log an interaction form": lambda s: f"/contacts/{first_id(Contact, s)}/interactions/new",
    "complaint list": lambda s: "/complaints",
    "complaint page": lambda s: f"/complaints/{first_id(Complaint, s)}",
    "feedback": lambda s: "/feedback",
    "survey": lambda s: f"/feedback/{first_id(Survey, s)}",
    "survey analysis": lambda s: f"/feedback/{first_id(Survey, s)}/analysis",
    "improvements": lambda s: "/improvements",
    "loyalty": lambda s: "/feedback/loyalty",
    "standards": lambda s: "/standards",
    "standard page": lambda s: f"/standards/{first_id(ServiceStandard, s)}",
}


def statements_of(client, url):
    """The statements one GET makes (SQLite's BEGIN of its read transaction, sent by the app
    in-process, is not a statement of the page's); on PostgreSQL each must run outside a
    transaction, so no BEGIN or ROLLBACK goes to the server."""
    seen: list[str] = []
    in_transaction: list[str] = []
    postgres = db.engine.dialect.name == "postgresql"

    def count(_conn, _cursor, statement, *_args):
        if statement != "BEGIN":
            seen.append(statement)

    def status(conn, _cursor, statement, *_args):
        from psycopg.pq import TransactionStatus

        if conn.connection.driver_connection.info.transaction_status != TransactionStatus.IDLE:
            in_transaction.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    if postgres:
        event.listen(db.engine, "after_cursor_execute", status)
    try:
        response = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
        if postgres:
            event.remove(db.engine, "after_cursor_execute", status)
    assert response.status_code == 200, url
    assert in_transaction == [], "statements of a read-only page ran in a transaction"
    return seen


@pytest.mark.parametrize("page", list(PAGES))
def test_each_crm_page_reads_in_at_most_three_statements(client, crm, page):
    seen = statements_of(client, f"/s/{crm.id}{PAGES[page](crm)}")
    assert len(seen) <= LIMIT, "\n\n".join(seen)


def test_a_read_only_request_cannot_write_outside_a_write_transaction(app, create_user):
    """On PostgreSQL a GET reads in autocommit, where a change would be committed statement by
    statement: a flush there is refused. Inside `write_transactions()` it is one transaction."""
    from crm_sandbox import database
    from crm_sandbox.models import Role, User

    user_id = create_user(Role.LEARNER).id
    db.session.commit()
    with app.test_request_context("/", method="GET"):
        token = database.set_read_only_transactions(True)
        try:
            user = db.session.get(User, user_id)
            user.name = "Changed on a GET"
            if db.engine.dialect.name == "postgresql":
                with pytest.raises(RuntimeError, match="outside a write transaction"):
                    db.session.flush()
            db.session.rollback()
            with database.write_transactions():
                db.session.get(User, user_id).name = "Changed in a write transaction"
                db.session.commit()
        finally:
            database.reset_transaction_mode(token)
            db.session.remove()
    assert db.session.get(User, user_id).name == "Changed in a write transaction"


def test_no_page_makes_a_statement_per_row(client, auth, provision, create_user):
    """A standard sandbox (200 contacts, about 1,000 interactions) costs each page exactly the
    statements a small one does."""
    from crm_sandbox.models import Role

    learner = create_user(Role.LEARNER)
    small = provision(learner, size="small")
    standard = provision(learner, size="standard", seed=2)
    auth.login(learner.email)
    counts = {}
    for sandbox in (small, standard):
        client.get(f"/s/{sandbox.id}/")  # the first opening may record work
        counts[sandbox.size] = {
            page: len(statements_of(client, f"/s/{sandbox.id}{path(sandbox)}"))
            for page, path in PAGES.items()
        }
    assert counts["small"] == counts["standard"]
