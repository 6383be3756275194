"""Hostile input: arbitrary text, unicode, huge values and missing fields posted to every form
never cause a 500 (property-based, Hypothesis); script and attribute-breaking quotes saved in
any text field are shown escaped on every page that shows them; forms ignore fields they do
not declare; CSV exports cannot run as spreadsheet formulas; uploads have size limits."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from sqlalchemy import func, select

from crm_sandbox.criteria import criteria_for_attempt
from crm_sandbox.extensions import db
from crm_sandbox.models import (
    Complaint,
    Contact,
    Decision,
    Group,
    Role,
    User,
)
from crm_sandbox.scenarios import engine, loader
from crm_sandbox.scenarios.loader import library_source
from crm_sandbox.services import (
    assessment,
    assignments,
    complaints,
    contacts,
    feedback,
    groups,
    interactions,
    standards,
    tutoring,
)
from crm_sandbox.services.context import SandboxContext
from tests.urls import SANDBOX_OBJECTS, fill_rule

from .conftest import DEFAULT_PASSWORD
from .test_no_server_errors import FIELDS as JUNK_FIELDS

# ---------------------------------------------------------------- finding every form


@dataclass
class FormSpec:
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> options (if any)
    files: set[str] = field(default_factory=set)
    tokens: set[str] = field(default_factory=lambda: {"csrf_token"})  # CSRF field names


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.forms: list[FormSpec] = []
        self._form: FormSpec | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self._form = FormSpec(action=attrs.get("action") or "")
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "textarea", "select"):
            name = attrs.get("name")
            if name and name.endswith("csrf_token"):
                self._form.tokens.add(name)
                return
            if not name or attrs.get("type") == "submit":
                return
            options = self._form.fields.setdefault(name, [])
            if attrs.get("type") in ("radio", "checkbox") and attrs.get("value"):
                options.append(attrs["value"])
            if attrs.get("type") == "file":
                self._form.files.add(name)
            if tag == "select":
                self._select = name
        elif tag == "option" and self._form is not None and self._select:
            self._form.fields[self._select].append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _pattern(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def discover_forms(client, start: list[str], inside: tuple[str, ...], per_pattern: int = 4):
    """Open pages from `start`, following links inside these prefixes (a few pages per URL
    pattern: complaints at different stages show different forms), and collect each distinct
    POST form (one per action pattern)."""
    seen, opened, queue, forms = {}, set(), list(start), {}
    while queue:
        path = queue.pop(0)
        parts = urlsplit(path)
        if parts.netloc or not parts.path.startswith(inside) or parts.path in opened:
            continue
        pattern = _pattern(parts.path)
        if seen.get(pattern, 0) >= per_pattern or parts.path.endswith((".zip", ".svg")):
            continue
        seen[pattern] = seen.get(pattern, 0) + 1
        opened.add(parts.path)
        response = client.get(parts.path)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        parser = _PageParser()
        parser.feed(response.get_data(as_text=True))
        for form in parser.forms:
            action = form.action or parts.path
            forms.setdefault(
                _pattern(urlsplit(action).path), FormSpec(action, form.fields, form.files)
            )
        queue.extend(parser.links)
    return list(forms.values())


# ---------------------------------------------------------------- hostile values

TRICKY = [
    "",
    " ",
    "0",
    "-1",
    "99999999999999999999",
    "1e309",
    "nan",
    "2026-02-30",
    "9999-12-31",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\u202e\u200b\ufeff",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🙂",
    "a\r\nb",
    '=HYPERLINK("http://evil.example")',
]
# Numbers that are not figures (Python's float() and Decimal accept every one of them).
NON_FINITE = ["nan", "NaN", "-nan", "inf", "Infinity", "-Infinity", "1e999", "sNaN"]
# Text matplotlib would parse as math if it were not drawn plainly.
MATH_TEXT = [r"$\frac{a}$", "$x^$", "$$", r"$\sqrt{$", "cost $5 and $6", r"\$\alpha$"]
# Control characters no name or title needs.
CONTROL = ["a\x00b", "tab\there", "bell\x07", "esc\x1b[31m", "del\x7f"]
huge = st.builds(lambda ch, n: ch * n, st.characters(codec="utf-8"), st.integers(1_000, 20_000))
# Numbers no database integer holds, and below zero: ids, page numbers, counts, cursors.
huge_ints = st.one_of(
    st.integers(min_value=-(10**30), max_value=-1),
    st.integers(min_value=2**31, max_value=10**30),
    st.sampled_from([2**31, 2**63, 2**64, -(2**63)]),
).map(str)
# Control characters (CR/LF would split a header; others are invisible) inside ordinary text.
control_text = st.builds(
    lambda before, controls, after: before + controls + after,
    st.text(max_size=8),
    st.text(st.characters(codec="utf-8", categories=["Cc", "Zl", "Zp"]), min_size=1, max_size=4),
    st.text(max_size=8),
)
# Dates a calendar holds but business time does not: year 1 to year 9999.
extreme_dates = st.one_of(
    st.dates(max_value=date(1999, 12, 31)),
    st.dates(min_value=date(2100, 1, 1)),
    st.sampled_from([date.min, date.max]),
).map(date.isoformat)
hostile_text = st.one_of(
    st.text(max_size=60),
    st.sampled_from(TRICKY),
    st.sampled_from(NON_FINITE + MATH_TEXT + CONTROL),
    st.from_regex(r"-?[0-9]{1,24}(\.[0-9]{1,6})?", fullmatch=True),
    huge,
    huge_ints,
    control_text,
    extreme_dates,
)


def form_values(form: FormSpec):
    """A strategy for one submission of the form: each field missing, hostile, or one of its
    own options; file fields get arbitrary bytes."""
    parts = {}
    for name, options in form.fields.items():
        if name in form.files:
            parts[name] = st.one_of(st.none(), st.binary(max_size=4_000))
            continue
        choices = [hostile_text]
        if options:
            choices.append(st.sampled_from(options))
        parts[name] = st.one_of(st.none(), *choices)
    return st.fixed_dictionaries(parts)


def _post_data(client, values: dict, form: FormSpec) -> dict:
    # A valid CSRF token (in each name a prefixed form uses), so the hostile values reach the
    # form's validation and the services behind it.
    if not hasattr(client, "_token"):
        client._token = client.csrf_token()
    data = {name: client._token for name in form.tokens}
    files = form.files
    for name, value in values.items():
        if value is None:
            continue  # the field is missing
        data[name] = (io.BytesIO(value), "upload.csv") if name in files else value
    return data


# Forms that end what the other forms need: posted last, in this order.
LAST = ("/submit", "/restart", "/reset", "/archive", "/active")


def _order(forms: list[FormSpec]) -> list[FormSpec]:
    def rank(form):
        path = urlsplit(form.action).path
        return next((i + 1 for i, end in enumerate(LAST) if path.endswith(end)), 0)

    return sorted(forms, key=rank)


@pytest.fixture
def hostile_world(app, create_user, create_group):
    """A learner with scenario work in progress, one piece submitted and one signed off; their
    tutor's group and draft scenario: every kind of form has something to act on."""
    learner = create_user(Role.LEARNER)
    tutor, assessor = create_user(Role.TUTOR), create_user(Role.ASSESSOR)
    group = create_group("Hostile group", tutor=tutor, learners=[learner], assessors=[assessor])
    for scenario_id in ("closing-the-loop", "first-complaint", "measurable-standards"):
        assignments.assign(scenario_id, [learner], set_by=tutor, group_id=group.id)
    by_scenario = {a.scenario_id: a for a in assignments.attempts_of(learner)}
    working = by_scenario["closing-the-loop"]
    waiting = by_scenario["first-complaint"]
    signed_off = by_scenario["measurable-standards"]
    engine.replay(working, loader.scenario_of(working).model_answer)
    for attempt in (waiting, signed_off):
        engine.submit(attempt, learner, True)
    for criterion in criteria_for_attempt(signed_off):
        assessment.judge(signed_off, assessor, criterion.id, "met", "")
    assessment.decide(signed_off, assessor, "met", "Well done.")
    source = library_source("first-complaint")[1].replace("id: first-complaint", "id: mine", 1)
    authored = tutoring.save_authored(tutor, source, "mine.yaml")
    db.session.commit()
    ids = {
        "group_id": group.id,
        "authored_id": authored.id,
        "waiting_id": waiting.id,
        "decision_id": db.session.scalar(select(func.min(Decision.id))),
        "user_id": learner.id,
    }
    return {"learner": learner, "admin": create_user(Role.ADMIN), "working": working, "ids": ids}


