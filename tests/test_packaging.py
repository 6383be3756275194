"""The production install: a wheel built from the checkout, installed into a clean virtual
environment outside it, serves the app and reads its scenario library.

How, and why this way:
- The wheel is built from a copy of the checkout (pip's in-tree build writes build/ and
  *.egg-info next to the sources; a copy keeps the checkout clean and parallel runs apart) with
  `pip wheel --no-deps --no-build-isolation`, i.e. with this venv's setuptools and no download.
- The clean venv has no pip of its own and no access to this venv or the system's packages; this
  venv's pip installs into it (`pip --python`). The dependencies come from the package index as
  for any user, pinned to the versions installed here (a constraints file written from this
  environment), so the run is the same as the environment the rest of the suite tested, and
  `--no-compile` skips byte-compiling 400 MB of dependencies nobody imports twice here.
- Every command runs in a temporary folder with the venv's own scripts, so nothing can be
  imported from the checkout; the first check is where `crm_sandbox` was imported from.

Marked `packaging` (about 30 s on a quiet machine): deselect with -m "not packaging" while
developing; `make test` and CI run it.
"""

from __future__ import annotations

import http.client
import importlib.metadata
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from urllib.parse import urlencode

import pytest

ROOT = Path(__file__).resolve().parent.parent
# What a source tree holds that is not part of the project (caches, builds, local state).
NOT_SOURCE = shutil.ignore_patterns(
    ".git",
    ".venv",
    "build",
    "dist",
    "instance",
    "*.egg-info",
    "__pycache__",
    "*.pyc",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
    "*.sqlite3*",
    "latest.json",
)
# Folders the installed app reads, and where the wheel puts them.
SHIPPED = {
    "crm_sandbox": "crm_sandbox",
    "seed": "seed",
    "templates": "crm_sandbox/templates",
    "scenarios": "crm_sandbox/scenarios/library",
}
LEARNER_EMAIL = "learner@college.example.org"
PASSWORD = "packaged pass phrase 7"
SCENARIO = "first-complaint"


def _run(args: list, timeout: float = 120, **kwargs) -> str:
    """Run a command; its output, or a failure that shows what it printed."""
    proc = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=timeout, **kwargs
    )
    if proc.returncode != 0:
        pytest.fail(
            f"{' '.join(map(str, args))} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
        )
    return proc.stdout


def _source_files(source: Path) -> set[str]:
    """Where each file of the shipped folders (in the copied checkout) should be in the wheel;
    READMEs are documentation for developers and stay out."""
    wanted = set()
    for folder, inside in SHIPPED.items():
        for path in (source / folder).rglob("*"):
            if path.is_file() and not path.name.startswith((".", "README")):
                wanted.add(f"{inside}/{path.relative_to(source / folder).as_posix()}")
    return wanted


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """(the wheel, the copy of the checkout it was built from)."""
    work = tmp_path_factory.mktemp("packaging")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    wheels = work / "wheels"
    _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
        + ["--wheel-dir", wheels, source],
        timeout=300,
    )
    (wheel,) = wheels.glob("crm_sandbox-*.whl")
    return wheel, source


def test_a_checkout_reads_the_top_level_folders(monkeypatch, tmp_path):
    from crm_sandbox import create_app, resources
    from crm_sandbox.criteria import DEFAULT_PATH
    from crm_sandbox.scenarios.loader import LIBRARY

    assert resources.TEMPLATES == ROOT / "templates"
    assert LIBRARY == ROOT / "scenarios"
    assert DEFAULT_PATH.is_file() and resources.MIGRATIONS.joinpath("alembic.ini").is_file()
    monkeypatch.setenv("CRM_SANDBOX_INSTANCE_PATH", str(tmp_path))
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.jinja_loader.searchpath == [str(ROOT / "templates")]
    assert Path(app.static_folder, "app.css").is_file()


@pytest.mark.packaging
def test_the_wheel_carries_every_file_the_app_reads(built):
    wheel, source = built
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = sorted(_source_files(source) - names)
    assert missing == [], "files the wheel does not carry (see setup.py / setup.cfg):\n" + (
        "\n".join(missing)
    )
    # the parts the installed app looks for by path
    assert "crm_sandbox/templates/auth/login.html" in names
    assert "crm_sandbox/scenarios/library/first-complaint.yaml" in names
    assert "crm_sandbox/migrations/alembic.ini" in names
    assert "crm_sandbox/data/criteria.yaml" in names
    assert not [n for n in names if "__pycache__" in n or n.startswith(("tests/", "templates/"))]


