"""A real Learning Record Store for the xAPI tests: Ralph (`ralph-malph`), with its file-system
backend, run from its own virtual environment (`.venv/ralph`, made by `make ralph` from
tests/lrs-requirements.txt: Ralph pins click and others below the app's versions).

`Ralph(folder)` starts Ralph's LRS API (`ralph.api:app`, the app `ralph runserver` serves, run
by uvicorn without `runserver`'s file-watching reloader; its file-system backend made to
append, tests/ralph_app.py says why) on a free local port, with its statements in
`folder/data` and an HTTP basic-auth file made by Ralph's own CLI (`ralph auth`); `stop()`
ends it (the port and the data stay, so `start()` brings the same LRS back).
`python -m tests.lrs FOLDER [PORT]` serves one to try the app with.
`external()` is the LRS named by CRM_SANDBOX_TEST_LRS_URL (`.ci/run` starts one and sets it).
`validate(statements)` checks statements against Ralph's xAPI 1.0.3 model
(`ralph.models.xapi.base.statements.BaseXapiStatement`), in Ralph's environment.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RALPH_PYTHON = Path(os.environ.get("CRM_SANDBOX_RALPH_PYTHON") or ROOT / ".venv/ralph/bin/python")
USERNAME = "crm-sandbox"
VERSION_HEADER = {"X-Experience-API-Version": "1.0.3"}
# How long Ralph may take to start answering (it imports FastAPI and pydantic models); a
# guard against waiting for ever, not a measure of anything.
START_LIMIT = 60.0

VALIDATE = """
import json, sys
from pydantic import ValidationError
from ralph.models.xapi.base.statements import BaseXapiStatement
problems = []
for n, line in enumerate(sys.stdin):
    try:
        BaseXapiStatement.model_validate(json.loads(line))
    except ValidationError as exc:
        for error in exc.errors():
            where = ".".join(str(part) for part in error["loc"])
            problems.append(f"statement {n}: {where}: {error['msg']}")
print(json.dumps(problems))
"""


def installed() -> bool:
    return RALPH_PYTHON.exists()


def missing_reason() -> str:
    return f"Ralph is not installed at {RALPH_PYTHON}: run `make ralph`"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ralph_environment(folder: Path) -> dict:
    return {
        **os.environ,
        "RALPH_APP_DIR": str(folder / "app"),
        "RALPH_AUTH_FILE": str(folder / "auth.json"),
        "RALPH_RUNSERVER_BACKEND": "fs",
        "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(folder / "data"),
    }


@dataclass
class Lrs:
    """An LRS the tests talk to: its xAPI base URL and the credentials it accepts."""

    url: str
    username: str
    password: str
    session: requests.Session = field(default_factory=requests.Session, repr=False)

    def settings(self) -> dict:
        """The app's settings that send statements to this LRS."""
        return {"LRS_URL": self.url, "LRS_USERNAME": self.username, "LRS_PASSWORD": self.password}

    def statements(self, statement_id: str) -> list[dict]:
        """What the LRS holds under this id (read back with GET statements?statementId=)."""
        response = self.session.get(
            self.url.rstrip("/") + "/statements",
            params={"statementId": statement_id},
            headers=VERSION_HEADER,
            auth=(self.username, self.password),
            timeout=10,
        )
        if response.status_code == 404:
            return []
        response.raise_for_status()
        body = response.json()
        # One statement for statementId=; a list of them for a query.
        return body.get("statements", [body]) if "statements" in body else [body]


class Ralph(Lrs):
    """Ralph's LRS in a process of our own, on a free port, with its data in `folder`."""

    def __init__(self, folder: Path, port: int | None = None):
        self.folder = Path(folder)
        (self.folder / "data").mkdir(parents=True, exist_ok=True)
        super().__init__(
            url=f"http://127.0.0.1:{port or free_port()}/xAPI/",
            username=USERNAME,
            password=secrets.token_urlsafe(16),
        )
        self.port = int(self.url.split(":")[2].split("/")[0])
        self.process: subprocess.Popen | None = None
        self._make_credentials()

    def _ralph(self, *args: str, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603 - our own command line
            [str(RALPH_PYTHON), "-m", "ralph", *args],
            env=_ralph_environment(self.folder),
            cwd=self.folder,
            capture_output=True,
            text=True,
            check=False,
            **kwargs,
        )

    def _make_credentials(self) -> None:
        done = self._ralph(
            "auth",
            "--username",
            self.username,
            "--password",
            self.password,
            "--scope",
            "all",
            "--agent-ifi-account",
            USERNAME,
            "https://crm-sandbox.invalid",
            "--write-to-disk",
        )
        if done.returncode != 0 or not (self.folder / "auth.json").exists():
            raise RuntimeError(f"ralph auth failed:\n{done.stdout}\n{done.stderr}")

    def start(self) -> Ralph:
        if self.answers():  # its heartbeat would be taken for ours
            raise RuntimeError(f"Something answers on port {self.port} already.")
        log = open(self.folder / "ralph.log", "a")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            [
                str(RALPH_PYTHON),
                "-m",
                "uvicorn",
                "ralph_app:app",
                "--app-dir",
                str(HERE),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
            ],
            env=_ralph_environment(self.folder),
            cwd=self.folder,  # Ralph reads a .env file from its working folder
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + START_LIMIT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Ralph stopped at once:\n{self.log()}")
            if self.answers():
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"Ralph did not answer within {START_LIMIT} s:\n{self.log()}")

    def answers(self) -> bool:
        try:
            return requests.get(self.url.split("/xAPI")[0] + "/__heartbeat__", timeout=2).ok
        except requests.RequestException:
            return False

    def log(self) -> str:
        path = self.folder / "ralph.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None
        self.session.close()
        self.session = requests.Session()  # no kept-alive connection to the old process

    def stored_lines(self) -> list[dict]:
        """Every statement in Ralph's data file, as stored (duplicates would show here)."""
        path = self.folder / "data" / "fs_lrs.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def external() -> Lrs | None:
    """The LRS named by CRM_SANDBOX_TEST_LRS_URL (with _USERNAME and _PASSWORD), if any."""
    url = os.environ.get("CRM_SANDBOX_TEST_LRS_URL")
    if not url:
        return None
    return Lrs(
        url=url,
        username=os.environ.get("CRM_SANDBOX_TEST_LRS_USERNAME", ""),
        password=os.environ.get("CRM_SANDBOX_TEST_LRS_PASSWORD", ""),
    )


def validate(statements: list[dict]) -> list[str]:
    """Each problem Ralph's xAPI 1.0.3 model finds in the statements ([] when all are valid)."""
    lines = "".join(json.dumps(s) + "\n" for s in statements)
    done = subprocess.run(  # noqa: S603 - our own command line
        [str(RALPH_PYTHON), "-c", VALIDATE],
        input=lines,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"Ralph's validation did not run:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _serve(argv: list[str]) -> None:
    """`python -m tests.lrs FOLDER [PORT]`: a Ralph LRS to try the app with, until Ctrl+C."""
    server = Ralph(Path(argv[0]), int(argv[1]) if len(argv) > 1 else None).start()
    print(
        f"Ralph answers at {server.url} (data in {server.folder / 'data'}). Try it with:\n"
        f"  export CRM_SANDBOX_LRS_URL={server.url}\n"
        f"  export CRM_SANDBOX_LRS_USERNAME={server.username}\n"
        f"  export CRM_SANDBOX_LRS_PASSWORD={server.password}\n"
        "Ctrl+C stops it.",
        flush=True,
    )

    def stop(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        while True:
            signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    _serve(sys.argv[1:])