def route_forms(app, ids: dict, blueprints: tuple[str, ...], found: list[FormSpec]):
    """A form for each POST route of these areas that no page showed (a complaint at another
    stage, a draft survey...): posted with every field name any form of the app uses."""
    known = {_pattern(urlsplit(f.action).path) for f in found}
    names = sorted({name for f in found for name in f.fields} | set(JUNK_FIELDS))
    tokens = {name for f in found for name in f.tokens}
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint.split(".")[0] not in blueprints:
            continue
        path = fill_rule(rule, ids, default=1)
        if _pattern(path) not in known:
            known.add(_pattern(path))
            yield FormSpec(path, {name: [] for name in names}, tokens=tokens)


def _poster(client, form: FormSpec, posts: dict):
    """A property for one form: whatever is posted, the answer is not a server error."""

    @settings(
        max_examples=15,
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )
    @given(values=form_values(form))
    def post_anything(values):
        response = client.post(form.action, data=_post_data(client, values, form), csrf=False)
        posts["n"] += 1
        assert response.status_code < 500, (form.action, response.status_code)

    return post_anything


def test_no_form_answers_500_to_arbitrary_input(app, hostile_world, summary_line):
    learner_client, admin_client = app.test_client(), app.test_client()
    for client, user in ((learner_client, "learner"), (admin_client, "admin")):
        client.post(
            "/login", data={"email": hostile_world[user].email, "password": DEFAULT_PASSWORD}
        )
    working = hostile_world["working"]
    sid = working.sandbox_id
    learner_forms = discover_forms(
        learner_client,
        [f"/s/{sid}/", f"/learner/scenarios/{hostile_world['working'].id}", "/learner/"],
        ("/s/", "/learner/", "/account"),
    )
    staff_forms = discover_forms(
        admin_client,
        ["/tutor/", "/assessor/", "/admin/", "/account"],
        ("/tutor/", "/assessor/", "/admin/", "/account"),
    )
    ids = dict(hostile_world["ids"], sandbox_id=sid, attempt_id=working.id, action="investigate")
    for arg, model in SANDBOX_OBJECTS.items():
        ids[arg] = db.session.scalar(select(func.min(model.id)).where(model.sandbox_id == sid))
    learner_forms += list(route_forms(app, ids, ("crm", "learner"), learner_forms))
    ids["attempt_id"] = hostile_world["ids"]["waiting_id"]
    staff_forms += list(route_forms(app, ids, ("tutor", "assessor", "admin"), staff_forms))
    plan = [(learner_client, f) for f in _order(learner_forms)]
    plan += [(admin_client, f) for f in _order(staff_forms)]
    plan = [
        (c, f) for c, f in plan if not urlsplit(f.action).path.startswith(("/logout", "/login"))
    ]
    posts = {"n": 0}

    for client, form in plan:
        _poster(client, form, posts)()

    actions = {_pattern(urlsplit(f.action).path) for _, f in plan}
    summary_line(f"hostile input: {posts['n']} posts to {len(actions)} forms, none answered 500")
    # The discovery found the forms of every area.
    for area in (
        "/s/N/contacts/",
        "/s/N/complaints/",
        "/s/N/standards/",
        "/s/N/feedback/",
        "/learner/scenarios/",
        "/tutor/groups/",
        "/tutor/scenarios",
        "/assessor/attempts/",
        "/assessor/quality/",
        "/admin/users/",
        "/account/",
    ):
        assert any(a.startswith(area) for a in actions), area
    post_routes = {
        _pattern(fill_rule(r, {"action": "investigate"}, default=1))
        for r in app.url_map.iter_rules()
        if "POST" in r.methods
        and r.endpoint.split(".")[0] in ("crm", "learner", "tutor", "assessor", "admin")
    }
    assert post_routes <= actions, sorted(post_routes - actions)


