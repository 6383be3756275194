"""Screenshots of the key pages for the README (`make screenshots`).

Runs the real app on a temporary SQLite database: `crm-sandbox demo --no-serve` creates the
demo cohort and gives the learners the demo scenario; two learners' work is then carried out
by the scenario's own model answer (the same service calls a learner's clicks make: Leah does
the first steps, Liam all of them and submits); the demo server is started on a free loopback
port, and Playwright drives Debian's Chromium through the pages as each demo user, pressing
"Check my work" in the browser like a learner. The PNGs go to docs/screenshots/.

    python scripts/screenshots.py [--out docs/screenshots] [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WIDTH, HEIGHT = 1366, 900
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
PASSWORDS = {
    "learner": "demo-learner-pass",
    "tutor": "demo-tutor-pass",
    "assessor": "demo-assessor-pass",
}
EMAIL = "{}@demo-college.ac.uk"


def prepare_work() -> None:
    """Inside the temporary instance (its environment is set by the caller): replay the demo
    scenario's model answer for two learners, so the pages have work to show."""
    from crm_sandbox.app import create_app
    from crm_sandbox.extensions import db
    from crm_sandbox.scenarios import engine, loader
    from crm_sandbox.services import accounts, assignments

    app = create_app()
    with app.app_context():
        leah = accounts.find_user_by_email(EMAIL.format("learner1"))
        liam = accounts.find_user_by_email(EMAIL.format("learner2"))
        leah_attempt = assignments.attempts_of(leah)[0]
        steps = loader.scenario_of(leah_attempt).model_answer
        # Leah has acknowledged the complaint and called the customer back, no more yet.
        engine.replay(leah_attempt, steps[:3])
        liam_attempt = assignments.attempts_of(liam)[0]
        engine.replay(liam_attempt, steps)
        engine.check_my_work(liam_attempt, liam)
        engine.submit(liam_attempt, liam, declaration_confirmed=True)
        db.session.commit()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urlopen(url, timeout=5):  # noqa: S310 - our own loopback server
                return
        except (URLError, ConnectionError, OSError):
            if time.monotonic() > deadline:
                raise SystemExit(
                    f"The app did not answer at {url} within {timeout:.0f} s."
                ) from None
            time.sleep(0.3)


class Shooter:
    """One browser, a context per signed-in user, a PNG per page."""

    def __init__(self, browser, base: str, out: Path):
        self.browser = browser
        self.base = base
        self.out = out
        self.taken: list[Path] = []

    def page_as(self, who: str | None):
        context = self.browser.new_context(
            viewport={"width": WIDTH, "height": HEIGHT},
            device_scale_factor=1,
            locale="en-GB",
            timezone_id="Europe/London",
        )
        page = context.new_page()
        if who:
            role = "learner" if who.startswith("learner") else who
            page.goto(f"{self.base}/login")
            page.get_by_label("Email").fill(EMAIL.format(who))
            page.get_by_label("Password").fill(PASSWORDS[role])
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_load_state()
            if "/login" in page.url:
                raise SystemExit(f"Could not sign in as {who}.")
        return page

    def shot(self, page, name: str, path: str | None = None) -> None:
        if path is not None:
            response = page.goto(f"{self.base}{path}")
            if response is None or response.status >= 400:
                status = response.status if response else "no response"
                raise SystemExit(f"{path} answered {status}.")
        page.wait_for_load_state("networkidle")
        target = self.out / f"{name}.png"
        page.screenshot(path=str(target), full_page=False)
        self.taken.append(target)
        shown = target.relative_to(ROOT) if target.is_relative_to(ROOT) else target  # --out
        print(f"  {shown}  {target.stat().st_size // 1024} KB")


def first_link(page, selector: str) -> str:
    """The path of the first link matching a CSS selector on the current page."""
    href = page.locator(selector).first.get_attribute("href")
    if not href:
        raise SystemExit(f"No link matching {selector!r} on {page.url}.")
    return href


def take_all(shooter: Shooter) -> None:
    s = shooter
    anonymous = s.page_as(None)
    s.shot(anonymous, "01-sign-in", "/login")

    leah = s.page_as("learner1")
    leah.goto(f"{s.base}/learner/")
    scenario_path = first_link(leah, "a[href*='/learner/scenarios/']")
    leah.goto(f"{s.base}{scenario_path}")
    leah.get_by_role("button", name="Check my work").click()
    leah.wait_for_load_state()
    s.shot(leah, "03-scenario-check-my-work")
    s.shot(leah, "02-learner-home", "/learner/")
    leah.goto(f"{s.base}{scenario_path}")

    crm = first_link(leah, "a[href^='/s/']").split("/s/")[1].split("/")[0]
    base = f"/s/{crm}"
    s.shot(leah, "04-crm-contacts", f"{base}/contacts")
    leah.goto(f"{s.base}{base}/complaints")
    complaint = first_link(leah, "table a[href*='/complaints/']")
    leah.goto(f"{s.base}{complaint}")
    contact = first_link(leah, "a[href*='/contacts/']:not([href$='/contacts'])")
    s.shot(leah, "05-contact-timeline", contact)
    s.shot(leah, "06-complaint", complaint)
    leah.goto(f"{s.base}{base}/standards")
    standard = first_link(leah, "table a[href*='/standards/']")
    s.shot(leah, "07-standard-monitoring", standard)
    leah.goto(f"{s.base}{base}/feedback")
    analysis = first_link(leah, "a[href$='/analysis']")
    s.shot(leah, "08-survey-analysis", analysis)

    tara = s.page_as("tutor")
    tara.goto(f"{s.base}/tutor/")
    progress = first_link(tara, "a[href$='/progress']")
    s.shot(tara, "09-tutor-progress", progress)
    attempt = first_link(tara, "tr:has-text('Leah Learner') a[href*='/tutor/attempts/']")
    s.shot(tara, "10-tutor-attempt", attempt)

    asha = s.page_as("assessor")
    s.shot(asha, "11-assessor-queue", "/assessor/")
    work = first_link(asha, "a[href*='/assessor/attempts/']")
    s.shot(asha, "12-assessor-assessment", work)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--prepare-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.prepare_only:
        prepare_work()
        return 0

    from playwright.sync_api import sync_playwright

    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="crm-screenshots-"))
    env = {
        **os.environ,
        "CRM_SANDBOX_INSTANCE_PATH": str(tmp),
        "CRM_SANDBOX_DATABASE_URL": f"sqlite:///{tmp / 'crm.sqlite3'}",
        "CRM_SANDBOX_DEBUG": "0",
    }
    server = None
    try:
        print("Setting up the demo cohort in", tmp)
        subprocess.run(  # noqa: S603 - our own command, fixed arguments
            [str(BIN / "crm-sandbox"), "demo", "--no-serve"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        subprocess.run(  # noqa: S603 - this script, fixed arguments
            [sys.executable, __file__, "--prepare-only"], env=env, check=True
        )
        port = free_port()
        server = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
            [str(BIN / "crm-sandbox"), "demo", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/login")
        print("Taking screenshots of", base)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=args.chromium, args=CHROMIUM_FLAGS)
            try:
                shooter = Shooter(browser, base, out)
                take_all(shooter)
            finally:
                browser.close()
        total = sum(f.stat().st_size for f in shooter.taken)
        print(f"{len(shooter.taken)} screenshots, {total / 1024 / 1024:.1f} MB in all.")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
