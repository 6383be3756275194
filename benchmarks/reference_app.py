"""The reference page for the saturation benchmark: the least a contact list can cost.

A minimal Flask app that reads the same 50 contacts as the CRM's contact list (one sandbox,
merged records left out, in name order) with SQLAlchemy Core and renders them in a plain
template (`reference_contacts.html`): no sign-in, no session, no ORM, no layout. The CRM page
is compared with it under the same gunicorn settings (`benchmarks.saturation`).

Serve: `CRM_BENCH_REFERENCE_DATABASE_URL=... gunicorn 'benchmarks.reference_app:create_app()'`
then open /contacts/<sandbox id>.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, render_template
from sqlalchemy import create_engine, text

ENV_URL = "CRM_BENCH_REFERENCE_DATABASE_URL"
PAGE_SIZE = 50
QUERY = text(
    "SELECT id, first_name, last_name, organisation_name, account_type, job_title, department,"
    " category, segment, lifecycle_stage, email, phone"
    " FROM contacts WHERE sandbox_id = :sandbox_id AND merged_into_id IS NULL"
    " ORDER BY sort_name, id LIMIT :limit"
)


def create_app(database_url: str | None = None) -> Flask:
    app = Flask(__name__, template_folder=str(Path(__file__).resolve().parent))
    engine = create_engine(database_url or os.environ[ENV_URL])

    @app.get("/contacts/<int:sandbox_id>")
    def contacts(sandbox_id: int):
        with engine.connect() as conn:
            rows = conn.execute(QUERY, {"sandbox_id": sandbox_id, "limit": PAGE_SIZE}).all()
        return render_template("reference_contacts.html", rows=rows, sandbox_id=sandbox_id)

    @app.get("/healthz")
    def health():
        return {"status": "ok"}

    return app