# ---------------------------------------------------------------- script in every text field

PAYLOAD = "<script>alert(1)</script>\"'><img src=x onerror=alert(1)>"
SHOWN = str(escape("<script>alert(1)</script>"))  # how the payload's start must appear
RAW = ("<script>alert(1)", "<img src=x onerror", "\"'><img")


def test_script_and_quotes_in_every_text_field_are_shown_escaped(app, create_user):
    """The payload is saved (through the services every form uses) into each text field of
    contacts, needs, preferences, interactions, complaints, standards, surveys, questions,
    group and user names; every page that shows them shows it as text."""
    learner = create_user(Role.LEARNER, name="Lee " + PAYLOAD)
    tutor = create_user(Role.TUTOR, name="Tutor " + PAYLOAD)
    assessor = create_user(Role.ASSESSOR, name="Assessor " + PAYLOAD)
    group = groups.create_group(name="Group " + PAYLOAD, tutor=tutor)
    groups.add_member(group, learner, by=None)
    groups.add_member(group, assessor, by=None)
    assignments.assign("first-complaint", [learner], set_by=tutor, group_id=group.id)
    attempt = assignments.attempts_of(learner)[0]
    ctx = SandboxContext(attempt.sandbox, learner)
    text_fields = ("first_name", "last_name", "organisation_name", "job_title", "department")
    contact = contacts.create_contact(
        ctx,
        {
            **{name: PAYLOAD for name in text_fields},
            "address": PAYLOAD,
            "notes": PAYLOAD,
            "category": "external",
        },
    )
    contacts.add_need(ctx, contact, PAYLOAD)
    contacts.add_preference(ctx, contact, PAYLOAD)
    interactions.log_interaction(
        ctx,
        contact,
        {
            "channel": "email",
            "direction": "inbound",
            "initiative": "reactive",
            "summary": PAYLOAD,
            "outcome": PAYLOAD,
        },
    )
    complaint = complaints.receive_complaint(
        ctx, contact, {"channel": "email", "category": PAYLOAD, "description": PAYLOAD}
    )
    complaints.acknowledge(ctx, complaint, "email", PAYLOAD)
    standard = standards.create_standard(
        ctx,
        {"title": PAYLOAD, "description": PAYLOAD, "measure": "manual", "agreed_with": PAYLOAD},
    )
    survey = feedback.create_survey(ctx, {"title": PAYLOAD, "purpose": PAYLOAD, "method": "survey"})
    feedback.add_question(ctx, survey, "free_text", PAYLOAD)
    engine.submit(attempt, learner, True)
    db.session.commit()

    sid = attempt.sandbox_id
    pages = {
        learner: [
            "/learner/",
            f"/learner/scenarios/{attempt.id}",
            f"/s/{sid}/",
            f"/s/{sid}/contacts",
            f"/s/{sid}/contacts/{contact.id}",
            f"/s/{sid}/contacts/{contact.id}/edit",
            f"/s/{sid}/complaints",
            f"/s/{sid}/complaints/{complaint.id}",
            f"/s/{sid}/standards",
            f"/s/{sid}/standards/{standard.id}",
            f"/s/{sid}/standards/{standard.id}/edit",
            f"/s/{sid}/feedback",
            f"/s/{sid}/feedback/{survey.id}",
            f"/s/{sid}/log",
            "/account",
        ],
        tutor: [
            "/tutor/",
            f"/tutor/groups/{group.id}",
            f"/tutor/groups/{group.id}/progress",
            f"/tutor/groups/{group.id}/assign",
            f"/tutor/attempts/{attempt.id}",
            f"/tutor/attempts/{attempt.id}/contacts",
            f"/tutor/attempts/{attempt.id}/complaints",
        ],
        assessor: ["/assessor/", f"/assessor/attempts/{attempt.id}"],
        create_user(Role.ADMIN): ["/admin/users", "/admin/groups", f"/admin/users/{assessor.id}"],
    }
    shown_on = 0
    for user, paths in pages.items():
        client = app.test_client()
        client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
        for path in paths:
            page = client.get(path)
            assert page.status_code == 200, path
            html = page.get_data(as_text=True)
            for raw in RAW:
                assert raw not in html, (path, raw)
            assert SHOWN in html, f"{path} does not show the saved text"
            shown_on += 1
    assert shown_on == sum(len(p) for p in pages.values())


