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

from crm_sandbox.criteria import criteria_for_attempt
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


# ---------------------------------------------------------------- every other create form


def form_on_page(html: str, action: str) -> dict:
    """`form_defaults` of the one form on the page that posts to `action`."""
    match = re.search(rf'<form[^>]*action="{re.escape(action)}"[^>]*>(.*?)</form>', html, re.S)
    assert match, f"no form posting to {action}"
    return form_defaults(match.group(1))


@pytest.fixture
def world(app, provision, ctx_for):
    """A sandbox with a contact, an open complaint, a standard, a draft survey and a comment
    card with a response, and a finding from it: something for every create form."""
    from datetime import timedelta

    from crm_sandbox.services import complaints, feedback, standards

    sandbox = provision()
    ctx = ctx_for(sandbox)
    contact = db.session.scalar(
        select(Contact).where(Contact.sandbox_id == sandbox.id, Contact.category == "external")
    )
    complaint = complaints.receive_complaint(
        ctx, contact, {"channel": "email", "category": "Delivery", "description": "Late"}
    )
    standard = standards.create_standard(
        ctx, {"title": "Answer the phone within 5 rings", "measure": "manual"}
    )
    draft = feedback.create_survey(ctx, {"title": "Draft", "method": "survey"})
    card = feedback.create_survey(ctx, {"title": "Card", "method": "comment_card"})
    question = feedback.add_question(ctx, card, "free_text", "Anything else?")
    feedback.record_response(ctx, card, {question.id: "Queue too long"})
    finding = feedback.add_finding(
        ctx, card, "Queues are a theme", question_id=question.id, measure="responses", figure=1
    )
    db.session.commit()
    return {
        "sandbox": sandbox,
        "contact": contact.id,
        "complaint": complaint.id,
        "standard": standard.id,
        "draft": draft.id,
        "card": card.id,
        "question": question.id,
        "finding": finding.id,
        "tomorrow": (ctx.now().date() + timedelta(days=1)).isoformat(),
    }


def _cases(w):
    from crm_sandbox.models import (
        Finding,
        ImprovementAction,
        Measurement,
        Need,
        Preference,
        Question,
        Response,
        StandardFinding,
    )

    contact, standard = f"contacts/{w['contact']}", f"standards/{w['standard']}"
    card = f"feedback/{w['card']}"
    return {
        "add need": (
            contact,
            f"{contact}/needs",
            {"need_type": "timescale", "description": "A call before 10am"},
            Need,
        ),
        "add preference": (
            contact,
            f"{contact}/preferences",
            {"pref_type": "other", "description": "Prefers email"},
            Preference,
        ),
        "add survey question": (
            f"feedback/{w['draft']}",
            f"feedback/{w['draft']}/questions",
            {"kind": "free_text", "text": "How was your visit?"},
            Question,
        ),
        "record measurement": (
            standard,
            f"{standard}/measure",
            {"taken_on": "2026-03-02", "value": "4"},
            Measurement,
        ),
        "record standard finding": (
            standard,
            f"{standard}/findings",
            {"text": "Most calls answered"},
            StandardFinding,
        ),
        "record feedback finding": (
            f"{card}/analysis",
            f"{card}/findings",
            {"text": "Waiting is the issue", "measure": "responses", "figure": "1"},
            Finding,
        ),
        "plan improvement action": (
            "improvements",
            f"findings/{w['finding']}/actions",
            {
                "description": "Open a second till",
                "owner": "Store manager",
                "due_on": w["tomorrow"],
                "process_changed": "Checkout staffing",
                "success_measure": "Queue under 5 minutes",
                "tracks": "question",
                "measure_question_id": str(w["question"]),
                "measure_figure": "responses",
                "aim": "down",
            },
            ImprovementAction,
        ),
        "type in a response": (
            card,
            f"{card}/responses",
            {f"q_{w['question']}": "Friendly staff"},
            Response,
        ),
        "log a complaint update": (
            f"complaints/{w['complaint']}",
            f"complaints/{w['complaint']}/update",
            {"upd-channel": "email", "upd-message": "We are looking into it"},
            Interaction,
        ),
    }


