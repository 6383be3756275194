"""Hostile input: arbitrary text, unicode, huge values and missing fields posted to every form
never cause a 500 (property-based, Hypothesis); script and attribute-breaking quotes saved in
any text field are shown escaped on every page that shows them; forms ignore fields they do
not declare; CSV exports cannot run as spreadsheet formulas; uploads have size limits."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from crm_sandbox.extensions import db
from crm_sandbox.models import (
    Complaint,
    Contact,
    Decision,
    Finding,
    ImprovementAction,
    Interaction,
    Need,
    Question,
    Role,
    ServiceStandard,
    Survey,
)
from crm_sandbox.scenarios import engine
from crm_sandbox.scenarios.loader import library_source
from crm_sandbox.services import (
    assessment,
    assignments,
    tutoring,
)

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
huge = st.builds(lambda ch, n: ch * n, st.characters(codec="utf-8"), st.integers(1_000, 20_000))
hostile_text = st.one_of(
    st.text(max_size=60),
    st.sampled_from(TRICKY),
    st.from_regex(r"-?[0-9]{1,24}(\.[0-9]{1,6})?", fullmatch=True),
    huge,
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
    engine.replay(working, engine.scenario_of(working).model_answer)
    for attempt in (waiting, signed_off):
        engine.submit(attempt, learner, True)
    for criterion in engine.criteria_of(engine.scenario_of(signed_off)):
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


OBJECT_MODELS = {
    "contact_id": Contact,
    "need_id": Need,
    "interaction_id": Interaction,
    "complaint_id": Complaint,
    "standard_id": ServiceStandard,
    "survey_id": Survey,
    "question_id": Question,
    "finding_id": Finding,
    "action_id": ImprovementAction,
}


def _fill(rule, ids: dict) -> str:
    path = rule.rule
    for arg in rule.arguments:
        path = re.sub(rf"<(?:[^:>]+:)?{arg}(?:\([^)]*\))?>", str(ids.get(arg, 1)), path)
    return path


def route_forms(app, ids: dict, blueprints: tuple[str, ...], found: list[FormSpec]):
    """A form for each POST route of these areas that no page showed (a complaint at another
    stage, a draft survey...): posted with every field name any form of the app uses."""
    known = {_pattern(urlsplit(f.action).path) for f in found}
    names = sorted({name for f in found for name in f.fields} | set(JUNK_FIELDS))
    tokens = {name for f in found for name in f.tokens}
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint.split(".")[0] not in blueprints:
            continue
        path = _fill(rule, ids)
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
    for arg, model in OBJECT_MODELS.items():
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
        _pattern(_fill(r, {"action": "investigate"}))
        for r in app.url_map.iter_rules()
        if "POST" in r.methods
        and r.endpoint.split(".")[0] in ("crm", "learner", "tutor", "assessor", "admin")
    }
    assert post_routes <= actions, sorted(post_routes - actions)