# ---------------------------------------------------------------- mass assignment


def test_the_contact_and_complaint_forms_ignore_fields_they_do_not_declare(
    client, auth, app, create_user, provision
):
    other_sandbox = provision()
    sandbox = provision()
    learner = sandbox.owner
    auth.login(learner.email)
    sid = sandbox.id
    extra = {
        "sandbox_id": str(other_sandbox.id),
        "id": "1",
        "owner": "Mallory",
        "owner_id": str(other_sandbox.owner_id),
        "merged_into_id": "1",
        "accuracy_checked_at": "2020-01-01",
        "role": "admin",
    }
    made = client.post(
        f"/s/{sid}/contacts/new",
        data={
            "first_name": "Ada",
            "last_name": "Declared",
            "category": "external",
            "account_type": "individual",
            "segment": "regular",
            "lifecycle_stage": "retention",
            **extra,
        },
    )
    assert made.status_code == 302, re.findall(r"invalid-feedback[^<]*<", made.get_data(True))
    db.session.rollback()
    contact = db.session.scalar(select(Contact).where(Contact.last_name == "Declared"))
    assert contact.sandbox_id == sid and contact.id != 1
    assert contact.merged_into_id is None and contact.accuracy_checked_at is None

    complaint_page = client.get(f"/s/{sid}/contacts/{contact.id}/complaints/new")
    select_block = complaint_page.get_data(as_text=True).split('name="category"', 1)[1]
    category = re.search(r'<option[^>]*value="([^"]+)"', select_block)
    recorded = client.post(
        f"/s/{sid}/contacts/{contact.id}/complaints/new",
        data={
            "channel": "email",
            "category": category.group(1),
            "severity": "medium",
            "description": "The parcel never came.",
            "stage": "closed",
            "reference": "HACKED-1",
            "contact_id": "1",
            **extra,
        },
    )
    assert recorded.status_code == 302
    db.session.rollback()
    complaint = db.session.scalar(
        select(Complaint).where(Complaint.description == "The parcel never came.")
    )
    assert complaint.sandbox_id == sid and complaint.contact_id == contact.id
    assert complaint.stage == "received" and complaint.owner != "Mallory"
    assert complaint.reference != "HACKED-1"
    # the other learner's sandbox got nothing
    assert not db.session.scalar(
        select(func.count(Contact.id)).where(
            Contact.sandbox_id == other_sandbox.id, Contact.last_name == "Declared"
        )
    )


