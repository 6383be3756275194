"""The access matrix: for every route in the URL map, every role (learner, tutor, assessor,
admin, signed out) and the objects of someone else (another learner's sandbox and records,
another tutor's group, learner's attempt and scenario, another assessor's groups' work and
decisions), GET and POST are refused (403 or 404; sign-in for the signed out), and nothing in
the database changes. An EQA (external quality assurer) granted only another group is
refused every route but their own read-only pages, and those for the victim's work.

A case is one request: (route, method, role, the foreign objects its URL names). Cases are
generated from the URL map, so a new route is covered as soon as it exists; the number of
cases is printed at the end of the pytest run.

The group dimension: a learner in two tutors' groups (put in the second by an admin). The
second group's tutor and assessor, on every route of their area, are refused the first
group's group, attempts and decision, and see none of that work on their own pages and in
their own evidence pack; a tutor cannot add the first group's learner to their own group.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import date

import pytest
from sqlalchemy import func, select

from crm_sandbox.access import PUBLIC, SIGNED_IN, STATIC_ENDPOINTS, access_of
from crm_sandbox.criteria import criteria_for_attempt
from crm_sandbox.extensions import db
from crm_sandbox.models import (
    Base,
    Group,
    Question,
    Role,
)
from crm_sandbox.scenarios import engine, loader
from crm_sandbox.scenarios.loader import library_source
from crm_sandbox.services import assessment, assignments, eqa, tutoring
from tests.urls import SANDBOX_OBJECTS, fill_rule

from .conftest import DEFAULT_PASSWORD

# Values an intruder would send: valid enough that an unprotected route would save them.
INTRUDER_FORM = {
    "name": "Taken over",
    "first_name": "Mallory",
    "last_name": "Intruder",
    "email": "mallory@evil.example",
    "category": "external",
    "segment": "individual",
    "lifecycle_stage": "customer",
    "description": "Written by an intruder",
    "summary": "Written by an intruder",
    "notes": "Written by an intruder",
    "channel": "email",
    "direction": "inbound",
    "initiative": "reactive",
    "method": "phone",
    "message": "Written by an intruder",
    "reason": "Written by an intruder",
    "note": "Written by an intruder",
    "resolution": "Written by an intruder",
    "title": "Written by an intruder",
    "text": "Written by an intruder",
    "decision": "met",
    "outcome": "not_yet_met",
    "feedback": "Written by an intruder",
    "comment": "Written by an intruder",
    "criterion_id": "1.1",
    "agrees": "agree",
    "confirm": "y",
    "declaration": "y",
    "due": "2030-01-01",
    "hours": "8",
    "who": "all",
    "body_id": "vtct",
    "task": "t1",
    "index": "0",
}
# Public by design: signing in, the front door and the health check (tests/test_access.py).
PUBLIC_ENDPOINTS = {"auth.login", "main.home", "main.health"}
PUBLIC_ENDPOINTS |= {"lti.jwks", "lti.login", "lti.launch"}  # LTI 1.3: the platform calls them


def _snapshot() -> dict[str, list[tuple]]:
    """Every row of every table except the sign-in sessions (which record each request)."""
    db.session.rollback()
    found = {}
    for table in Base.metadata.sorted_tables:
        if table.name == "user_sessions":
            continue
        rows = db.session.execute(select(table)).all()
        found[table.name] = sorted((tuple(map(repr, row)) for row in rows), key=repr)
    db.session.rollback()
    return found


def _changed_tables(before, after) -> list[str]:
    return [name for name in before if before[name] != after[name]]


@pytest.fixture
def world(app, create_user, create_group, provision):
    """Victims: a learner with a scenario attempt (worked through, submitted, judged and
    returned, so every kind of record and a decision exist and the sandbox is writable), their
    tutor's group and draft scenario, their assessor. Intruders: another learner (with a
    practice sandbox of their own), another tutor, another assessor (each with a group of their
    own), an admin."""
    victim = create_user(Role.LEARNER, name="Victoria Victim")
    victim_tutor = create_user(Role.TUTOR, name="Victim's tutor")
    victim_assessor = create_user(Role.ASSESSOR, name="Victim's assessor")
    victim_group = create_group(
        "Victim group", tutor=victim_tutor, learners=[victim], assessors=[victim_assessor]
    )
    assignments.assign("closing-the-loop", [victim], set_by=victim_tutor, group_id=victim_group.id)
    attempt = assignments.attempts_of(victim)[0]
    scenario = loader.scenario_of(attempt)
    engine.replay(attempt, scenario.model_answer)
    engine.submit(attempt, victim, True)
    for criterion in criteria_for_attempt(attempt):
        assessment.judge(attempt, victim_assessor, criterion.id, "not_yet_met", "More detail.")
    decision = assessment.decide(attempt, victim_assessor, "not_yet_met", "Add more detail.")
    scenario_yaml = library_source("first-complaint")[1].replace(
        "id: first-complaint", "id: victims-draft", 1
    )
    authored = tutoring.save_authored(victim_tutor, scenario_yaml, "victims-draft.yaml")
    import_job, _ = tutoring.import_learners(
        b"name,email,role,group\nVal New,val.new@college.example.org,learner,Victim group\n",
        victim_tutor,
        "victims.csv",
    )
    db.session.commit()

    intruder = create_user(Role.LEARNER, name="Ivan Intruder")
    own_sandbox = provision(intruder)
    intruder_tutor = create_user(Role.TUTOR, name="Other tutor")
    intruder_assessor = create_user(Role.ASSESSOR, name="Other assessor")
    create_group(
        "Other group", tutor=intruder_tutor, learners=[intruder], assessors=[intruder_assessor]
    )
    admin = create_user(Role.ADMIN, name="The admin")
    # An EQA granted the victim's group (theirs to read), and one granted another group only.
    victim_eqa = create_user(Role.EQA, name="Victim group's EQA")
    grant = eqa.grant(victim_eqa, victim_group, date.today(), date.today(), by=admin)
    intruder_eqa = create_user(Role.EQA, name="Other EQA")
    eqa.grant(
        intruder_eqa,
        db.session.scalar(select(Group).where(Group.name == "Other group")),
        date.today(),
        date.today(),
        by=admin,
    )
    db.session.commit()

    sandbox_id = attempt.sandbox_id
    foreign = {
        "sandbox_id": sandbox_id,
        "attempt_id": attempt.id,
        "group_id": victim_group.id,
        "authored_id": authored.id,
        "job_id": import_job.id,
        "decision_id": decision.id,
        "user_id": victim.id,
        "assessor_id": victim_assessor.id,
        "grant_id": grant.id,
        "registration_id": 1,  # an LTI platform (admin only)
        "launch": "lti1p3-launch-someone-elses",  # a deep-linking launch (its instructor's)
        "action": "investigate",
    }
    for arg, model in SANDBOX_OBJECTS.items():
        query = select(model.id).where(model.sandbox_id == sandbox_id).order_by(model.id)
        if model is Question:
            query = query.where(Question.survey_id == foreign["survey_id"])
        found = db.session.scalar(query.limit(1))
        assert found is not None, f"the victim's sandbox has no {model.__name__}"
        foreign[arg] = found
    assert attempt.status == "returned" and not attempt.sandbox.read_only
    return {
        "foreign": foreign,
        "own_sandbox_id": own_sandbox.id,
        "users": {
            "learner": intruder,
            "tutor": intruder_tutor,
            "assessor": intruder_assessor,
            "admin": admin,
            "eqa": intruder_eqa,
            "anonymous": None,
        },
    }


def _bindings(rule, role: str, world, views):
    """The foreign URLs for this route and role, as (label, path); none when the route names no
    one else's object and the role is admitted to it (its own pages are not a foreign case)."""
    access = access_of(views[rule.endpoint])
    foreign = world["foreign"]
    admitted = role != "anonymous" and (
        access == SIGNED_IN or (access != PUBLIC and Role(role) in access)
    )
    objects = sorted((a for a in rule.arguments if a != "action"), key=lambda a: a != "sandbox_id")
    if role == "admin" and admitted:
        return []  # an admin may see every group and piece of work: nothing is foreign to them
    if admitted and not objects:
        return []
    found = [("their " + "+".join(objects or ["area"]), fill_rule(rule, foreign))]
    # The intruder's own sandbox in the URL, with the victim's records: scoping must refuse.
    if role == "learner" and "sandbox_id" in objects and len(objects) > 1:
        own = dict(foreign, sandbox_id=world["own_sandbox_id"])
        found.append(("own sandbox, their " + "+".join(objects[1:]), fill_rule(rule, own)))
    return found


