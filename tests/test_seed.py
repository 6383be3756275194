"""The seed generators: deterministic, realistic sandbox data that fits the models.

Pure tests: no database and no Flask app, only the generator's rows.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import datetime, time, timedelta
from functools import cache
from pathlib import Path
from types import SimpleNamespace

import pytest
from email_validator import validate_email
from sqlalchemy import String

from crm_sandbox.models import Base, Contact
from crm_sandbox.services.clock import WorkingCalendar
from crm_sandbox.services.contacts import sort_name_for
from crm_sandbox.services.validation import uk_phone
from seed.generate import SIZES, TABLES, generate
from seed.profiles import PLACEHOLDERS, PROFILES, get_profile

START = datetime(2026, 3, 2, 9, 0)  # a Monday morning, as the app's default clock start
REPO = Path(__file__).resolve().parents[1]
# Ofcom's ranges for drama: never a real line.
DRAMA_NUMBER = re.compile(
    r"^0(?:(?:11[346-8]|121|131|141|151|161)4960|1914980|2079460|2890180|2920180|3069990)\d{3}$"
)


@cache
def sandbox(profile: str = "retail", seed: int = 1, size: str = "standard") -> dict:
    """Generated once per argument set; tests must not change the rows they get."""
    return generate(profile, seed, size, START)


def by_id(rows: list[dict]) -> dict[int, dict]:
    return {row["id"]: row for row in rows}


def calendar_of(data: dict) -> WorkingCalendar:
    return WorkingCalendar.for_organisation(SimpleNamespace(**data["organisations"][0]))


def digest(data: dict) -> str:
    return hashlib.sha256(repr(data).encode()).hexdigest()


# ---------------------------------------------------------------- determinism


def test_the_same_seed_gives_the_same_sandbox():
    assert generate("housing", 1, "standard", START) == sandbox("housing", 1, "standard")


def test_the_same_seed_gives_the_same_sandbox_in_another_process():
    # A different hash seed in the child catches any dependence on set order or hash().
    code = (
        "import hashlib, datetime; from seed.generate import generate; "
        "data = generate('leisure', 3, 'small', datetime.datetime(2026, 3, 2, 9, 0)); "
        "print(hashlib.sha256(repr(data).encode()).hexdigest())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    child = subprocess.Popen(
        [sys.executable, "-c", code], cwd=REPO, env=env, stdout=subprocess.PIPE, text=True
    )
    expected = digest(generate("leisure", 3, "small", START))
    for profile in PROFILES:  # fill the shared cache while the child starts up
        sandbox(profile)
    sandbox("retail", 1, "large")
    output, _ = child.communicate(timeout=120)
    assert child.returncode == 0
    assert output.strip() == expected


def test_different_seeds_give_different_sandboxes():
    one, two = sandbox("retail", 1, "small"), sandbox("retail", 2, "small")
    assert one["contacts"] != two["contacts"]
    assert one["interactions"] != two["interactions"]
    names = {(c["first_name"], c["last_name"]) for c in one["contacts"]}
    others = {(c["first_name"], c["last_name"]) for c in two["contacts"]}
    assert len(names & others) < len(names) / 2


def test_a_different_clock_start_moves_the_history_with_it():
    later = START + timedelta(days=28)
    data = generate("retail", 1, "small", later)
    assert max(i["occurred_at"] for i in data["interactions"]) > START
    assert all(i["occurred_at"] < later for i in data["interactions"])


# ---------------------------------------------------------------- shape and sizes


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_every_profile_generates_rows_for_every_table_with_the_model_columns(profile):
    data = sandbox(profile, 1, "small")
    assert list(data) == list(TABLES)
    for table in TABLES:
        columns = {c.name for c in Base.metadata.tables[table].c} - {"sandbox_id", "created_at"}
        assert data[table], table
        for row in data[table]:
            assert set(row) == columns, table
    organisation = data["organisations"][0]
    assert organisation["id"] == 1
    assert organisation["name"] == PROFILES[profile].name


@pytest.mark.parametrize("size", list(SIZES))
def test_each_size_is_near_its_target_counts(size):
    data = sandbox("retail", 1, size)
    target = SIZES[size]
    assert abs(len(data["contacts"]) - target["contacts"]) <= target["contacts"] * 0.1
    assert abs(len(data["interactions"]) - target["interactions"]) <= target["interactions"] * 0.1
    assert len(data["organisations"]) == 1


def test_ids_are_local_and_interactions_are_numbered_in_time_order():
    data = sandbox()
    for table in TABLES:
        assert [row["id"] for row in data[table]] == list(range(1, len(data[table]) + 1))
    moments = [i["occurred_at"] for i in data["interactions"]]
    assert moments == sorted(moments)


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_foreign_keys_refer_to_existing_local_ids(profile):
    data = sandbox(profile)
    checked = set()
    for table in TABLES:
        for column in Base.metadata.tables[table].c:
            for fk in column.foreign_keys:
                parent = fk.column.table.name
                if parent == "sandboxes":
                    continue
                ids = {row["id"] for row in data[parent]}
                values = [row[column.name] for row in data[table]]
                assert all(v is None or v in ids for v in values), f"{table}.{column.name}"
                checked.add(f"{table}.{column.name}")
    assert {"complaints.contact_id", "interactions.complaint_id", "survey_answers.question_id"} <= (
        checked
    )
    assert all(c["merged_into_id"] is None for c in data["contacts"])
    assert all(i["supersedes_id"] is None for i in data["interactions"])


@pytest.mark.parametrize("size", list(SIZES))
def test_strings_fit_the_model_columns(size):
    data = sandbox("retail", 1, size)
    for table in TABLES:
        for column in Base.metadata.tables[table].c:
            if isinstance(column.type, String) and column.type.length:
                longest = max(len(row.get(column.name) or "") for row in data[table])
                assert longest <= column.type.length, f"{table}.{column.name}"
    assert (
        max(len(c["postcode"]) for c in data["contacts"])
        <= Contact.__table__.c.postcode.type.length
    )


# ---------------------------------------------------------------- contacts


def test_categories_segments_and_lifecycle_stages_are_valid_and_consistent():
    for profile in PROFILES:
        for contact in sandbox(profile)["contacts"]:
            category, segment, stage = (
                contact["category"],
                contact["segment"],
                contact["lifecycle_stage"],
            )
            assert category in ("internal", "external", "non_customer")
            if category != "external":
                assert segment is None and stage is None
                continue
            assert contact["account_type"] in ("individual", "business")
            assert segment in ("new", "regular", "key_account", "at_risk")
            allowed = {
                "new": {"acquisition"},
                "regular": {"retention", "development"},
                "key_account": {"development", "retention"},
                "at_risk": {"retention"},
            }[segment]
            assert stage in allowed


def test_account_types_match_their_category():
    allowed = {
        "internal": {"colleague", "department"},
        "external": {"individual", "business"},
        "non_customer": {"supplier", "other"},
    }
    for contact in sandbox("housing")["contacts"]:
        assert contact["account_type"] in allowed[contact["category"]]


def test_the_mix_is_mostly_external_customers_with_colleagues_and_suppliers():
    contacts = sandbox()["contacts"]
    counts = Counter(c["category"] for c in contacts)
    assert 0.07 <= counts["internal"] / len(contacts) <= 0.15
    assert 0.05 <= counts["non_customer"] / len(contacts) <= 0.12
    kinds = Counter(c["account_type"] for c in contacts if c["category"] == "external")
    assert 0.15 <= kinds["business"] / (kinds["business"] + kinds["individual"]) <= 0.35
    assert counts["non_customer"] > Counter(c["account_type"] for c in contacts)["other"] > 0


def test_every_department_has_a_contact_and_colleagues_belong_to_departments():
    profile = get_profile("retail")
    names = [d["name"] for d in profile.departments]
    contacts = sandbox()["contacts"]
    departments = [c for c in contacts if c["account_type"] == "department"]
    assert sorted(c["organisation_name"] for c in departments) == sorted(names)
    for colleague in (c for c in contacts if c["account_type"] == "colleague"):
        assert colleague["department"] in names
        assert colleague["job_title"] in profile.colleague_job_titles[colleague["department"]]
    for supplier in (c for c in contacts if c["account_type"] == "supplier"):
        assert supplier["organisation_name"]


def test_business_accounts_have_an_organisation_and_a_contact_person():
    for contact in sandbox("it_services")["contacts"]:
        if contact["account_type"] == "business":
            assert contact["organisation_name"] and contact["first_name"] and contact["last_name"]
            assert contact["job_title"]


def test_most_external_customers_consent_to_email_and_fewer_to_phone():
    externals = [c for c in sandbox()["contacts"] if c["category"] == "external"]
    share = {
        channel: sum(c[f"consent_{channel}"] for c in externals) / len(externals)
        for channel in ("email", "phone", "post", "sms")
    }
    assert share["email"] > 0.6
    assert share["phone"] < share["email"] and share["sms"] < share["email"]
    assert any(not any(c[f"consent_{ch}"] for ch in share) for c in externals)
    for contact in externals:
        if not contact["phone"]:
            assert not contact["consent_phone"] and not contact["consent_sms"]


def test_emails_are_valid_and_stored_the_way_the_app_stores_them():
    for profile in PROFILES:
        for contact in sandbox(profile)["contacts"]:
            email = contact["email"]
            assert email, contact
            assert validate_email(email, check_deliverability=False).normalized == email


def test_phone_numbers_are_fictional_uk_numbers_the_app_accepts_unchanged():
    for profile in PROFILES:
        for contact in sandbox(profile)["contacts"]:
            if contact["phone"]:
                assert uk_phone(contact["phone"]) == contact["phone"]
                assert DRAMA_NUMBER.match(contact["phone"].replace(" ", "")), contact["phone"]


def test_sort_names_follow_the_apps_own_rule():
    for contact in sandbox("leisure")["contacts"]:
        assert contact["sort_name"] == sort_name_for(SimpleNamespace(**contact))
        assert contact["sort_name"] == contact["sort_name"].lower()


def test_near_duplicates_and_gaps_are_there_to_practise_on():
    externals = [c for c in sandbox("housing")["contacts"] if c["category"] == "external"]
    groups = defaultdict(list)
    for contact in externals:
        groups[contact["address"]].append(contact)
    duplicates = [g for g in groups.values() if len(g) > 1]
    assert 2 <= len(duplicates) <= 4
    for group in duplicates:
        first, second = group[0], group[1]
        assert first != second
        assert (first["email"], first["phone"], first["last_name"], first["first_name"]) != (
            second["email"],
            second["phone"],
            second["last_name"],
            second["first_name"],
        )
    assert sum(1 for c in externals if not c["phone"] or not c["postcode"]) >= 3


def test_contacts_were_created_before_the_clock_and_before_they_were_first_contacted():
    data = sandbox("it_services")
    first_contact = {}
    for interaction in data["interactions"]:
        first_contact.setdefault(interaction["contact_id"], interaction["occurred_at"])
    for contact in data["contacts"]:
        assert contact["created_sbx"] < START
        assert contact["created_sbx"] <= first_contact[contact["id"]]
        checked = contact["accuracy_checked_at"]
        assert checked is None or contact["created_sbx"] <= checked < START
    stamps = [c["created_sbx"] for c in data["contacts"]]
    assert stamps == sorted(stamps)  # ids follow creation, as in a live CRM


# ---------------------------------------------------------------- needs and preferences


def test_needs_are_confirmed_exactly_when_a_confirmation_method_is_recorded():
    for profile in PROFILES:
        needs = sandbox(profile)["contact_needs"]
        assert any(n["confirmed"] for n in needs) and any(not n["confirmed"] for n in needs)
        for need in needs:
            assert (need["confirmation_method"] is not None) == need["confirmed"]
            assert (need["confirmed_sbx"] is not None) == need["confirmed"]
            if need["confirmed"]:
                assert need["confirmation_method"] in ("asked_back", "summarised", "in_writing")
                assert need["created_sbx"] <= need["confirmed_sbx"] < START


def test_about_forty_percent_of_customers_have_needs_and_fewer_have_preferences():
    data = sandbox("retail", 1, "large")
    contacts = by_id(data["contacts"])
    externals = [c for c in contacts.values() if c["category"] == "external"]
    with_needs = {n["contact_id"] for n in data["contact_needs"]}
    with_preferences = {p["contact_id"] for p in data["contact_preferences"]}
    assert 0.3 <= len(with_needs) / len(externals) <= 0.5
    assert 0.2 <= len(with_preferences) / len(externals) <= 0.4
    for contact_id in with_needs | with_preferences:
        assert contacts[contact_id]["category"] == "external"
    per_contact = Counter(n["contact_id"] for n in data["contact_needs"])
    assert set(per_contact.values()) <= {1, 2}


def test_needs_and_preferences_were_recorded_after_the_contact_and_before_the_clock():
    data = sandbox("housing")
    contacts = by_id(data["contacts"])
    for row in data["contact_needs"] + data["contact_preferences"]:
        assert contacts[row["contact_id"]]["created_sbx"] <= row["created_sbx"] < START
        assert "{" not in row["description"]


# ---------------------------------------------------------------- interactions


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_interactions_happen_before_the_clock_in_working_hours_on_working_days(profile):
    data = sandbox(profile)
    calendar = calendar_of(data)
    for interaction in data["interactions"]:
        assert interaction["occurred_at"] < START
        assert calendar.is_working_time(interaction["occurred_at"]), interaction
        done = interaction["follow_up_done_sbx"]
        if done is not None:
            assert interaction["follow_up_on"] is not None
            assert interaction["occurred_at"] <= done < START
            assert calendar.is_working_time(done)


def test_the_leisure_centre_also_works_saturdays_and_has_the_history_to_show_it():
    data = sandbox("leisure")
    assert 6 in data["organisations"][0]["working_days"]
    assert any(i["occurred_at"].isoweekday() == 6 for i in data["interactions"])
    assert not any(i["occurred_at"].isoweekday() == 7 for i in data["interactions"])


def test_history_covers_about_six_months_and_recent_months_are_busier():
    moments = [i["occurred_at"] for i in sandbox("retail", 1, "large")["interactions"]]
    assert START - timedelta(days=200) < min(moments) < START - timedelta(days=150)
    recent = sum(1 for m in moments if m >= START - timedelta(days=60))
    oldest = sum(1 for m in moments if m < START - timedelta(days=120))
    assert recent > oldest * 1.3


def test_directions_initiatives_and_channels_are_valid():
    interactions = sandbox("it_services")["interactions"]
    for interaction in interactions:
        assert interaction["channel"] in (
            "phone",
            "email",
            "letter",
            "meeting",
            "live_chat",
            "social",
        )
        assert interaction["direction"] in ("inbound", "outbound")
        if interaction["direction"] == "inbound":
            assert interaction["initiative"] == "reactive"
        assert interaction["initiative"] in ("reactive", "proactive")
        assert interaction["summary"] and "{" not in interaction["summary"]
        assert interaction["outcome"] and "{" not in interaction["outcome"]
        assert interaction["recorded_by"] in get_profile("it_services").team
    outbound = Counter(i["initiative"] for i in interactions if i["direction"] == "outbound")
    assert outbound["reactive"] > outbound["proactive"] > 0


def test_proactive_contact_with_customers_uses_only_channels_they_consented_to():
    data = sandbox("retail", 1, "large")
    contacts = by_id(data["contacts"])
    consent_for = {"email": "consent_email", "phone": "consent_phone", "letter": "consent_post"}
    for interaction in data["interactions"]:
        contact = contacts[interaction["contact_id"]]
        if interaction["initiative"] != "proactive" or contact["category"] != "external":
            continue
        if interaction["channel"] == "meeting":
            assert contact["account_type"] == "business" or contact["segment"] == "key_account"
        else:
            assert contact[consent_for[interaction["channel"]]], interaction


def test_key_accounts_get_more_contact_and_at_risk_customers_went_quiet_months_ago():
    data = sandbox("retail", 1, "large")
    contacts = by_id(data["contacts"])
    per_contact = defaultdict(list)
    for interaction in data["interactions"]:
        per_contact[interaction["contact_id"]].append(interaction["occurred_at"])

    def mean_count(segment):
        ids = [c["id"] for c in contacts.values() if c["segment"] == segment]
        return sum(len(per_contact[i]) for i in ids) / len(ids)

    assert mean_count("key_account") > mean_count("regular") > mean_count("new")
    assert mean_count("regular") > mean_count("at_risk")
    for contact in contacts.values():
        if contact["segment"] == "at_risk":
            assert max(per_contact[contact["id"]]) < START - timedelta(days=60)
        if contact["segment"] == "new":
            assert contact["created_sbx"] > START - timedelta(days=90)
    for interaction in data["interactions"]:
        contact = contacts[interaction["contact_id"]]
        if contact["segment"] == "new" and interaction["occurred_at"] == contact["created_sbx"]:
            assert interaction["direction"] == "inbound"  # new customers got in touch first


def test_colleagues_and_departments_make_internal_requests():
    profile = get_profile("housing")
    data = sandbox("housing")
    contacts = by_id(data["contacts"])
    requests = {r for pairs in profile.internal_requests.values() for r, _ in pairs}
    internal = [
        i for i in data["interactions"] if contacts[i["contact_id"]]["category"] == "internal"
    ]
    assert internal
    assert any(i["direction"] == "inbound" for i in internal)
    assert all(contacts[i["contact_id"]]["department"] for i in internal)
    asked = [
        i["summary"]
        for i in internal
        if i["direction"] == "inbound" and i["complaint_id"] is None  # not internal complaints
    ]
    assert len(asked) > 5
    assert all(any(s.startswith(r.split("{")[0]) for r in requests) for s in asked)


def test_about_a_tenth_of_interactions_have_follow_ups_and_some_fall_due_soon():
    for profile in PROFILES:
        interactions = sandbox(profile)["interactions"]
        with_follow_up = [i for i in interactions if i["follow_up_on"] is not None]
        assert 0.05 <= len(with_follow_up) / len(interactions) <= 0.16
        soon = [
            i
            for i in with_follow_up
            if START.date() <= i["follow_up_on"] <= START.date() + timedelta(days=14)
        ]
        assert sum(1 for i in soon if i["follow_up_done_sbx"] is None) >= 3
        assert any(i["follow_up_done_sbx"] is not None for i in with_follow_up)
        for interaction in with_follow_up:
            assert interaction["follow_up_on"] >= interaction["occurred_at"].date()


def test_complaint_history_is_logged_as_interactions_with_the_customer():
    data = sandbox("retail", 1, "large")
    complaints = by_id(data["complaints"])
    linked = defaultdict(list)
    for interaction in data["interactions"]:
        if interaction["complaint_id"] is not None:
            linked[interaction["complaint_id"]].append(interaction)
    assert set(linked) == set(complaints)
    events = defaultdict(list)
    for event in data["complaint_events"]:
        events[event["complaint_id"]].append(event)
    for complaint_id, interactions in linked.items():
        complaint = complaints[complaint_id]
        first = interactions[0]
        assert first["direction"] == "inbound"
        assert first["occurred_at"] == complaint["received_at"]
        assert first["outcome"] == f"Logged as a stage 1 complaint: {complaint['category']}"
        assert first["channel"] == complaint["channel"]
        for interaction in interactions:
            assert interaction["contact_id"] == complaint["contact_id"]
            assert complaint["received_at"] <= interaction["occurred_at"] < START
        # Each acknowledgement and response went to the customer when the history says.
        sent = {i["occurred_at"] for i in interactions if i["direction"] == "outbound"}
        for event in events[complaint_id]:
            if event["action"] in ("acknowledge", "resolve", "close", "wait_for_customer"):
                assert event["at"] in sent, (complaint["reference"], event["action"])
    acknowledgements = [
        i for i in data["interactions"] if i["summary"].startswith("Acknowledged the complaint (")
    ]
    assert len(acknowledgements) > 200
    for interaction in acknowledgements:
        assert interaction["outcome"].startswith("Stage 1 response due by ")
        assert interaction["follow_up_on"] >= interaction["occurred_at"].date()
    assert any(i["outcome"].startswith("Escalated to Stage 2") for i in data["interactions"])


# ---------------------------------------------------------------- profiles


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_the_complaints_procedure_has_the_structure_other_code_reads(profile):
    procedure = get_profile(profile).complaints_procedure
    assert set(procedure) == {"levels", "escalate_when", "categories"}
    levels = procedure["levels"]
    assert [level["key"] for level in levels] == [
        "front_line",
        "supervisor",
        "manager",
        "external_review",
    ]
    assert levels[0]["name"] == "Stage 1: front-line resolution"
    for level in levels:
        assert set(level) == {"key", "name", "owner", "acknowledge_within", "resolve_within"}
        assert level["owner"]
    for level in levels[:3]:
        for limit in (level["acknowledge_within"], level["resolve_within"]):
            assert set(limit) == {"amount", "unit"}
            assert limit["unit"] in ("working_days", "working_hours")
            assert isinstance(limit["amount"], int) and limit["amount"] > 0
    assert levels[3]["acknowledge_within"] is None and levels[3]["resolve_within"] is None
    assert 3 <= len(procedure["escalate_when"]) <= 4
    assert 5 <= len(procedure["categories"]) <= 8
    topics = get_profile(profile).interaction_topics["complaint"]
    assert {category for category, _, _ in topics} <= set(procedure["categories"])


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_profiles_describe_a_whole_organisation(profile):
    p = get_profile(profile)
    assert p.key == profile
    assert set(p.policies) == {"charter", "returns", "data_protection", "complaints"}
    assert 4 <= p.policies["charter"].count("\n- ") + 1 <= 7
    assert 4 <= len(p.departments) <= 7
    names = [d["name"] for d in p.departments]
    for department in p.departments:
        assert set(department) == {"name", "head", "relies_on_you_for"}
    assert set(p.internal_requests) == set(names) == set(p.internal_outbound)
    assert set(p.colleague_job_titles) == set(names)
    assert 10 <= len(p.products_or_services) <= 20
    assert len(p.interaction_topics["inbound"]) >= 15
    assert len(p.interaction_topics["outbound_proactive"]) >= 15
    assert sum(len(pairs) for pairs in p.internal_requests.values()) >= 15
    assert set(p.segment_weights) == {"new", "regular", "key_account", "at_risk"}
    assert set(p.working_days) <= set(range(1, 8))
    assert time.fromisoformat(p.opens_at) < time.fromisoformat(p.closes_at)


def _templates(p) -> list[str]:
    topics = p.interaction_topics
    texts = [t for pair in topics["inbound"] for t in pair]
    texts += list(topics["outbound_proactive"]) + list(topics["supplier_inbound"])
    texts += list(topics["supplier_outbound"])
    texts += [t for _, complaint, response in topics["complaint"] for t in (complaint, response)]
    texts += [t for pairs in p.internal_requests.values() for pair in pairs for t in pair]
    texts += [t for items in p.internal_outbound.values() for t in items]
    texts += list(p.needs + p.business_needs + p.preferences + p.outcomes)
    texts += [pattern for pattern, _ in p.business_kinds]
    texts += [t for entry in p.other_contacts for t in entry["topics"]]
    return texts


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_every_template_fills_with_the_known_placeholders(profile):
    values = {name: "X" for name in PLACEHOLDERS}
    for template in _templates(get_profile(profile)):
        filled = template.format_map(values)
        assert "{" not in filled and "}" not in filled, template


def test_an_unknown_profile_is_refused_naming_the_known_ones():
    with pytest.raises(KeyError) as error:
        get_profile("nope")
    for key in PROFILES:
        assert key in str(error.value)
    with pytest.raises(KeyError):
        generate("nope", 1, "small", START)


def test_an_unknown_size_or_an_aware_clock_is_refused():
    with pytest.raises(ValueError, match="small"):
        generate("retail", 1, "huge", START)
    with pytest.raises(ValueError, match="naive"):
        generate("retail", 1, "small", START.astimezone())


def test_changing_the_returned_organisation_does_not_change_the_profile():
    data = generate("retail", 1, "small", START)
    organisation = data["organisations"][0]
    organisation["departments"][0]["head"] = "Someone Else"
    organisation["complaints_procedure"]["levels"][0]["resolve_within"]["amount"] = 99
    organisation["policies"]["charter"] = ""
    assert generate("retail", 1, "small", START) == sandbox("retail", 1, "small")


# ---------------------------------------------------------------- complaints

OPEN = ("received", "acknowledged", "investigating", "waiting_customer", "resolved")


def events_by_complaint(data: dict) -> dict[int, list[dict]]:
    grouped = defaultdict(list)
    for event in data["complaint_events"]:
        grouped[event["complaint_id"]].append(event)
    return grouped


def level_rules(data: dict) -> dict[str, dict]:
    return {
        level["key"]: level for level in data["organisations"][0]["complaints_procedure"]["levels"]
    }


def current_level_events(events: list[dict]) -> list[dict]:
    starts = [n for n, e in enumerate(events) if e["action"] in ("received", "escalate")]
    return events[starts[-1] :]


@pytest.mark.parametrize("size", list(SIZES))
def test_complaints_are_numbered_in_the_order_received_and_the_counter_continues(size):
    data = sandbox("retail", 1, size)
    complaints = data["complaints"]
    assert len(complaints) == SIZES[size]["complaints"]
    assert [c["reference"] for c in complaints] == [
        f"C-{n:04d}" for n in range(1, len(complaints) + 1)
    ]
    received = [c["received_at"] for c in complaints]
    assert received == sorted(received)
    assert data["sandbox_counters"] == [{"id": 1, "name": "complaint", "value": len(complaints)}]


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_complaint_events_follow_the_procedures_state_machine(profile):
    from crm_sandbox.services.complaints import MOVES

    data = sandbox(profile)
    order = [level["key"] for level in data["organisations"][0]["complaints_procedure"]["levels"]]
    team = set(get_profile(profile).team)
    grouped = events_by_complaint(data)
    ids = [e["id"] for e in data["complaint_events"]]
    assert ids == list(range(1, len(ids) + 1))
    assert [e["at"] for e in data["complaint_events"]] == sorted(
        e["at"] for e in data["complaint_events"]
    )
    for complaint in data["complaints"]:
        events = grouped[complaint["id"]]
        first = events[0]
        assert first["action"] == "received" and first["at"] == complaint["received_at"]
        assert (first["from_stage"], first["to_stage"]) == (None, "received")
        assert (first["from_level"], first["to_level"]) == (None, order[0])
        for before, event in zip(events, events[1:], strict=False):
            assert event["at"] > before["at"]
            assert (event["from_stage"], event["from_level"]) == (
                before["to_stage"],
                before["to_level"],
            )
            if event["action"] == "escalate":
                assert event["from_stage"] in OPEN and event["to_stage"] == "received"
                assert order.index(event["to_level"]) == order.index(event["from_level"]) + 1
                assert event["note"]
            else:
                assert event["action"] in MOVES and event["action"] != "reopen"
                starts, target = MOVES[event["action"]]
                assert event["from_stage"] in starts and event["to_stage"] == target
                assert event["to_level"] == event["from_level"]
        for event in events:
            assert event["actor"] in team
            assert event["at"] < START
            assert event["judgement"] == (
                event["action"] == "close" and complaint["customer_confirmed"] is False
            )
        assert (events[-1]["to_stage"], events[-1]["to_level"]) == (
            complaint["stage"],
            complaint["level"],
        )


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_complaint_fields_agree_with_the_history(profile):
    data = sandbox(profile)
    rules = level_rules(data)
    procedure = data["organisations"][0]["complaints_procedure"]
    categories = procedure["categories"]
    reasons = set()
    for rule in procedure["escalate_when"]:
        rule = re.sub(r"\s*\(.*?\)", "", rule).lower()
        reasons |= {rule, rule.replace("stage 1", "stage 2")}
    grouped = events_by_complaint(data)
    confirmed = Counter(c["customer_confirmed"] for c in data["complaints"])
    assert confirmed[True] > 4 * confirmed[False] > 0
    for c in data["complaints"]:
        events = grouped[c["id"]]
        level_events = current_level_events(events)
        at = {e["action"]: e["at"] for e in level_events}
        assert c["category"] in categories
        assert c["channel"] in ("phone", "email", "letter", "meeting", "live_chat", "social")
        assert c["severity"] in ("low", "medium", "high")
        assert c["description"] and "{" not in c["description"]
        assert c["owner"] == rules[c["level"]]["owner"]
        assert c["level_started_at"] == level_events[0]["at"]
        assert c["acknowledged_at"] == at.get("acknowledge")
        assert c["resolved_at"] == at.get("resolve")
        assert c["closed_at"] == at.get("close")
        assert (c["waiting_since"] is not None) == (c["stage"] == "waiting_customer")
        if c["waiting_since"] is not None:
            assert c["waiting_since"] == at["wait_for_customer"]
        escalations = [e for e in events if e["action"] == "escalate"]
        assert c["escalation_reason"] == (escalations[-1]["note"] if escalations else "")
        for event in escalations:  # each names the procedure's rule it escalates under
            assert event["note"].split(":")[0].lower() in reasons, event["note"]
        done = c["stage"] in ("resolved", "closed")
        assert bool(c["resolution"]) == done
        assert bool(c["root_cause"]) == bool(c["lessons_learned"]) == (c["stage"] == "closed")
        assert (c["customer_confirmed"] is not None) == (c["stage"] == "closed")
        assert bool(c["confirmation_note"]) == (c["stage"] == "closed")
        for name in ("received_at", "level_started_at", "acknowledged_at", "resolved_at"):
            assert c[name] is None or c[name] < START
        assert c["closed_at"] is None or c["closed_at"] < START


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_due_times_come_from_the_working_calendar_and_late_steps_carry_a_breach(profile):
    data = sandbox(profile, 1, "large")
    calendar = calendar_of(data)
    rules = level_rules(data)
    grouped = events_by_complaint(data)
    late = set()
    for c in data["complaints"]:
        ack_due = resolve_due = waiting = None
        for event in grouped[c["id"]]:
            if event["action"] in ("received", "escalate"):
                rule = rules[event["to_level"]]
                ack_due = calendar.add(event["at"], **rule["acknowledge_within"])
                resolve_due = calendar.add(event["at"], **rule["resolve_within"])
            elif event["action"] == "wait_for_customer":
                waiting = event["at"]
            elif event["action"] == "customer_replied":
                paused = calendar.working_time_between(waiting, event["at"])
                if paused:
                    resolve_due = calendar.add_working_time(resolve_due, paused)
            due = {"acknowledge": ack_due, "resolve": resolve_due}.get(event["action"])
            if due is None:
                assert event["breach"] == "", event
            elif event["at"] > due:
                verb = (
                    event["action"]
                    .replace("acknowledge", "acknowledged")
                    .replace("resolve", "resolved")
                )
                assert event["breach"] == (
                    f"{verb} after the procedure's deadline ({due:%a %d %b %H:%M})"
                )
                late.add(c["id"])
            else:
                assert event["breach"] == ""
        assert (c["ack_due_at"], c["resolve_due_at"]) == (ack_due, resolve_due), c["reference"]
    assert 0.12 <= len(late) / len(data["complaints"]) <= 0.35


def test_the_mix_has_open_late_and_escalated_complaints():
    for size in ("standard", "large"):
        data = sandbox("retail", 1, size)
        complaints = data["complaints"]
        total = len(complaints)
        open_ = [c for c in complaints if c["stage"] != "closed"]
        assert 0.1 <= len(open_) / total <= 0.25
        assert len({c["stage"] for c in open_}) >= 4
        # Some arrived in the last working day and wait for acknowledgement; some are overdue.
        last_day = max(c["received_at"].date() for c in complaints)
        assert any(c["stage"] == "received" and c["received_at"].date() == last_day for c in open_)
        overdue = [
            c
            for c in open_
            if (c["stage"] == "received" and c["ack_due_at"] < START)
            or (c["stage"] in ("acknowledged", "investigating") and c["resolve_due_at"] < START)
        ]
        assert overdue
        levels = Counter(c["level"] for c in complaints)
        escalated = sum(1 for c in complaints if c["escalation_reason"])
        assert 0.12 <= escalated / total <= 0.32
        assert levels["manager"] >= 1 and levels["supervisor"] > levels["manager"]
        assert "external_review" not in levels


def test_complaints_come_mostly_from_external_customers_and_a_few_colleagues():
    data = sandbox("housing", 1, "large")
    contacts = by_id(data["contacts"])
    categories = Counter(contacts[c["contact_id"]]["category"] for c in data["complaints"])
    assert categories["external"] > 0.85 * len(data["complaints"])
    assert 1 <= categories["internal"] <= 0.1 * len(data["complaints"])
    assert "non_customer" not in categories
    at_risk = [c for c in data["complaints"] if contacts[c["contact_id"]]["segment"] == "at_risk"]
    assert at_risk and all(c["stage"] == "closed" for c in at_risk)


def test_satisfaction_ratings_are_asked_after_closing_and_follow_the_handling():
    ratings = defaultdict(list)
    for profile in PROFILES:
        data = sandbox(profile, 1, "large")
        breaches = {e["complaint_id"] for e in data["complaint_events"] if e["breach"]}
        closed = [c for c in data["complaints"] if c["stage"] == "closed"]
        asked = [c for c in closed if c["satisfaction_requested_at"] is not None]
        assert 0.6 <= len(asked) / len(closed) <= 0.95
        for c in data["complaints"]:
            if c["satisfaction_requested_at"] is None:
                assert c["satisfaction_rating"] is None and c["satisfaction_at"] is None
                assert c["satisfaction_comment"] == ""
                continue
            assert c["stage"] == "closed"
            assert c["satisfaction_requested_at"] == c["closed_at"]
            assert c["satisfaction_at"] > c["satisfaction_requested_at"]
            assert c["satisfaction_rating"] in (1, 2, 3, 4, 5)
            if not c["customer_confirmed"]:
                key = "unconfirmed"
            else:
                key = "late" if c["id"] in breaches else "on_time"
            ratings[key].append(c["satisfaction_rating"])

    def mean(key):
        return sum(ratings[key]) / len(ratings[key])

    assert mean("on_time") > mean("late") > mean("unconfirmed")
    assert mean("on_time") >= 4.0


# ---------------------------------------------------------------- feedback

NUMBER_RANGES = {"rating_5": (1, 5), "recommend_0_10": (0, 10), "yes_no": (0, 1)}
CHOICE_KINDS = ("single_choice", "multiple_choice")


def questions_by_survey(data: dict) -> dict[int, list[dict]]:
    grouped = defaultdict(list)
    for question in data["survey_questions"]:
        grouped[question["survey_id"]].append(question)
    return grouped


@pytest.mark.parametrize(
    ("size", "surveys", "low", "high"),
    [("small", 2, 45, 80), ("standard", 5, 230, 380), ("large", 8, 2400, 3600)],
)
def test_each_size_has_its_feedback_collections(size, surveys, low, high):
    for profile in PROFILES:
        data = sandbox(profile, 1, size)
        assert len(data["surveys"]) == surveys
        assert low <= len(data["survey_responses"]) <= high, profile
        methods = Counter(s["method"] for s in data["surveys"])
        statuses = Counter(s["status"] for s in data["surveys"])
        assert statuses == {"sent": 1, "closed": surveys - 1}
        if size != "small":
            assert methods == {"survey": surveys - 2, "comment_card": 1, "suggestion_box": 1}
            assert sum(s["audience"]["category"] == "internal" for s in data["surveys"]) == 1
        else:
            assert methods["survey"] >= 1
        for survey in data["surveys"]:
            assert survey["title"] and survey["purpose"]
            assert survey["audience"]["category"] in ("external", "internal")
            assert survey["created_sbx"] <= survey["sent_at"] < START
            if survey["status"] == "sent":
                assert survey["closes_on"] >= START.date()
            else:
                assert survey["closes_on"] < START.date()


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_questions_are_well_formed_and_standard_uses_every_kind(profile):
    data = sandbox(profile)
    kinds = Counter()
    grouped = questions_by_survey(data)
    for survey in data["surveys"]:
        questions = grouped[survey["id"]]
        assert [q["position"] for q in questions] == list(range(1, len(questions) + 1))
        own = Counter(q["kind"] for q in questions)
        kinds.update(own)
        if survey["method"] == "survey":
            assert 4 <= len(questions) <= 7
            assert own["rating_5"] >= 1 and own["free_text"] >= 1
        else:
            assert 1 <= own["free_text"] <= 2
            assert set(own) <= {"free_text", "rating_5"} and own["rating_5"] <= 1
        for q in questions:
            assert q["text"] and q["text"].strip() == q["text"]
            if q["kind"] in CHOICE_KINDS:
                assert 2 <= len(q["options"]) <= 10
                assert len(set(q["options"])) == len(q["options"])
                assert all(len(o) <= 80 for o in q["options"])
            else:
                assert q["options"] == []
    assert set(kinds) == set(NUMBER_RANGES) | set(CHOICE_KINDS) | {"free_text"}
    assert kinds["recommend_0_10"] >= 1


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_answers_match_their_questions(profile):
    data = sandbox(profile)
    questions = by_id(data["survey_questions"])
    grouped = questions_by_survey(data)
    answers = defaultdict(list)
    for answer in data["survey_answers"]:
        answers[answer["response_id"]].append(answer)
    assert [a["id"] for a in data["survey_answers"]] == list(
        range(1, len(data["survey_answers"]) + 1)
    )
    for response in data["survey_responses"]:
        given = answers[response["id"]]
        expected = [q["id"] for q in grouped[response["survey_id"]]]
        assert [a["question_id"] for a in given] == expected
        for answer in given:
            q = questions[answer["question_id"]]
            if q["kind"] in NUMBER_RANGES:
                low, high = NUMBER_RANGES[q["kind"]]
                number = answer["number"]
                assert number is None or (low <= number <= high and number == int(number))
                assert answer["text"] == "" and answer["choices"] == []
            elif q["kind"] in CHOICE_KINDS:
                assert set(answer["choices"]) <= set(q["options"])
                if q["kind"] == "single_choice":
                    assert len(answer["choices"]) <= 1
                assert answer["number"] is None and answer["text"] == ""
            else:
                assert answer["number"] is None and answer["choices"] == []
                assert "{" not in answer["text"]
    texts = [
        a["text"]
        for a in data["survey_answers"]
        if questions[a["question_id"]]["kind"] == "free_text"
    ]
    assert any(t == "" for t in texts) and sum(1 for t in texts if t) > len(texts) / 2


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_responses_come_from_the_audience_while_the_survey_is_open(profile):
    data = sandbox(profile, 1, "large")
    contacts = by_id(data["contacts"])
    surveys = by_id(data["surveys"])
    per_survey = Counter(r["survey_id"] for r in data["survey_responses"])
    later = Counter()
    for response in data["survey_responses"]:
        survey = surveys[response["survey_id"]]
        audience = survey["audience"]
        assert survey["sent_at"] < response["responded_at"]
        assert response["responded_at"].date() <= survey["closes_on"]
        if survey["status"] == "closed":
            assert response["responded_at"] < START
        else:
            later[survey["id"]] += response["responded_at"] >= START
        if response["contact_id"] is None:
            assert survey["method"] in ("comment_card", "suggestion_box")
            assert response["segment"] == ""
            continue
        contact = contacts[response["contact_id"]]
        assert contact["category"] == audience["category"]
        assert not audience.get("segment") or contact["segment"] == audience["segment"]
        assert response["segment"] == (contact["segment"] or "")
        assert contact["created_sbx"] <= response["responded_at"]
        if survey["method"] == "survey":
            assert contact["consent_email"] and contact["created_sbx"] < survey["sent_at"]
    for survey in data["surveys"]:
        assert survey["recipients"] >= per_survey[survey["id"]] > 0
        if survey["status"] == "sent":
            assert 0 < later[survey["id"]] < per_survey[survey["id"]]
    responded = [r["responded_at"] for r in data["survey_responses"]]
    assert responded == sorted(responded)


def test_survey_ratings_differ_by_segment_and_comments_fall_into_themes():
    from crm_sandbox.services.feedback_themes import THEMES

    for profile in PROFILES:
        data = sandbox(profile, 1, "large")
        questions = by_id(data["survey_questions"])
        responses = by_id(data["survey_responses"])
        ratings = defaultdict(list)
        comments = []
        for answer in data["survey_answers"]:
            kind = questions[answer["question_id"]]["kind"]
            if kind == "rating_5" and answer["number"] is not None:
                ratings[responses[answer["response_id"]]["segment"]].append(answer["number"])
            elif kind == "free_text" and answer["text"]:
                comments.append(answer["text"].lower())
        means = {segment: sum(v) / len(v) for segment, v in ratings.items()}
        assert means["key_account"] > means["at_risk"] + 0.8, profile
        assert means["regular"] > means["new"] > means["at_risk"], profile
        matched = sum(1 for c in comments if any(w in c for ws in THEMES.values() for w in ws))
        assert matched >= 0.8 * len(comments), profile


# ---------------------------------------------------------------- service standards


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_three_agreed_standards_come_from_the_charter(profile):
    from crm_sandbox.services.standards import measurability_problems

    data = sandbox(profile)
    standards = data["service_standards"]
    assert [s["measure"] for s in standards] == [
        "complaint_ack_time",
        "first_response_time",
        "satisfaction_score",
    ]
    ack = data["organisations"][0]["complaints_procedure"]["levels"][0]["acknowledge_within"]
    assert (standards[0]["threshold"], standards[0]["threshold_unit"]) == (
        ack["amount"],
        ack["unit"],
    )
    reply = get_profile(profile).email_reply_within
    assert (standards[1]["threshold"], standards[1]["threshold_unit"]) == reply
    assert standards[2]["threshold"] == 4.0 and standards[2]["threshold_unit"] == "score"
    assert standards[2]["target_percent"] is None
    for standard in standards:
        assert standard["status"] == "agreed" and standard["agreed_with"]
        assert standard["agreed_with_contact_id"] is None
        assert standard["period"] in ("week", "month", "quarter")
        assert standard["created_sbx"].date() <= standard["agreed_on"] < START.date()
        assert measurability_problems(SimpleNamespace(**standard)) == []
    # Findings, measurements and improvement actions are the learner's work.
    assert not {"findings", "standard_findings", "standard_measurements", "improvement_actions"} & (
        set(data)
    )