class Browser:
    """Just enough of a browser for the sign-in form: cookies by hand (the production app marks
    them Secure, which a cookie jar would not send over plain HTTP) and no redirects followed."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", errors="replace")
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, value = header.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        return response.status, response.getheader("Location"), text


def _serve(venv: Path, env: dict, cwd: Path, log_path: Path):
    """gunicorn from the clean venv on a socket this process binds (a free loopback port)."""
    from gunicorn.config import KNOWN_SETTINGS

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    sock.set_inheritable(True)
    port = sock.getsockname()[1]
    # gunicorn 24+ opens a control socket at one path per user, which another run may hold
    no_control = (
        ["--no-control-socket"]
        if "control_socket_disable" in {s.name for s in KNOWN_SETTINGS}
        else []
    )
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [str(venv / "bin" / "gunicorn"), "--bind", f"fd://{sock.fileno()}", "--workers", "1"]
            + ["--access-logfile", "-", *no_control, "crm_sandbox.wsgi:app"],
            env=env,
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            pass_fds=(sock.fileno(),),
        )
    sock.close()
    return proc, port


def _wait_for(port: int, proc: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"gunicorn exited with {proc.returncode}:\n{log_path.read_text()}")
        try:
            if Browser(port).request("GET", "/login")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"the installed app did not answer within 60 s:\n{log_path.read_text()}")


@pytest.mark.packaging
def test_an_installed_wheel_serves_the_app_outside_the_checkout(built, tmp_path):
    wheel, _ = built
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv])
    python = venv / "bin" / "python"
    constraints = tmp_path / "constraints.txt"
    constraints.write_text(
        "\n".join(
            f"{d.metadata['Name']}=={d.version}"
            for d in importlib.metadata.distributions()
            if d.metadata["Name"] and d.metadata["Name"].lower() not in {"crm-sandbox", "pip"}
        )
        + "\n"
    )
    _run(
        [sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-compile"]
        + ["--constraint", constraints, wheel],
        timeout=900,
    )

    home = tmp_path / "run"  # cwd: neither the checkout nor anything importable
    instance = home / "instance"
    instance.mkdir(parents=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CRM_SANDBOX_", "PYTHON", "VIRTUAL_ENV"))
    }
    env.update(
        PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        CRM_SANDBOX_INSTANCE_PATH=str(instance),
        CRM_SANDBOX_SECURE_COOKIES="1",  # as in production: crm_sandbox.wsgi refuses otherwise
    )

    def cli(*args) -> str:
        return _run([venv / "bin" / "crm-sandbox", *args], env=env, cwd=home)

    imported_from = _run(
        [python, "-c", "import crm_sandbox; print(crm_sandbox.__file__)"], env=env, cwd=home
    )
    assert Path(imported_from.strip()).is_relative_to(venv)

    assert "Created admin" in cli(
        "init", "--admin-email", "admin@college.example.org", "--admin-password", PASSWORD
    )
    listed = cli("scenarios", "list").splitlines()
    library = sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml"))
    assert sorted(line.split()[0] for line in listed) == library
    assert len(library) >= 14  # the shipped library
    cli(
        "users", "create", "--name", "Lee Learner", "--email", LEARNER_EMAIL,
        "--role", "learner", "--password", PASSWORD,
    )  # fmt: skip
    # a sandbox generated from seed/ for a scenario read from the packaged library
    assert "Assigned" in cli(
        "scenarios", "assign", "--scenario", SCENARIO, "--learner", LEARNER_EMAIL
    )

    log_path = tmp_path / "gunicorn.log"
    proc, port = _serve(venv, env, home, log_path)
    try:
        _wait_for(port, proc, log_path)
        browser = Browser(port)
        status, _, page = browser.request("GET", "/login")
        assert status == 200 and "Sign in" in page
        assert browser.request("GET", "/static/app.css")[0] == 200
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        status, location, _ = browser.request(
            "POST", "/login", {"csrf_token": token, "email": LEARNER_EMAIL, "password": PASSWORD}
        )
        assert status == 302, "the learner could not sign in"
        status, _, home_page = browser.request("GET", "/learner/")
        assert status == 200 and "Open my practice CRM" in home_page
        attempt = re.search(r'href="(/learner/scenarios/\d+)"', home_page).group(1)
        status, _, brief = browser.request("GET", attempt)
        assert status == 200
        crm = re.search(r'href="(/s/\d+/)"', brief).group(1)
        status, _, contacts = browser.request("GET", crm + "contacts")
        assert status == 200 and "Contacts" in contacts
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    log = log_path.read_text(errors="replace")
    assert "Traceback" not in log and not re.search(r'HTTP/[0-9.]+" 5\d\d ', log), log