def test_no_role_can_read_or_change_anyone_elses_objects_on_any_route(app, world, summary_line):
    rules = [
        r
        for r in app.url_map.iter_rules()
        if r.endpoint not in STATIC_ENDPOINTS and r.endpoint not in PUBLIC_ENDPOINTS
    ]
    # Requests that would end the intruder's own session go last.
    rules.sort(key=lambda r: r.endpoint == "auth.logout")
    clients = {}
    for role, user in world["users"].items():
        clients[role] = app.test_client()
        if user is not None:
            signed = clients[role].post(
                "/login", data={"email": user.email, "password": DEFAULT_PASSWORD}
            )
            assert signed.status_code == 302, role

    before = _snapshot()
    cases, covered, failures = 0, set(), []
    for rule in rules:
        for role, client in clients.items():
            for label, path in _bindings(rule, role, world, app.view_functions):
                for method in ("GET", "POST"):
                    if method not in rule.methods:
                        continue
                    if method == "GET":
                        response = client.get(path)
                    else:
                        response = client.post(path, data=INTRUDER_FORM)
                    cases += 1
                    covered.add(rule.endpoint)
                    if role == "anonymous":
                        refused = response.status_code == 302 and response.headers[
                            "Location"
                        ].startswith("/login")
                    else:
                        refused = response.status_code in (403, 404)
                    if not refused:
                        failures.append(f"{role} {method} {path} ({label}): {response.status_code}")
        after = _snapshot()
        changed = _changed_tables(before, after)
        if changed:
            failures.append(f"{rule.endpoint}: the requests changed {', '.join(changed)}")
            before = after
    # Every intruder is still signed in: the refusals above were refusals, not sign-outs.
    for role, client in clients.items():
        if role != "anonymous":
            assert client.get("/account").status_code == 200, role

    routes = {r.endpoint for r in rules}
    summary_line(
        f"access matrix: {cases} (route, method, role, foreign object) cases over "
        f"{len(covered)} of {len(routes)} non-public routes, 6 roles; refused: "
        f"{cases - len(failures)}"
    )
    assert not failures, "\n".join(failures[:40])
    uncovered = routes - covered
    assert not uncovered, f"routes no case reached: {sorted(uncovered)}"
    assert cases > 300