def test_the_tutors_group_and_learner_forms_ignore_fields_they_do_not_declare(
    client, auth, create_user
):
    tutor, other_tutor = create_user(Role.TUTOR), create_user(Role.TUTOR)
    auth.login(tutor.email)
    made = client.post(
        "/tutor/groups/new",
        data={
            "name": "Declared group",
            "body_id": "vtct",
            "tutor_id": str(other_tutor.id),
            "archived": "y",
            "id": "77",
        },
    )
    assert made.status_code == 302
    db.session.rollback()
    group = db.session.scalar(select(Group).where(Group.name == "Declared group"))
    assert group.tutor_id == tutor.id and not group.archived and group.id != 77
    client.post(
        f"/tutor/groups/{group.id}/learners",
        data={
            "name": "New Learner",
            "email": "new.learner@college.example.org",
            "role": "admin",
            "active": "0",
            "password_hash": "x",
        },
    )
    db.session.rollback()
    user = db.session.scalar(select(User).where(User.email == "new.learner@college.example.org"))
    assert (user.role, user.active) == ("learner", True)
    assert user.password_hash != "x"


# ---------------------------------------------------------------- CSV exports and uploads

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def test_the_evidence_csv_downloads_cannot_run_as_spreadsheet_formulas(
    app, create_user, create_group
):
    learner = create_user(Role.LEARNER, name='=HYPERLINK("http://evil.example","Click")')
    assessor = create_user(Role.ASSESSOR, name="@SUM(1+1)*cmd|' /C calc'!A0")
    group = create_group("CSV group", learners=[learner], assessors=[assessor])
    assignments.assign("first-complaint", [learner], set_by=group.tutor, group_id=group.id)
    attempt = assignments.attempts_of(learner)[0]
    ctx = SandboxContext(attempt.sandbox, learner)
    contact = contacts.create_contact(
        ctx, {"last_name": "-2+3", "category": "external", "notes": "=1+2"}
    )
    contacts.add_need(ctx, contact, "+44 wants a call back")
    engine.submit(attempt, learner, True)
    criterion = criteria_for_attempt(attempt)[0]
    assessment.judge(attempt, assessor, criterion.id, "not_yet_met", "=cmd|' /C calc'!A0")
    db.session.commit()

    downloads = []
    for user, path in (
        (learner, "/learner/evidence.zip"),
        (assessor, f"/assessor/attempts/{attempt.id}/evidence.zip"),
    ):
        client = app.test_client()
        client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
        response = client.get(path)
        assert response.status_code == 200, path
        downloads.append(response.data)
    for data in downloads:
        with zipfile.ZipFile(io.BytesIO(data)) as pack:
            name = next(n for n in pack.namelist() if n.endswith(".csv"))
            text = pack.read(name).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        cells = [cell for row in rows[1:] for cell in row]
        assert any(cell.startswith("'=HYPERLINK") for cell in cells)  # the actor, neutralised
        assert not [c for c in cells if c.startswith(FORMULA_STARTS)], [
            c for c in cells if c.startswith(FORMULA_STARTS)
        ][:5]


def test_an_oversized_scenario_upload_or_paste_is_refused_clearly_and_saves_nothing(
    client, auth, create_user
):
    from crm_sandbox.models import AuthoredScenario
    from crm_sandbox.scenarios.loader import MAX_FILE_BYTES

    auth.login(create_user(Role.TUTOR).email)
    source = library_source("first-complaint")[1].replace("id: first-complaint", "id: big", 1)
    big = source + "\n# padding\n" + "#" * (MAX_FILE_BYTES + 1) + "\n"
    uploaded = client.post(
        "/tutor/scenarios/new", data={"file": (io.BytesIO(big.encode()), "big.yaml")}
    )
    pasted = client.post("/tutor/scenarios/new", data={"text": big})
    for response in (uploaded, pasted):
        assert response.status_code == 200
        assert b"larger than 256 KiB" in response.data and b"Nothing was saved" in response.data
    db.session.rollback()
    assert db.session.scalar(select(func.count(AuthoredScenario.id))) == 0


