"""Other users while a large CSV import runs: the class's latency before and during the import.

A tutor uploads a file of 1,000 learners (40 with quick=True) through the real app under
gunicorn (2 sync workers, production settings, so the production scrypt cost) while the
class-load client of `benchmarks.load` drives 30 learners at about 15 requests/s, the same
mix as the load benchmark (writes among it: logging interactions, moving complaints). The
class is measured first with no import (`baseline`), then again while the import's background
job hashes the passwords (`during_import`), with the same windows, warm-up and figures as the
load benchmark. `import_s` is the time from the upload to the job's end (polled in the
database), `import_running_throughout` whether the import was still running when the
measurement ended (otherwise the measurement also covers time after it).

Run on its own: `python -m benchmarks.import_load [--quick] [--database-url URL]`.
"""

from __future__ import annotations

import re
import secrets
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from sqlalchemy import create_engine, text

from .classroom import USER_AGENT, app_server, build_app, prepare_class
from .common import standalone_main
from .load import FULL_SECONDS, QUICK_SECONDS, measure_level

LEARNERS, RATE = 30, 15.0
FULL_ROWS, QUICK_ROWS = 1000, 40
IMPORT_TIMEOUT_S = 1800.0
TARGET_P95_MS = 100.0


def tutor_cookie(room) -> str:
    """A signed-in session cookie for the class's tutor (made as `prepare_class` makes the
    learners')."""
    from flask import session
    from flask_login import login_user

    from crm_sandbox.extensions import db
    from crm_sandbox.services import accounts

    app = build_app(room.database_url, room.instance_path, room.secret_key)
    serializer = app.session_interface.get_signing_serializer(app)
    with app.app_context():
        tutor = accounts.find_user_by_email("tutor@bench.example.org")
        with app.test_request_context(
            "/", headers={"User-Agent": USER_AGENT}, environ_base={"REMOTE_ADDR": "127.0.0.1"}
        ):
            accounts.start_session(tutor, USER_AGENT)
            db.session.commit()
            login_user(tutor)
            session["csrf_token"] = secrets.token_hex(20)
            cookie = serializer.dumps(dict(session))
        db.session.remove()
        db.engine.dispose()
    return cookie


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def upload(base_url: str, cookie_name: str, cookie: str, rows: int) -> str:
    """Post a CSV of `rows` new learners through the import page; the job page's address."""
    opener = urllib.request.build_opener(_NoRedirect)
    headers = {"Cookie": f"{cookie_name}={cookie}", "User-Agent": USER_AGENT}
    url = base_url + "/tutor/import"
    with opener.open(urllib.request.Request(url, headers=headers)) as page:  # noqa: S310 - loopback
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.read().decode())
    if token is None:
        raise RuntimeError("the import page has no CSRF token (is the tutor signed in?)")
    csv = "name,email,role,group\n" + "".join(
        f"Imported {i},imported{i}@bench.example.org,learner,Imported group\n" for i in range(rows)
    )
    boundary = secrets.token_hex(12)
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
        f"{token.group(1)}\r\n--{boundary}\r\nContent-Disposition: form-data; "
        f'name="file"; filename="big.csv"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n'
        f"--{boundary}--\r\n"
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - the app on loopback
        url,
        data=body,
        headers={**headers, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    try:
        opener.open(request)  # noqa: S310 - loopback
    except urllib.error.HTTPError as answer:  # the 302 to the job's page
        if answer.code == 302 and "/tutor/imports/" in answer.headers.get("Location", ""):
            return answer.headers["Location"]
        raise RuntimeError(f"the upload answered {answer.code}") from None
    raise RuntimeError("the upload did not lead to an import job's page")


def job_status(database_url: str) -> tuple[str, int, int] | None:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            row = conn.execute(
                text("SELECT status, hashed, total FROM import_jobs ORDER BY id DESC LIMIT 1")
            ).first()
    finally:
        engine.dispose()
    return tuple(row) if row else None


def run(database_url: str | None, quick: bool = False) -> dict:
    """The `import_load` section: the class's figures without and with an import running."""
    seconds = QUICK_SECONDS if quick else FULL_SECONDS
    rows = QUICK_ROWS if quick else FULL_ROWS
    room = prepare_class(database_url, LEARNERS, tag="import")
    try:
        cookie = tutor_cookie(room)
        log_path = Path(tempfile.mkstemp(prefix="crm-bench-import-", suffix=".log")[1])
        try:
            with app_server(room, log_path) as server:
                baseline = measure_level(server, room, LEARNERS, RATE, seconds, seed=1)
                started = time.perf_counter()
                upload(server.base_url, room.cookie_name, cookie, rows)
                upload_s = time.perf_counter() - started
                during = measure_level(server, room, LEARNERS, RATE, seconds, seed=2)
                status = job_status(room.database_url)
                running_throughout = status is not None and status[0] == "running"
                while status is not None and status[0] == "running":
                    if time.perf_counter() - started > IMPORT_TIMEOUT_S:
                        raise RuntimeError(f"the import did not finish in {IMPORT_TIMEOUT_S} s")
                    time.sleep(0.5)
                    status = job_status(room.database_url)
                import_s = time.perf_counter() - started
                server_errors = server.log_text().count("Traceback")
        finally:
            log_path.unlink(missing_ok=True)
    finally:
        room.close()
    return {
        "method": (
            f"{LEARNERS} learners at {RATE:g} requests/s (the load benchmark's client and mix), "
            f"measured with no import, then while a {rows}-row CSV import runs; gunicorn 2 "
            "sync workers, production scrypt cost"
        ),
        "import_rows": rows,
        "import_status": status[0] if status else None,
        "upload_ms": round(upload_s * 1000, 1),
        "import_s": round(import_s, 1),
        "import_running_throughout": running_throughout,
        "server_tracebacks": server_errors,
        "baseline": baseline,
        "during_import": during,
        "target_p95_ms": TARGET_P95_MS,
    }


def table(section: dict) -> str:
    def fig(f: dict | None) -> str:
        return f"{f['median']:g} ({f['min']:g}-{f['max']:g})" if f else "no answers"

    rows = [f"{'':<14} {'p50_ms':>18} {'p95_ms':>18} {'errors':>6} {'db_locked':>9}"]
    for name in ("baseline", "during_import"):
        level = section[name]
        rows.append(
            f"{name:<14} {fig(level['p50_ms']):>18} {fig(level['p95_ms']):>18} "
            f"{level['errors_total']:>6} {level['db_locked']:>9}"
        )
    rows.append(
        f"import of {section['import_rows']} rows: {section['import_status']} in "
        f"{section['import_s']} s (upload answered in {section['upload_ms']} ms; running "
        f"throughout the measurement: {section['import_running_throughout']})"
    )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    return standalone_main(
        "import_load", __doc__, run, table, f"{QUICK_ROWS} rows, 5 s per measurement", argv
    )


if __name__ == "__main__":
    sys.exit(main())