def _cross_sandbox_references() -> list[str]:
    """Rows whose foreign key points at a row of another sandbox (both tables sandbox-scoped)."""
    found = []
    for table in Base.metadata.sorted_tables:
        if "sandbox_id" not in table.c:
            continue
        for fk in table.foreign_keys:
            if "sandbox_id" not in fk.column.table.c or fk.parent.name == "sandbox_id":
                continue
            parent = fk.column.table.alias("parent")  # an alias: a table may point at itself
            query = (
                select(func.count())
                .select_from(table.join(parent, fk.parent == parent.c[fk.column.name]))
                .where(table.c.sandbox_id != parent.c.sandbox_id)
            )
            if db.session.scalar(query):
                found.append(f"{table.name}.{fk.parent.name} -> {fk.column.table.name}")
    db.session.rollback()
    return found


def test_another_sandboxs_ids_in_form_fields_link_nothing_and_change_nothing(
    app, world, summary_line
):
    """The intruder posts to every route of their own sandbox, with the victim's record ids in
    every id field of the form (merge this duplicate, agree with this contact, link this
    standard, these responses...): nothing of the victim's changes, and no row of any sandbox
    comes to point at another sandbox's row."""
    foreign, own = world["foreign"], world["own_sandbox_id"]
    own_ids = {"sandbox_id": own, "action": "investigate"}
    for arg, model in SANDBOX_OBJECTS.items():
        own_ids[arg] = (
            db.session.scalar(select(func.min(model.id)).where(model.sandbox_id == own))
            or foreign[arg]
        )
    id_fields = {name: str(foreign[name]) for name in SANDBOX_OBJECTS}
    id_fields |= {"duplicate_id": str(foreign["contact_id"]), "response_ids": "1"}
    client = app.test_client()
    client.post(
        "/login", data={"email": world["users"]["learner"].email, "password": DEFAULT_PASSWORD}
    )
    assert _cross_sandbox_references() == []
    before = _snapshot()
    posted = 0
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("crm.") or "POST" not in rule.methods:
            continue
        if rule.endpoint == "crm.reset":
            continue  # resetting their own sandbox is theirs to do
        response = client.post(fill_rule(rule, own_ids), data={**INTRUDER_FORM, **id_fields})
        assert response.status_code < 500, rule.rule
        posted += 1
    after = _snapshot()
    assert _cross_sandbox_references() == []
    victim_sandbox = foreign["sandbox_id"]
    for name in before:
        table = Base.metadata.tables[name]
        scope = "id" if name == "sandboxes" else "sandbox_id"
        owner = own
        if name == "form_submissions":  # the one-time tokens of the intruder's own saves
            scope, owner = "user_id", world["users"]["learner"].id
        if scope not in table.c:
            assert before[name] == after[name], f"{name} changed"
            continue
        index, mine = list(table.c.keys()).index(scope), repr(owner)

        def others(rows, index=index, mine=mine):
            return [row for row in rows if row[index] != mine]

        assert others(before[name]) == others(after[name]), f"{name} changed outside their CRM"
    assert victim_sandbox != own
    summary_line(f"foreign ids in form fields: {posted} posts to the intruder's own CRM routes")
    assert posted > 30