@pytest.mark.parametrize(
    "case",
    [
        "add need",
        "add preference",
        "add survey question",
        "record measurement",
        "record standard finding",
        "record feedback finding",
        "plan improvement action",
        "type in a response",
        "log a complaint update",
    ],
)
def test_every_create_form_sent_twice_saves_once(client, auth, world, case):
    page, action, fields, model = _cases(world)[case]
    sid = world["sandbox"].id
    auth.login(world["sandbox"].owner.email)
    url = f"/s/{sid}/{action}"
    data = {**form_on_page(client.get(f"/s/{sid}/{page}").data.decode(), url), **fields}
    assert len(next(v for k, v in data.items() if k.endswith("form_token"))) >= 20
    before = count(model, sandbox_id=sid)
    first = client.post(url, data=data, follow_redirects=True)
    assert b"Nothing was saved" not in first.data, re.findall(
        r"Nothing was saved[^<]*", first.data.decode()
    )
    again = client.post(url, data=data, follow_redirects=True)
    assert again.status_code == 200 and b"already been saved" in again.data, case
    assert count(model, sandbox_id=sid) == before + 1, case


def test_a_create_form_without_its_token_saves_nothing_and_says_why(client, auth, world):
    from crm_sandbox.models import Need

    sid, contact = world["sandbox"].id, world["contact"]
    auth.login(world["sandbox"].owner.email)
    refused = client.post(
        f"/s/{sid}/contacts/{contact}/needs",
        data={"need_type": "other", "description": "No token", "form_token": ""},
        follow_redirects=True,
    )
    assert b"form was incomplete or out of date" in refused.data
    assert count(Need, contact_id=contact, description="No token") == 0


def test_a_form_shown_once_per_row_has_a_token_per_row(client, auth, world, ctx_for):
    """Planning an action for one finding and then for another, from one page, saves both."""
    from crm_sandbox.models import Finding, ImprovementAction
    from crm_sandbox.services import feedback

    sandbox = world["sandbox"]
    ctx = ctx_for(sandbox)
    card = db.session.get(Survey, world["card"])
    second = feedback.add_finding(ctx, card, "Staff are praised", question_id=world["question"])
    db.session.commit()
    auth.login(sandbox.owner.email)
    page = client.get(f"/s/{sandbox.id}/improvements").data.decode()
    fields = _cases(world)["plan improvement action"][2]
    tokens = set()
    for finding_id in (world["finding"], second.id):
        url = f"/s/{sandbox.id}/findings/{finding_id}/actions"
        data = {**form_on_page(page, url), **fields}
        tokens.add(data["form_token"])
        assert client.post(url, data=data).status_code == 302
    assert len(tokens) == 2
    assert count(ImprovementAction, sandbox_id=sandbox.id) == 2
    assert {f.id for f in db.session.scalars(select(Finding))} >= {world["finding"], second.id}


def test_a_quality_review_sent_twice_is_recorded_once(app, client, auth, create_user, create_group):
    from crm_sandbox.models import QualityReview, Role
    from crm_sandbox.scenarios import engine
    from crm_sandbox.services import assessment, assignments

    learner, assessor, reviewer = (
        create_user(r) for r in (Role.LEARNER, Role.ASSESSOR, Role.ASSESSOR)
    )
    group = create_group("QA", learners=[learner], assessors=[assessor, reviewer])
    assignments.assign("first-complaint", [learner], set_by=group.tutor, group_id=group.id)
    attempt = assignments.attempts_of(learner)[0]
    engine.submit(attempt, learner, True)
    for criterion in criteria_for_attempt(attempt):
        assessment.judge(attempt, assessor, criterion.id, "met", "")
    decision = assessment.decide(attempt, assessor, "met", "Well done.")
    db.session.commit()
    auth.login(reviewer.email)
    url = f"/assessor/quality/{decision.id}"
    data = {**form_on_page(client.get("/assessor/quality").data.decode(), url), "agrees": "agree"}
    client.post(url, data=data)
    again = client.post(url, data=data, follow_redirects=True)
    assert b"already been saved" in again.data
    assert count(QualityReview, decision_id=decision.id) == 1
