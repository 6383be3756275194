"""Steps the journeys share: signing in as a person would, and the accessibility check."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .conftest import PASSWORD

BLOCKING_IMPACTS = ("serious", "critical")


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Fill the sign-in form by its labels and press the button."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("status").filter(has_text="Signed in as")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def check_accessible(page: Page, where: str) -> None:
    """Run axe-core on the page as it is now: no serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    report = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n"
        + "\n".join(
            f"    {' '.join(map(str, n['target']))}: {n['html'][:160]}"
            + "".join(f"\n      {c['message']}" for c in n.get("any", [])[:1])
            for n in v["nodes"][:5]
        )
        for v in blocking
    )
    assert not blocking, f"axe found serious/critical problems on {where} ({page.url}):\n{report}"
    # axe rates a duplicate id as minor, but two fields with one id means a label names the
    # wrong field (a person using a screen reader, or get_by_label, gets the other one).
    shared = page.evaluate(
        """() => {
            const fields = document.querySelectorAll(
                'input:not([type=hidden]):not([type=submit]), select, textarea');
            const seen = {};
            for (const f of fields) { if (f.id) { seen[f.id] = (seen[f.id] || 0) + 1; } }
            return Object.keys(seen).filter(id => seen[id] > 1);
        }"""
    )
    assert not shared, f"form fields sharing an id on {where} ({page.url}): {shared}"


def flash(page: Page, text: str | re.Pattern):
    """The flashed message (a status or alert region) containing `text`."""
    return page.get_by_role("status").or_(page.get_by_role("alert")).filter(has_text=text)


def crm_section(page: Page, name: str) -> None:
    """Open a section of the CRM from its side navigation."""
    page.get_by_role("navigation", name="CRM sections").get_by_role("link", name=name).click()


def open_contact(page: Page, search: str, name: str | re.Pattern) -> None:
    """Find a contact with the search box and open their page."""
    crm_section(page, "Contacts")
    page.get_by_label("Search name, email, phone or organisation").fill(search)
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("table", name="Contacts").get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def procedure_step(page: Page, summary: str | re.Pattern):
    """One of a complaint's next steps in the procedure (a disclosure group), opened."""
    part = page.get_by_role("group").filter(has=page.get_by_text(summary, exact=True))
    if part.get_attribute("open") is None:
        part.get_by_text(summary, exact=True).first.click()
    return part