# ---------------------------------------------------------------- the group dimension
# Staff of a second group (its tutor and its assessor) and a learner who is in both groups:
# each colleague sees the learner, and the learner's work set for their own group, but none
# of the learner's work set for the first group, by any route or download.

GROUP_OBJECTS = ("group_id", "attempt_id", "decision_id")
FIRST_GROUP = "Tuesday Retail"


@pytest.fixture
def two_groups(app, create_user, create_group):
    """Two tutors' groups with an assessor each. An admin puts the first group's learner Sam
    in the second group too, through the group page (a tutor may not). The first group set Sam
    three scenarios: one decided (returned), one submitted, one still in progress; the second
    group set Sam one (submitted) and, to Sam and Olu, a scenario Sam did in the first group."""
    first_tutor = create_user(Role.TUTOR, name="First tutor")
    second_tutor = create_user(Role.TUTOR, name="Second tutor")
    first_assessor = create_user(Role.ASSESSOR, name="First assessor")
    second_assessor = create_user(Role.ASSESSOR, name="Second assessor")
    shared = create_user(Role.LEARNER, name="Sam Shared", email="sam@college.example.org")
    first_only = create_user(Role.LEARNER, name="Fay First", email="fay@college.example.org")
    second_only = create_user(Role.LEARNER, name="Olu Other")
    first = create_group(
        FIRST_GROUP, tutor=first_tutor, learners=[shared, first_only], assessors=[first_assessor]
    )
    second = create_group(
        "Thursday Leisure", tutor=second_tutor, learners=[second_only], assessors=[second_assessor]
    )
    admin = create_user(Role.ADMIN, name="The admin")
    admin_client = app.test_client()
    admin_client.post("/login", data={"email": admin.email, "password": DEFAULT_PASSWORD})
    added = admin_client.post(
        f"/tutor/groups/{second.id}/learners", data={"email": "sam@college.example.org"}
    )
    assert added.status_code == 302
    db.session.rollback()
    assert shared in db.session.get(type(second), second.id).learners

    def set_for(group, scenario_id, learners=(shared,)):
        assignments.assign(scenario_id, list(learners), set_by=group.tutor, group_id=group.id)
        return next(a for a in assignments.attempts_of(shared) if a.scenario_id == scenario_id)

    decided = set_for(first, "first-complaint")
    engine.submit(decided, shared, True)
    for criterion in criteria_for_attempt(decided):
        assessment.judge(decided, first_assessor, criterion.id, "not_yet_met", "More detail.")
    decision = assessment.decide(decided, first_assessor, "not_yet_met", "Add more detail.")
    waiting = set_for(first, "internal-request")
    engine.submit(waiting, shared, True)
    working = set_for(first, "who-are-our-customers")
    ours = set_for(second, "needs-not-wants")
    engine.submit(ours, shared, True)
    set_for(second, "first-complaint", learners=(shared, second_only))  # Sam keeps the first's
    db.session.commit()
    return {
        "first": first,
        "second": second,
        "first_only": first_only,
        "foreign_attempts": {"decided": decided.id, "waiting": waiting.id, "working": working.id},
        "decision_id": decision.id,
        "own": {"group_id": second.id, "attempt_id": ours.id},
        "colleagues": {Role.TUTOR: second_tutor, Role.ASSESSOR: second_assessor},
        "owners": {Role.TUTOR: first_tutor, Role.ASSESSOR: first_assessor},
    }


