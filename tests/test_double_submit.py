"""A create form sent twice (a double click, a resent request) makes one record: each shown
form carries a one-time token that the database accepts once."""

from __future__ import annotations

import copy
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from crm_sandbox.extensions import db
from crm_sandbox.models import (
    Complaint,
    Contact,
    FormSubmission,
    Interaction,
    ServiceStandard,
    Survey,
)

from .conftest import DEFAULT_PASSWORD

CONCURRENT_POSTS = 20
CONTACT_FORM = {
    "category": "external",
    "account_type": "individual",
    "segment": "",
    "lifecycle_stage": "",
}


def count(model, **where) -> int:
    db.session.rollback()
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalar(query)


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', html
    )
    assert match, f"no hidden field {name} in the form"
    return match.group(1)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A minimal browser against a live server: its own cookies, no automatic redirects."""

    def __init__(self, base: str, jar: CookieJar | None = None):
        self.base = base
        self.jar = jar or CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect
        )

    def open(self, path: str, data: dict | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, body, timeout=60) as response:
                return response.status, response.read().decode(), ""
        except urllib.error.HTTPError as exc:  # 3xx (not followed) and 4xx/5xx
            return exc.code, exc.read().decode(), exc.headers.get("Location", "")

    def copy(self) -> Browser:
        jar = CookieJar()
        for cookie in self.jar:
            jar.set_cookie(copy.copy(cookie))
        return Browser(self.base, jar)


@pytest.fixture
def live(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


def signed_in(base: str, email: str) -> Browser:
    browser = Browser(base)
    _, page, _ = browser.open("/login")
    status, _, _ = browser.open(
        "/login",
        {"csrf_token": hidden(page, "csrf_token"), "email": email, "password": DEFAULT_PASSWORD},
    )
    assert status == 302
    return browser


def test_twenty_identical_concurrent_posts_make_one_contact(live, provision):
    sandbox = provision()
    browser = signed_in(live, sandbox.owner.email)
    _, form, _ = browser.open(f"/s/{sandbox.id}/contacts/new")
    data = {
        "csrf_token": hidden(form, "csrf_token"),
        "form_token": hidden(form, "form_token"),
        "first_name": "Doubled",
        "last_name": "Click",
        **CONTACT_FORM,
    }
    browsers = [browser.copy() for _ in range(CONCURRENT_POSTS)]
    start = threading.Barrier(CONCURRENT_POSTS)
    answers: list = [None] * CONCURRENT_POSTS

    def post(i: int) -> None:
        start.wait()
        answers[i] = browsers[i].open(f"/s/{sandbox.id}/contacts/new", data)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(CONCURRENT_POSTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert count(Contact, sandbox_id=sandbox.id, last_name="Click") == 1
    contact = db.session.scalar(select(Contact).where(Contact.last_name == "Click"))
    assert [status for status, _, _ in answers] == [302] * CONCURRENT_POSTS
    # every answer leads to the one contact; the repeats say so instead of saving again
    assert {location.split("?")[0].removeprefix(live) for _, _, location in answers} == {
        f"/s/{sandbox.id}/contacts/{contact.id}"
    }
    repeats = [b for b, (_, _, loc) in zip(browsers, answers, strict=True) if loc]
    messages = [b.open(f"/s/{sandbox.id}/contacts/{contact.id}")[1] for b in repeats]
    assert sum("already been saved" in page for page in messages) == CONCURRENT_POSTS - 1
    assert sum("Added Doubled Click" in page for page in messages) == 1


def test_a_resent_interaction_form_is_saved_once(client, auth, provision):
    sandbox = provision()
    contact_id = db.session.scalar(
        select(Contact.id).where(Contact.sandbox_id == sandbox.id).limit(1)
    )
    auth.login(sandbox.owner.email)
    url = f"/s/{sandbox.id}/contacts/{contact_id}/interactions/new"
    data = {
        "form_token": "resent-token-0123456789abcdef",
        "channel": "phone",
        "direction": "inbound",
        "initiative": "reactive",
        "summary": "Asked about opening hours",
    }
    before = count(Interaction, contact_id=contact_id)
    first = client.post(url, data=data)
    again = client.post(url, data=data, follow_redirects=True)
    assert first.status_code == 302
    assert again.status_code == 200 and b"already been saved" in again.data
    assert count(Interaction, contact_id=contact_id) == before + 1


def test_a_resent_complaint_form_is_saved_once(client, auth, provision):
    sandbox = provision()
    contact_id = db.session.scalar(
        select(Contact.id).where(Contact.sandbox_id == sandbox.id).limit(1)
    )
    auth.login(sandbox.owner.email)
    url = f"/s/{sandbox.id}/contacts/{contact_id}/complaints/new"
    page = client.get(url).data.decode()
    category = re.search(r'<option[^>]*value="([^"]+)"', page.split('name="category"')[1])
    data = {
        "form_token": hidden(page, "form_token"),
        "channel": "phone",
        "category": category.group(1),
        "severity": "medium",
        "description": "The parcel arrived damaged",
    }
    first = client.post(url, data=data)
    again = client.post(url, data=data)
    assert first.status_code == 302 and again.status_code == 302
    assert again.headers["Location"] == first.headers["Location"]
    assert count(Complaint, sandbox_id=sandbox.id, description="The parcel arrived damaged") == 1


def test_a_refused_save_leaves_the_form_token_usable(client, auth, provision):
    sandbox = provision()
    auth.login(sandbox.owner.email)
    url = f"/s/{sandbox.id}/contacts/new"
    token = "refused-token-0123456789abcdef"
    blank = {**CONTACT_FORM, "form_token": token}
    refused = client.post(url, data=blank)
    assert refused.status_code == 422 and b"Nothing was saved" in refused.data  # needs a name
    assert count(FormSubmission, token=token) == 0
    saved = client.post(url, data={**blank, "first_name": "Late"})
    assert saved.status_code == 302
    assert count(Contact, sandbox_id=sandbox.id, first_name="Late") == 1


def test_a_form_without_its_token_saves_nothing_and_comes_back_with_one(client, auth, provision):
    sandbox = provision()
    auth.login(sandbox.owner.email)
    response = client.post(
        f"/s/{sandbox.id}/contacts/new",
        data={**CONTACT_FORM, "form_token": "", "first_name": "Tokenless"},
    )
    assert response.status_code == 200  # the form again, with the message
    assert b"form was incomplete or out of date" in response.data
    assert len(hidden(response.data.decode(), "form_token")) >= 20
    assert count(Contact, sandbox_id=sandbox.id, first_name="Tokenless") == 0


def form_defaults(html: str) -> dict:
    """What a browser would send for a shown form left as it is: hidden fields and each
    select's selected (or first) option."""
    data = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if 'type="hidden"' in tag and name and value:
            data[name.group(1)] = value.group(1)
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option[^>]*selected[^>]*value="([^"]*)"', options) or re.search(
            r'value="([^"]*)"[^>]*selected', options
        )
        first = re.search(r'<option[^>]*value="([^"]*)"', options)
        data[name] = (chosen or first).group(1)
    return data


@pytest.mark.parametrize(
    ("path", "model", "fields"),
    [
        ("standards/new", ServiceStandard, {"title": "Answer every email within a day"}),
        ("feedback/new", Survey, {"title": "How did we do?", "purpose": "Find out"}),
    ],
)
def test_a_resent_standard_or_feedback_form_is_saved_once(
    client, auth, provision, path, model, fields
):
    sandbox = provision()
    auth.login(sandbox.owner.email)
    url = f"/s/{sandbox.id}/{path}"
    data = {**form_defaults(client.get(url).data.decode()), **fields}
    assert data["form_token"]
    first = client.post(url, data=data)
    again = client.post(url, data=data, follow_redirects=True)
    assert first.status_code == 302
    assert b"already been saved" in again.data
    assert count(model, sandbox_id=sandbox.id, title=fields["title"]) == 1