# ---------------------------------------------------------------- hostile addresses

QUERY_ARGS = (
    "page",
    "after",
    "q",
    "category",
    "segment",
    "stage",
    "from",
    "to",
    "sort",
    "group",
    "scenario",
    "older_than",
    "duplicate",
    "anchor",
    "next",
)
cursors = st.builds(lambda name, n: f"{name}|{n}", st.text(max_size=10), huge_ints)
query_values = st.one_of(huge_ints, control_text, extreme_dates, cursors, hostile_text)
STAFF_AREAS = ("tutor", "assessor", "admin")
QUICK = settings(
    max_examples=6,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _signed_in_clients(app, world) -> dict[str, object]:
    clients = {}
    for user in ("learner", "admin"):
        clients[user] = app.test_client()
        clients[user].post(
            "/login", data={"email": world[user].email, "password": DEFAULT_PASSWORD}
        )
    return clients


def _world_ids(world) -> dict:
    sid = world["working"].sandbox_id
    ids = dict(world["ids"], sandbox_id=sid, attempt_id=world["working"].id, action="investigate")
    for arg, model in SANDBOX_OBJECTS.items():
        ids[arg] = db.session.scalar(select(func.min(model.id)).where(model.sandbox_id == sid))
    return ids


def _getter(client, path: str, gets: dict, skip: tuple[str, ...] = ()):
    """A property for one page: whatever its query string, the answer is not a server error."""
    names = [name for name in QUERY_ARGS if name not in skip]

    @settings(QUICK, max_examples=3)
    @given(args=st.fixed_dictionaries({}, optional=dict.fromkeys(names, query_values)))
    @example(args=dict.fromkeys(names, str(10**20)))
    @example(args=dict.fromkeys(names, str(-(10**20))))
    @example(args=dict.fromkeys(names, "a|99999999999999999999"))
    @example(args=dict.fromkeys(names, "/a\r\nSet-Cookie: x=1"))
    @example(args=dict.fromkeys(names, "9999-12-31"))
    def get_anything(args):
        response = client.get(path, query_string=args)
        gets["n"] += 1
        assert response.status_code < 500, (path, args, response.status_code)

    return get_anything


def _opener(client, rule, ids: dict, int_args: list[str]):
    """A property for one route: a huge or negative id in its address is not found."""
    method = "get" if "GET" in rule.methods else "post"

    @settings(QUICK, max_examples=3)
    @given(arg=st.sampled_from(int_args), value=huge_ints)
    def open_huge(arg, value):
        response = getattr(client, method)(fill_rule(rule, dict(ids, **{arg: value}), 1))
        assert response.status_code == 404, (rule.rule, arg, value, response.status_code)

    return open_huge


def test_no_page_answers_500_to_hostile_query_strings(app, hostile_world, summary_line):
    """Huge and negative numbers, forged cursors, control characters and dates from year 1 to
    9999 in any query argument of any page (paged lists, filters, sign-in's `next`)."""
    clients = _signed_in_clients(app, hostile_world)
    ids = _world_ids(hostile_world)
    gets = {"n": 0}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        if rule.rule.endswith((".zip", ".json")):
            continue  # downloads read no query arguments, and each builds a whole pack
        staff = rule.endpoint.split(".")[0] in STAFF_AREAS
        client = clients["admin" if staff else "learner"]
        path = fill_rule(rule, dict(ids, attempt_id=ids["waiting_id"]) if staff else ids, 1)

        _getter(client, path, gets)()
    summary_line(f"hostile query strings: {gets['n']} page loads, none answered 500")


def test_a_huge_id_in_any_address_is_simply_not_found(app, hostile_world):
    clients = _signed_in_clients(app, hostile_world)
    ids = _world_ids(hostile_world)
    for rule in app.url_map.iter_rules():
        int_args = [a for a in rule.arguments if a.endswith("_id")]
        if not int_args or rule.endpoint == "static":
            continue
        staff = rule.endpoint.split(".")[0] in STAFF_AREAS
        client = clients["admin" if staff else "learner"]
        _opener(client, rule, ids, int_args)()


@QUICK
@given(target=st.builds(lambda path, bad: "/" + path + bad, st.text(max_size=10), control_text))
def test_sign_in_never_follows_a_next_address_with_control_characters(app, create_user, target):
    client = app.test_client()
    email = getattr(app, "_hostile_learner", None) or create_user(Role.LEARNER).email
    app._hostile_learner = email
    signed = client.post(
        "/login", query_string={"next": target}, data={"email": email, "password": DEFAULT_PASSWORD}
    )
    if "\x00" in target:  # refused whole, before sign-in is tried (see app.py)
        assert signed.status_code == 400 and b"cannot be stored" in signed.data
        return
    assert signed.status_code == 302
    assert signed.headers["Location"] == "/"  # home, not the address with the line break


def test_the_tutors_contact_pages_answer_any_page_number_with_a_real_page(
    app, client, auth, create_user, create_group
):
    learner = create_user(Role.LEARNER)
    group = create_group("Paging", learners=[learner])
    assignments.assign("first-complaint", [learner], set_by=group.tutor, group_id=group.id)
    attempt = assignments.attempts_of(learner)[0]
    db.session.commit()
    auth.login(group.tutor.email)
    url = f"/tutor/attempts/{attempt.id}/contacts"
    first = client.get(url).get_data(as_text=True)
    last = client.get(url, query_string={"page": 10**6}).get_data(as_text=True)

    def rows(html: str) -> list[str]:
        return re.findall(r"<tr>.*?</tr>", html, re.S)

    @QUICK
    @given(page=huge_ints)
    def any_page(page):
        response = client.get(url, query_string={"page": page})
        assert response.status_code == 200, page
        expected = first if page.startswith("-") else last
        assert rows(response.get_data(as_text=True)) == rows(expected)

    any_page()


@QUICK
@given(
    start=st.one_of(
        st.datetimes(max_value=datetime(1999, 12, 31, 23, 59)),
        st.datetimes(min_value=datetime(2100, 1, 1)),
    )
)
def test_a_scenario_dated_outside_business_time_is_refused_with_its_line_and_saves_nothing(
    app, create_user, start
):
    from crm_sandbox.models import AuthoredScenario

    tutor = create_user(Role.TUTOR)
    client = app.test_client()
    client.post("/login", data={"email": tutor.email, "password": DEFAULT_PASSWORD})
    source = library_source("first-complaint")[1].replace("id: first-complaint", "id: dated", 1)
    source = re.sub(r"^start: .*$", f"start: {start.isoformat()}", source, count=1, flags=re.M)
    response = client.post("/tutor/scenarios/new", data={"text": source})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "start: give a date between 1 January 2000 and 31 December 2099" in page
    assert "Nothing was saved" in page
    db.session.rollback()
    assert db.session.scalar(select(func.count(AuthoredScenario.id))) == 0


@QUICK
@given(anchor=st.one_of(control_text, st.sampled_from(["/\\evil.example", "//evil", "a b"])))
def test_a_learners_button_returns_to_the_scenario_page_whatever_anchor_it_is_sent(
    app, create_user, anchor
):
    learner = create_user(Role.LEARNER)
    scenario, source = library_source("first-complaint")
    attempt = engine.start_attempt(learner, scenario, source)
    db.session.commit()
    client = app.test_client()
    client.post("/login", data={"email": learner.email, "password": DEFAULT_PASSWORD})
    url = f"/learner/scenarios/{attempt.id}/check"
    checked = client.post(url, query_string={"anchor": anchor})
    if "\x00" in anchor:
        assert checked.status_code == 400
        return
    assert checked.status_code == 302
    assert checked.headers["Location"] == f"/learner/scenarios/{attempt.id}"
    tasks = client.post(url, query_string={"anchor": "tasks"})
    assert tasks.headers["Location"] == f"/learner/scenarios/{attempt.id}#tasks"


@QUICK
@given(value=huge_ints)
def test_a_command_given_a_huge_or_negative_id_or_seed_says_so_and_changes_nothing(runner, value):
    for args in (
        ["log", "verify", "--sandbox", value],
        ["sandbox", "reset", "--learner", "nobody@college.example.org", "--sandbox", value],
        ["sandbox", "provision", "--learner", "nobody@college.example.org", "--seed", value],
    ):
        result = runner.invoke(args=args)
        assert result.exit_code == 2, (args, result.output)  # click's usage error
        assert "is not in the range" in result.output
        assert "Traceback" not in result.output


# ---------------------------------------------------------------- periods, numbers, math text


@pytest.fixture
def standard_world(app, provision, ctx_for):
    sandbox = provision()
    ctx = ctx_for(sandbox)
    standard = standards.create_standard(
        ctx,
        {
            "title": r"Acknowledge $\frac{a}$ complaints",
            "measure": "complaint_ack_time",
            "threshold": 60,
            "threshold_unit": "working_days",
            "target_percent": 95,
        },
    )
    manual = standards.create_standard(
        ctx,
        {"title": "Calls $answered$", "measure": "manual", "threshold": 5, "threshold_unit": "$"},
    )
    db.session.commit()
    client = app.test_client()
    client.post("/login", data={"email": sandbox.owner.email, "password": DEFAULT_PASSWORD})
    return {"client": client, "ctx": ctx, "standard": standard, "manual": manual}


# Printable letters and the characters of math text (a missing glyph is only a font's gap).
MATH_ALPHABET = "$\\{}^_ ab1()"
dates = st.dates(min_value=__import__("datetime").date(1, 1, 1))


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(start=st.one_of(st.none(), dates), end=st.one_of(st.none(), dates))
def test_any_monitoring_period_gets_a_page_and_a_chart_never_a_server_error(
    standard_world, start, end
):
    client, standard = standard_world["client"], standard_world["standard"]
    base = f"/s/{standard.sandbox_id}/standards/{standard.id}"
    query = {k: v.isoformat() for k, v in (("from", start), ("to", end)) if v is not None}
    page, chart = (
        client.get(base, query_string=query),
        client.get(base + "/chart.svg", query_string=query),
    )
    inverted = start is not None and end is not None and start > end
    if inverted:
        assert page.status_code == chart.status_code == 400
        assert b"after it ends" in page.data and b"after it ends" in chart.data
    else:
        assert page.status_code in (200, 400) and chart.status_code in (200, 400)


def test_an_inverted_period_for_a_finding_is_refused_and_saves_nothing(standard_world):
    from crm_sandbox.models import StandardFinding

    client, standard = standard_world["client"], standard_world["standard"]
    response = client.post(
        f"/s/{standard.sandbox_id}/standards/{standard.id}/findings",
        data={"text": "Too slow", "period_from": "2026-03-10", "period_to": "2026-03-01"},
        follow_redirects=True,
    )
    assert response.status_code == 200 and b"after it ends" in response.data
    db.session.rollback()
    assert db.session.scalar(select(func.count(StandardFinding.id))) == 0


@settings(
    max_examples=20,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(value=st.sampled_from(NON_FINITE))
def test_a_non_finite_number_is_refused_at_every_number_field_and_saves_nothing(
    standard_world, value
):
    from crm_sandbox.models import Measurement

    ctx, manual = standard_world["ctx"], standard_world["manual"]
    for attempt in (
        lambda: standards.record_measurement(ctx, manual, ctx.now().date(), value),
        lambda: standards.update_standard(
            ctx, manual, {"title": "x", "measure": "manual", "threshold": value}
        ),
        lambda: standards.create_standard(
            ctx, {"title": "x", "measure": "complaint_ack_time", "target_percent": value}
        ),
    ):
        with pytest.raises(standards.ServiceError):
            attempt()
        db.session.rollback()
    client = standard_world["client"]
    response = client.post(
        f"/s/{manual.sandbox_id}/standards/{manual.id}/measure",
        data={"taken_on": ctx.now().date().isoformat(), "value": value},
        follow_redirects=True,
    )
    assert response.status_code < 500
    db.session.rollback()
    assert db.session.scalar(select(func.count(Measurement.id))) == 0


@settings(max_examples=12, deadline=None, database=None)
@given(
    title=st.one_of(st.sampled_from(MATH_TEXT), st.text(alphabet=MATH_ALPHABET, max_size=20)),
    labels=st.lists(
        st.one_of(st.sampled_from(MATH_TEXT), st.text(alphabet=MATH_ALPHABET, max_size=12)),
        min_size=1,
        max_size=5,
    ),
)
def test_chart_titles_and_labels_are_drawn_as_plain_text_whatever_they_hold(title, labels):
    from datetime import date

    from crm_sandbox.services import charts

    compliance = charts.compliance_chart([(date(2026, 3, 2), 50.0, 2)], 90.0, title, title)
    bars = charts.bar_chart(labels, [1] * len(labels), title, horizontal=True)
    assert compliance.startswith(b"<?xml") and bars.startswith(b"<?xml")


def test_a_standard_with_math_text_in_its_name_draws_its_chart(standard_world):
    client, standard = standard_world["client"], standard_world["standard"]
    response = client.get(f"/s/{standard.sandbox_id}/standards/{standard.id}/chart.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"


def _strict(text: str):
    import json

    def refuse(token):
        raise ValueError(f"not strict JSON: {token}")

    return json.loads(text, parse_constant=refuse)


def test_every_json_the_app_emits_is_strict(standard_world):
    from crm_sandbox.services.action_log import canonical_json

    with pytest.raises(ValueError):
        canonical_json({"value": float("inf")})
    client, manual = standard_world["client"], standard_world["manual"]
    ctx = standard_world["ctx"]
    standards.record_measurement(ctx, manual, ctx.now().date(), "123456789.5")
    db.session.commit()
    data = _strict(client.get("/learner/my-data.json").data.decode())
    assert data