def _signed_in_client(app, user):
    client = app.test_client()
    signed = client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert signed.status_code == 302, user.email
    return client


def _foreign_group_bindings(rule, world) -> list[tuple[str, str]]:
    """The first group's objects this route names, as (label, path): the group, each of the
    shared learner's attempts there, the decision on one."""
    objects = [a for a in rule.arguments if a in GROUP_OBJECTS]
    if not objects or set(rule.arguments) - set(GROUP_OBJECTS):
        return []
    if "attempt_id" in objects:
        return [
            (f"the first group's {label} attempt", fill_rule(rule, {"attempt_id": attempt_id}))
            for label, attempt_id in world["foreign_attempts"].items()
        ]
    values = {"group_id": world["first"].id, "decision_id": world["decision_id"]}
    return [(f"the first group's {objects[0].removesuffix('_id')}", fill_rule(rule, values))]


def _admitted(rule, role: Role, views) -> bool:
    access = access_of(views[rule.endpoint])
    return access not in (None, PUBLIC, SIGNED_IN) and role in access


def _mentions_foreign_work(body: str, world) -> list[str]:
    """What of the first group's work a page names: links to its attempts or decision, or
    the first group's name."""
    found = [
        f"attempt {attempt_id}"
        for attempt_id in world["foreign_attempts"].values()
        if re.search(rf"/attempts/{attempt_id}(?![0-9])", body)
    ]
    if re.search(rf"(/quality/|decision-){world['decision_id']}(?![0-9])", body):
        found.append("the decision")
    if FIRST_GROUP in body:
        found.append("the first group's name")
    return found


def _pack_attempt_ids(data: bytes) -> set[int]:
    with zipfile.ZipFile(io.BytesIO(data)) as pack:
        manifest = json.loads(pack.read("manifest.json"))
        rows = list(csv.DictReader(io.StringIO(pack.read("action_log.csv").decode("utf-8-sig"))))
    return {a["attempt_id"] for a in manifest["attempts"]} | {int(r["attempt_id"]) for r in rows}


def test_a_colleague_in_another_group_reaches_none_of_a_shared_learners_work_there(
    app, two_groups, summary_line
):
    """The second group's tutor and assessor, on every route of their area that names a
    group, attempt or decision, with the first group's (its group, the shared learner's
    decided, submitted and in-progress attempts there, the decision): refused, nothing
    changed, while the first group's own staff open the same pages. On every page and download
    of their own, none of the first group's work shows; the shared learner's pack holds only
    the second group's handed-in work."""
    world, views = two_groups, app.view_functions
    rules = [r for r in app.url_map.iter_rules() if r.endpoint not in STATIC_ENDPOINTS]
    refusals, owner_views, failures, covered = 0, 0, [], set()
    before = _snapshot()
    for role, colleague in world["colleagues"].items():
        client = _signed_in_client(app, colleague)
        owner = _signed_in_client(app, world["owners"][role])
        for rule in rules:
            if not _admitted(rule, role, views):
                continue
            for label, path in _foreign_group_bindings(rule, world):
                for method in ("GET", "POST"):
                    if method not in rule.methods:
                        continue
                    if method == "GET":
                        response = client.get(path)
                    else:
                        response = client.post(path, data=INTRUDER_FORM)
                    refusals += 1
                    covered.add(rule.endpoint)
                    if response.status_code not in (403, 404):
                        failures.append(f"{role} {method} {path} ({label}): {response.status_code}")
                    in_progress = label.endswith("working attempt")
                    if method == "GET" and not (role == Role.ASSESSOR and in_progress):
                        owner_views += 1  # the refusal is the boundary, not a broken page
                        if owner.get(path).status_code != 200:
                            failures.append(f"the first group's {role} cannot GET {path}")
                after = _snapshot()
                if _changed_tables(before, after):
                    failures.append(f"{rule.endpoint}: changed {_changed_tables(before, after)}")
                    before = after
    assert not failures, "\n".join(failures)

    # Their own pages and downloads: the second group's work shows, the first group's never.
    own_pages, problems = 0, []
    for role, colleague in world["colleagues"].items():
        client = _signed_in_client(app, colleague)
        for rule in rules:
            if "GET" not in rule.methods or not _admitted(rule, role, views):
                continue
            if set(rule.arguments) - set(world["own"]):
                continue  # names an object a colleague has none of here (their own scenario)
            response = client.get(fill_rule(rule, world["own"]))
            own_pages += 1
            if response.status_code != 200:
                problems.append(f"{role} GET {rule.rule}: {response.status_code}")
            elif response.mimetype == "application/zip":
                if _pack_attempt_ids(response.data) != {world["own"]["attempt_id"]}:
                    problems.append(f"{role} {rule.rule}: the pack holds other work")
            else:
                for leak in _mentions_foreign_work(response.get_data(as_text=True), world):
                    problems.append(f"{role} GET {rule.rule} names {leak}")
    assert not problems, "\n".join(problems)
    assert _changed_tables(before, _snapshot()) == []

    summary_line(
        f"group boundary: {refusals} (route, method, colleague, other group's object) cases "
        f"over {len(covered)} tutor and assessor routes, refused: {refusals}; the same "
        f"{owner_views} GETs open for that group's own staff; {own_pages} pages and downloads "
        "of the colleagues' own show none of it"
    )
    every_kind = {
        "tutor.progress",
        "tutor.attempt",
        "tutor.extend_due",
        "tutor.reset_attempt",
        "tutor.attempt_contacts",
        "tutor.add_learner",
        "assessor.attempt",
        "assessor.judge",
        "assessor.decide",
        "assessor.evidence_pack",
        "assessor.review",
    }
    assert every_kind <= covered, sorted(every_kind - covered)


def test_a_tutor_cannot_take_a_learner_from_another_tutors_group_by_form_or_import(
    app, two_groups, summary_line
):
    """The second tutor adds the first group's learner to their own group by email, imports a
    file naming them, or imports new learners into the first group's name in other capitals:
    each is refused with a message saying whom to ask, and nothing changes."""
    client = _signed_in_client(app, two_groups["colleagues"][Role.TUTOR])
    second = two_groups["second"].id
    email = two_groups["first_only"].email
    before = _snapshot()
    added = client.post(f"/tutor/groups/{second}/learners", data={"email": email})
    assert added.status_code == 400
    assert "in another tutor&#39;s group" in added.get_data(as_text=True)
    assert "ask First tutor, or an admin" in added.get_data(as_text=True)
    files = {
        "already exists": f"name,email,role,group\nFay First,{email},learner,Thursday Leisure\n",
        "belongs to another tutor": "name,email,role,group\nNew Nia,nia@x.example,learner,"
        + FIRST_GROUP.upper()
        + "\n",
    }
    for problem, text in files.items():
        imported = client.post(
            "/tutor/import",
            data={"file": (io.BytesIO(text.encode()), "learners.csv")},
            content_type="multipart/form-data",
        )
        page = imported.get_data(as_text=True)
        assert "Nothing was imported" in page and problem in page, problem
    assert _changed_tables(before, _snapshot()) == []
    summary_line(
        f"group membership: {1 + len(files)} attempts by a tutor to take another tutor's "
        "learner or group (form, CSV) refused, nothing changed"
    )
