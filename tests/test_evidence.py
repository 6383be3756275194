"""The evidence pack: a PDF report, the action log as CSV, JSON and xAPI, and a manifest that
lets anyone verify the pack without our database."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import subprocess  # nosec B404: poppler's pdftotext reads the report as a reader would
import threading
import zipfile
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crm_sandbox.cli.evidence import evidence_group
from crm_sandbox.models import AttemptStatus, Decision, Judgement, Role, db
from crm_sandbox.scenarios import engine
from crm_sandbox.scenarios.engine.attempts import DECLARATION
from crm_sandbox.scenarios.loader import library_source
from crm_sandbox.services import action_log, contacts, evidence, interactions, personal_data
from crm_sandbox.services.context import SandboxContext
from crm_sandbox.services.evidence.exports import _sha256
from crm_sandbox.services.evidence.verification import _entry_from_json

from .tampering import rewrite_and_rehash

FILES = {"report.pdf", "action_log.csv", "action_log.json", "xapi.jsonl", "manifest.json"}
TITLE = "A first complaint: stage 1, in time"


@pytest.fixture
def cli(app):
    if "evidence" not in app.cli.commands:
        app.cli.add_command(evidence_group)
    return app.test_cli_runner()


@pytest.fixture
def learner_with_work(app, create_user, create_group):
    """A learner in a Focus Awards group with one assessed attempt (the model answer, judged
    and signed off) and one attempt still in progress."""
    learner = create_user(Role.LEARNER, name="Ada Lovelace", email="ada.lovelace@college.example")
    assessor = create_user(Role.ASSESSOR, name="Grace Hopper")
    group = create_group("Business Admin L2", learners=[learner], assessors=[assessor])
    group.body_id = "focus"
    scenario, source = library_source("first-complaint")

    assessed = engine.start_attempt(learner, scenario, source)
    engine.replay(assessed, scenario.model_answer)
    engine.check_my_work(assessed, learner)
    engine.submit(assessed, learner, True)
    start = datetime(2026, 3, 20, 10, 0, tzinfo=UTC)
    for minutes, criterion, decision, comment in [
        (0, "focus.ac2", "not_yet_met", "First look: acknowledgement unclear."),
        (5, "focus.ac2", "met", "Acknowledged within the procedure's time."),
        (6, "focus.ac1", "not_yet_met", "No internal customers identified yet."),
    ]:
        db.session.add(
            Judgement(
                attempt_id=assessed.id,
                criterion_id=criterion,
                decision=decision,
                comment=comment,
                assessor_id=assessor.id,
                created_at=start + timedelta(minutes=minutes),
            )
        )
    db.session.add(
        Decision(
            attempt_id=assessed.id,
            outcome="met",
            feedback="Well handled from start to finish.",
            assessor_id=assessor.id,
            created_at=start + timedelta(minutes=10),
        )
    )
    assessed.status = AttemptStatus.ASSESSED.value
    action_log.record(
        SandboxContext(assessed.sandbox, assessor),
        "assessment.decided",
        "attempt",
        assessed.id,
        after={"outcome": "met"},
    )

    in_progress = engine.start_attempt(learner, scenario, source)
    db.session.commit()
    return learner, assessed, in_progress


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def rezip(path, files: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)


def reseal(files: dict[str, bytes], name: str) -> None:
    """Update the manifest's hash of one file, as a forger would."""
    manifest = json.loads(files["manifest.json"])
    manifest["files"][name] = {
        "sha256": _sha256(files[name]),
        "size": len(files[name]),
    }
    files["manifest.json"] = json.dumps(manifest).encode()


def pdf_text(pdf: bytes) -> str:
    """The text a PDF draws, from its (ASCII85 + Flate compressed) content streams."""
    shown = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        raw = match.group(1).strip()
        try:
            content = zlib.decompress(base64.a85decode(raw, adobe=True))
        except ValueError:
            content = raw
        text = content.decode("latin-1")
        shown += re.findall(r"\(((?:\\.|[^\\)])*)\)\s*Tj", text)
    joined = " ".join(re.sub(r"\\(.)", r"\1", s) for s in shown)
    return re.sub(r"\s+", " ", joined)


def test_the_pack_holds_five_files_that_verify(learner_with_work, tmp_path):
    learner, _, _ = learner_with_work
    path = evidence.write_pack(learner, tmp_path / "packs")

    assert path.name == f"evidence-ada.lovelace-{datetime.now(UTC).date().isoformat()}.zip"
    assert path.name == evidence.pack_filename(learner)
    files = unzip(path.read_bytes())
    assert set(files) == FILES
    assert files["report.pdf"].startswith(b"%PDF-")
    assert evidence.verify_pack(path) == []


def test_the_manifest_records_hashes_and_each_attempts_chain_head(learner_with_work):
    learner, assessed, in_progress = learner_with_work
    files = unzip(evidence.build_pack(learner))
    manifest = json.loads(files["manifest.json"])

    assert manifest["learner"]["email"] == "ada.lovelace@college.example"
    assert set(manifest["files"]) == FILES - {"manifest.json"}
    assert manifest["files"]["xapi.jsonl"]["size"] == len(files["xapi.jsonl"])
    heads = {a["attempt_id"]: a for a in manifest["attempts"]}
    assert heads[assessed.id]["log_head"] == assessed.sandbox.log_head
    assert heads[in_progress.id]["log_seq"] == in_progress.sandbox.log_seq
    # assessed work comes first
    assert [a["attempt_id"] for a in manifest["attempts"]] == [assessed.id, in_progress.id]


def test_the_report_shows_the_learner_the_scenario_criteria_judgements_and_actions(
    learner_with_work,
):
    learner, assessed, _ = learner_with_work
    text = pdf_text(unzip(evidence.build_pack(learner))["report.pdf"])

    assert "Ada Lovelace" in text and "ada.lovelace@college.example" in text
    assert "Business Admin L2" in text
    assert "Focus Awards Level 2 Diploma in Business Administration" in text
    assert TITLE in text
    assert "focus.ac2" in text and "focus.ac3" in text
    assert "Sent the acknowledgement of complaint C-0011 to Grace Okafor by email" in text
    assert "interaction.logged" not in text and "complaint.acknowledged" not in text
    assert "Mrs Grace Okafor, a regular customer" in text  # the brief, as plain text
    assert "Harbour & Vine Home Stores" in text and "**" not in text
    assert "Acknowledged within the procedure's time." in text
    assert "Well handled from start to finish." in text and "Grace Hopper" in text
    assert "Attempt 1: " + TITLE in text and "Attempt 2: " + TITLE in text


def test_the_criteria_map_takes_the_latest_judgement_then_passing_checks(learner_with_work):
    learner, _, _ = learner_with_work
    statuses = {
        row.criterion_id: row.status
        for row in evidence.criteria_map("focus", evidence.gather(learner).attempts)
    }

    assert statuses == {
        # judged, but first-complaint does not evidence it for Focus: not this work's record
        "focus.ac1": "not started",
        "focus.ac2": "met",  # judged not yet met, then met: the latest counts
        "focus.ac3": "not started",
        "focus.ac4": "working towards",  # a passing check evidences it, no judgement yet
        "focus.ac5": "not started",
        "focus.ac6": "not started",
    }


def test_the_criteria_map_lists_the_bodys_criteria_numbered_in_number_order(learner_with_work):
    learner, _, _ = learner_with_work
    rows = evidence.criteria_map("focus", evidence.gather(learner).attempts)

    assert [(row.number, row.criterion_id) for row in rows] == [
        ("1.1", "focus.ac1"),
        ("2.1", "focus.ac5"),
        ("3.1", "focus.ac3"),
        ("4.1", "focus.ac2"),
        ("4.2", "focus.ac4"),
        ("5.1", "focus.ac6"),
    ]


def test_each_attempt_in_the_pack_carries_its_groups_criteria_only(learner_with_work):
    learner, assessed, _ = learner_with_work
    gathered = evidence.gather(learner)
    item = next(a for a in gathered.attempts if a.attempt.id == assessed.id)

    assert gathered.body_ids == ["focus"]
    assert item.body_id == "focus"
    assert [(c.number, c.id) for c in item.criteria] == [("4.1", "focus.ac2"), ("4.2", "focus.ac4")]
    assert [j.criterion_id for j in item.latest_judgements] == ["focus.ac2"]  # not focus.ac1
    assert (item.number_of("focus.ac4"), item.number_of("vtct.ac4")) == ("4.2", "")
    checks = [c for t in assessed.latest_results["tasks"] for c in t["checks"]]
    named = {criterion for check in checks for criterion in check["criteria"]}
    assert {"generic.ac4", "vtct.ac4", "icq.ac2"} <= named  # what the scenario's checks name
    mapped = {c.id for check in checks for c in item.check_criteria(check)}
    assert mapped == {"focus.ac2", "focus.ac4"}


def test_the_packs_json_lists_each_attempts_criteria_numbered_with_their_judgements(
    learner_with_work,
):
    learner, assessed, _ = learner_with_work
    files = unzip(evidence.build_pack(learner))
    log = json.loads(files["action_log.json"])
    manifest = json.loads(files["manifest.json"])
    sandbox = next(s for s in log["sandboxes"] if s["attempt_id"] == assessed.id)
    attempt = next(a for a in manifest["attempts"] if a["attempt_id"] == assessed.id)

    assert sandbox["qualification"] == attempt["qualification"] == "focus"
    assert [(c["number"], c["id"]) for c in sandbox["criteria"]] == [
        ("4.1", "focus.ac2"),
        ("4.2", "focus.ac4"),
    ]
    met, unjudged = sandbox["criteria"]
    assert met["judgement"]["decision"] == "met"
    assert met["judgement"]["assessor"] == "Grace Hopper"
    assert met["judgement"]["real_time"] == "2026-03-20T10:05:00+00:00"
    assert met["text"].startswith("Demonstrate understanding of organisational policies")
    assert unjudged["judgement"] is None
    assert attempt["criteria"] == [
        {"id": "focus.ac2", "number": "4.1"},
        {"id": "focus.ac4", "number": "4.2"},
    ]


def test_work_assessed_against_another_body_does_not_count_towards_this_one(
    learner_with_work, create_user, create_group
):
    learner, assessed, _ = learner_with_work
    # Ada's groups now study two bodies, so work set outside a group falls to the default.
    create_group("Evening class", learners=[learner])  # VTCT, the default
    gathered = evidence.gather(learner)

    assert {a.body_id for a in gathered.attempts} == {"generic"}
    assert gathered.body_ids == ["focus", "vtct", "generic"]
    statuses = {row.criterion_id: row.status for row in gathered.criteria_map("focus")}
    assert set(statuses.values()) == {"not started"}


def test_judgements_on_work_not_yet_assessed_do_not_count(learner_with_work):
    learner, assessed, _ = learner_with_work
    assessed.status = AttemptStatus.RETURNED.value
    db.session.commit()
    statuses = {
        row.criterion_id: row.status
        for row in evidence.criteria_map("focus", evidence.gather(learner).attempts)
    }

    assert statuses["focus.ac1"] == "not started"
    assert statuses["focus.ac2"] == "working towards"


def test_the_csv_has_every_entry_and_cannot_run_as_a_spreadsheet_formula(create_user):
    learner = create_user(Role.LEARNER, name="=SUM(A1:A9)")
    scenario, source = library_source("first-complaint")
    attempt = engine.start_attempt(learner, scenario, source)
    contacts.create_contact(
        SandboxContext(attempt.sandbox, learner),
        {"first_name": '=HYPERLINK("http://evil.example","x")', "last_name": "Formula"},
    )
    db.session.commit()
    files = unzip(evidence.build_pack(learner))
    rows = list(csv.DictReader(io.StringIO(files["action_log.csv"].decode("utf-8-sig"))))

    assert len(rows) == attempt.sandbox.log_seq
    made = next(r for r in rows if r["verb"] == "contact.created" and "Formula" in r["after"])
    assert json.loads(made["after"])["first_name"].startswith("=HYPERLINK")
    assert made["actor"] == "'=SUM(A1:A9) (learner)"
    assert made["attempt_id"] == str(attempt.id)
    assert made["real_time_utc"].endswith("+00:00")
    every_cell = [cell for row in rows for cell in row.values()]
    assert not [cell for cell in every_cell if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(1)", "\tx", "\rx"])
def test_a_cell_starting_like_a_formula_gets_a_quote(value):
    assert evidence.spreadsheet_safe(value) == "'" + value
    assert evidence.spreadsheet_safe("Grace Okafor") == "Grace Okafor"


def test_xapi_statements_describe_each_entry_with_stable_ids(learner_with_work, app, monkeypatch):
    learner, assessed, _ = learner_with_work
    first = unzip(evidence.build_pack(learner))["xapi.jsonl"].decode().splitlines()
    monkeypatch.setitem(app.config, "SERVER_NAME", "crm.college.example")
    monkeypatch.setitem(app.config, "PREFERRED_URL_SCHEME", "https")
    second = unzip(evidence.build_pack(learner))["xapi.jsonl"].decode().splitlines()
    statements = [json.loads(line) for line in first]
    again = [json.loads(line) for line in second]

    assert [s["id"] for s in statements] == [s["id"] for s in again]
    assert len({s["id"] for s in statements}) == len(statements)
    checked = next(s for s in statements if s["verb"]["display"]["en-GB"] == "scenario.checked")
    assert checked["result"]["score"]["scaled"] == assessed.latest_score
    assert checked["actor"] == {
        "objectType": "Agent",
        "account": {"homePage": "https://crm-sandbox.invalid", "name": str(learner.id)},
    }
    assert checked["verb"]["id"] == "https://crm-sandbox.invalid/xapi/verbs/scenario.checked"
    assert checked["object"] == {
        "objectType": "Activity",
        "id": f"https://crm-sandbox.invalid/xapi/sandbox/{assessed.sandbox_id}/attempt/{assessed.id}",
    }
    assert checked["context"]["registration"] == evidence.registration_id(assessed.id)
    assert "https://crm-sandbox.invalid/xapi/sandbox-time" in checked["context"]["extensions"]
    decided = next(s for s in statements if s["verb"]["display"]["en-GB"] == "assessment.decided")
    assert decided["result"] == {"success": True}
    assert again[0]["actor"]["account"]["homePage"] == "https://crm.college.example"


def test_action_log_json_carries_hashes_and_chain_heads(learner_with_work):
    learner, assessed, _ = learner_with_work
    log = json.loads(unzip(evidence.build_pack(learner))["action_log.json"])
    sandbox = next(s for s in log["sandboxes"] if s["attempt_id"] == assessed.id)

    assert sandbox["log_seq"] == assessed.sandbox.log_seq == len(sandbox["entries"])
    assert sandbox["entries"][-1]["entry_hash"] == sandbox["log_head"]
    assert {"entry_hash", "prev_hash", "payload_hash"} <= set(sandbox["entries"][0])


def test_verify_needs_no_database(learner_with_work, tmp_path):
    learner, _, _ = learner_with_work
    path = evidence.write_pack(learner, tmp_path)
    found = {}
    # A new thread has no app context, so any database access would raise.
    thread = threading.Thread(target=lambda: found.update(problems=evidence.verify_pack(path)))
    thread.start()
    thread.join()

    assert found == {"problems": []}


def test_verify_finds_a_changed_byte(learner_with_work, tmp_path):
    files = unzip(evidence.build_pack(learner_with_work[0]))
    pdf = bytearray(files["report.pdf"])
    pdf[len(pdf) // 2] ^= 0x01
    files["report.pdf"] = bytes(pdf)
    rezip(tmp_path / "p.zip", files)

    assert evidence.verify_pack(tmp_path / "p.zip") == [
        "report.pdf: does not match the hash in the manifest (changed)"
    ]


def test_verify_finds_an_edited_entry_even_when_the_manifest_is_resealed(
    learner_with_work, tmp_path
):
    files = unzip(evidence.build_pack(learner_with_work[0]))
    log = json.loads(files["action_log.json"])
    log["sandboxes"][0]["entries"][2]["verb"] = "complaint.closed"
    files["action_log.json"] = json.dumps(log).encode()
    rezip(tmp_path / "plain.zip", files)
    reseal(files, "action_log.json")
    rezip(tmp_path / "resealed.zip", files)

    plain = evidence.verify_pack(tmp_path / "plain.zip")
    resealed = evidence.verify_pack(tmp_path / "resealed.zip")

    assert "action_log.json: does not match the hash in the manifest (changed)" in plain
    assert any("entry seq 3: its contents were changed" in p for p in plain)
    assert len(resealed) == 1 and "entry seq 3: its contents were changed" in resealed[0]


def test_verify_finds_entries_cut_from_the_end_of_a_chain(learner_with_work, tmp_path):
    files = unzip(evidence.build_pack(learner_with_work[0]))
    log = json.loads(files["action_log.json"])
    sandbox = log["sandboxes"][0]
    del sandbox["entries"][-2:]
    sandbox["log_seq"] -= 2
    sandbox["log_head"] = sandbox["entries"][-1]["entry_hash"]
    files["action_log.json"] = json.dumps(log).encode()
    reseal(files, "action_log.json")
    rezip(tmp_path / "p.zip", files)

    problems = evidence.verify_pack(tmp_path / "p.zip")

    assert len(problems) == 1 and "but the manifest records seq" in problems[0]


def test_verify_finds_a_missing_or_extra_file(learner_with_work, tmp_path):
    files = unzip(evidence.build_pack(learner_with_work[0]))
    without = {k: v for k, v in files.items() if k != "xapi.jsonl"}
    rezip(tmp_path / "missing.zip", without)
    rezip(tmp_path / "extra.zip", {**files, "notes.txt": b"hello"})
    rezip(tmp_path / "no-manifest.zip", {k: v for k, v in files.items() if k != "manifest.json"})
    (tmp_path / "not.zip").write_bytes(b"not a zip")

    assert evidence.verify_pack(tmp_path / "missing.zip") == ["xapi.jsonl: missing from the pack"]
    assert evidence.verify_pack(tmp_path / "extra.zip") == [
        "notes.txt: an extra file not listed in the manifest"
    ]
    assert "manifest.json is missing" in evidence.verify_pack(tmp_path / "no-manifest.zip")[0]
    assert "not a readable ZIP file" in evidence.verify_pack(tmp_path / "not.zip")[0]


def test_verify_says_why_a_manifest_cannot_be_read(learner_with_work, tmp_path):
    files = unzip(evidence.build_pack(learner_with_work[0]))
    manifest = json.loads(files["manifest.json"])
    broken = {
        "not-json.zip": b"{the manifest",
        "a-list.zip": b"[]",
        "no-files.zip": json.dumps({**manifest, "files": None}).encode(),
        "bad-entry.zip": json.dumps({**manifest, "files": {"report.pdf": "abc"}}).encode(),
    }
    for name, data in broken.items():
        rezip(tmp_path / name, {**files, "manifest.json": data})

    for name in broken:
        problems = evidence.verify_pack(tmp_path / name)
        assert len(problems) == 1 and problems[0].startswith("manifest.json cannot be read: ")
    assert "its list of files is malformed" in evidence.verify_pack(tmp_path / "bad-entry.zip")[0]


def test_verify_finds_a_log_that_is_not_json_or_not_laid_out_as_one(learner_with_work, tmp_path):
    files = unzip(evidence.build_pack(learner_with_work[0]))
    files["action_log.json"] = b"{not json"
    reseal(files, "action_log.json")
    rezip(tmp_path / "not-json.zip", files)
    files["action_log.json"] = b"[]"
    reseal(files, "action_log.json")
    rezip(tmp_path / "a-list.zip", files)

    not_json = evidence.verify_pack(tmp_path / "not-json.zip")
    assert len(not_json) == 1 and not_json[0].startswith("action_log.json: not valid JSON (")
    assert evidence.verify_pack(tmp_path / "a-list.zip") == [
        "action_log.json: not laid out as an evidence pack's log"
    ]


def test_verify_finds_a_file_that_appears_twice(learner_with_work, tmp_path):
    files = unzip(evidence.build_pack(learner_with_work[0]))
    rezip(tmp_path / "p.zip", files)
    with (
        pytest.warns(UserWarning, match="Duplicate name"),
        zipfile.ZipFile(tmp_path / "p.zip", "a") as zf,
    ):
        zf.writestr("report.pdf", files["report.pdf"])

    assert evidence.verify_pack(tmp_path / "p.zip") == ["report.pdf: appears more than once"]


def test_the_export_and_verify_commands(cli, learner_with_work, tmp_path):
    exported = cli.invoke(
        args=["evidence", "export", "--learner", "Ada.Lovelace@college.example", "--out", tmp_path]
    )
    assert exported.exit_code == 0, exported.output
    path = tmp_path / evidence.pack_filename(learner_with_work[0])
    assert exported.output.strip() == str(path) and path.exists()

    verified = cli.invoke(args=["evidence", "verify", str(path)])
    assert verified.exit_code == 0 and "verified" in verified.output

    files = unzip(path.read_bytes())
    rezip(path, {k: v for k, v in files.items() if k != "action_log.csv"})
    refused = cli.invoke(args=["evidence", "verify", str(path)])
    assert refused.exit_code == 1
    assert "action_log.csv: missing from the pack" in refused.output
    assert "NOT verified: 1 problem(s)." in refused.output


def test_exporting_an_unknown_learner_fails_clearly(cli, create_user, tmp_path):
    tutor = create_user(Role.TUTOR)
    out = tmp_path / "packs"
    for email in ("nobody@college.example", tutor.email):
        result = cli.invoke(args=["evidence", "export", "--learner", email, "--out", out])
        assert result.exit_code == 1
        assert f"no learner account with the email {email}" in result.output
    assert not out.exists()


def test_a_very_long_comment_runs_over_pages_in_the_report(learner_with_work):
    learner, assessed, _ = learner_with_work
    judgement = db.session.get(Judgement, 1)
    db.session.add(
        Judgement(
            attempt_id=assessed.id,
            criterion_id="focus.ac4",
            decision="met",
            comment="Thorough work. " * 600,
            assessor_id=judgement.assessor_id,
        )
    )
    db.session.commit()
    text = pdf_text(unzip(evidence.build_pack(learner))["report.pdf"])

    assert text.count("Thorough work.") == 600


def test_a_learner_with_no_attempts_gets_a_pack_that_verifies(create_user, tmp_path):
    # In no group, so the pack maps the default body's criteria (criteria.DEFAULT_BODY).
    learner = create_user(Role.LEARNER, name="Newly Enrolled")
    path = evidence.write_pack(learner, tmp_path)
    text = pdf_text(unzip(path.read_bytes())["report.pdf"])

    assert evidence.verify_pack(path) == []
    assert "Newly Enrolled" in text and "generic.ac1" in text and "not started" in text


def test_a_learner_downloads_their_own_evidence_pack(client, auth, create_user):
    import io
    import zipfile

    from crm_sandbox.models import Role

    learner = create_user(Role.LEARNER, name="Pat Download")
    auth.login(learner.email)
    response = client.get("/learner/evidence.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert {
        "report.pdf",
        "action_log.csv",
        "action_log.json",
        "xapi.jsonl",
        "manifest.json",
    } <= set(names)


# ---------------------------------------------------------------- keyed checkpoints


def test_the_pack_carries_each_heads_keyed_checkpoint_and_verifies_with_the_key(
    learner_with_work, tmp_path
):
    learner, assessed, _ = learner_with_work
    path = evidence.write_pack(learner, tmp_path)
    manifest = json.loads(unzip(path.read_bytes())["manifest.json"])
    heads = {a["attempt_id"]: a for a in manifest["attempts"]}

    assert heads[assessed.id]["log_mac"] == assessed.sandbox.log_mac
    assert evidence.verify_pack(path, action_log.log_key()) == []
    assert evidence.verify_pack(path, b"another key entirely, 32 bytes+") != []


def test_a_pack_exported_after_the_database_was_rehashed_fails_against_the_key(
    learner_with_work, tmp_path
):
    learner, assessed, _ = learner_with_work
    sandbox_id = assessed.sandbox.id
    rewrite_and_rehash(sandbox_id, 3, lambda p: {**p, "actor": "Someone else"})
    path = evidence.write_pack(learner, tmp_path)

    keyed = evidence.verify_pack(path, action_log.log_key())
    unkeyed = evidence.verify_pack(path)

    assert unkeyed == []  # the hashes alone cannot tell: that is what the key is for
    assert len(keyed) == 1
    assert keyed[0].startswith(f"action_log.json: sandbox {sandbox_id}: the chain's head (seq ")
    assert "does not match its keyed checkpoint" in keyed[0]


def test_a_pack_edited_rehashed_and_resealed_fails_against_the_key(learner_with_work, tmp_path):
    learner, assessed, _ = learner_with_work
    files = unzip(evidence.build_pack(learner))
    log = json.loads(files["action_log.json"])
    sandbox = next(s for s in log["sandboxes"] if s["sandbox_id"] == assessed.sandbox.id)
    sandbox["entries"][1]["verb"] = "complaint.closed"
    prev = sandbox["entries"][0]["entry_hash"]
    for raw in sandbox["entries"][1:]:  # re-hash the rest, as the code does
        raw["prev_hash"] = prev
        entry = _entry_from_json({**raw, "sandbox_id": sandbox["sandbox_id"]})
        raw["entry_hash"] = prev = action_log.compute_entry_hash(entry)
    sandbox["log_head"] = prev
    files["action_log.json"] = json.dumps(log).encode()
    manifest = json.loads(files["manifest.json"])
    for attempt in manifest["attempts"]:
        if attempt["sandbox_id"] == sandbox["sandbox_id"]:
            attempt["log_head"] = prev
    files["manifest.json"] = json.dumps(manifest).encode()
    reseal(files, "action_log.json")
    rezip(tmp_path / "p.zip", files)

    assert evidence.verify_pack(tmp_path / "p.zip") == []
    keyed = evidence.verify_pack(tmp_path / "p.zip", action_log.log_key())
    assert len(keyed) == 1 and "does not match its keyed checkpoint" in keyed[0]


def test_a_pack_whose_checkpoint_was_removed_fails_against_the_key(learner_with_work, tmp_path):
    files = unzip(evidence.build_pack(learner_with_work[0]))
    log = json.loads(files["action_log.json"])
    log["sandboxes"][0]["log_mac"] = None
    files["action_log.json"] = json.dumps(log).encode()
    reseal(files, "action_log.json")
    rezip(tmp_path / "p.zip", files)

    problems = evidence.verify_pack(tmp_path / "p.zip", action_log.log_key())

    assert len(problems) == 1 and "has no keyed checkpoint" in problems[0]


def test_a_pack_of_erased_payloads_still_verifies_against_the_key(learner_with_work, tmp_path):
    learner = learner_with_work[0]
    personal_data.erase_learner(learner)
    db.session.commit()
    path = evidence.write_pack(learner, tmp_path)
    log = json.loads(unzip(path.read_bytes())["action_log.json"])
    assert any(e["payload"] is None for s in log["sandboxes"] for e in s["entries"])
    assert evidence.verify_pack(path, action_log.log_key()) == []


def test_the_verify_command_uses_the_key_a_key_file_or_says_it_checked_without(
    cli, learner_with_work, tmp_path
):
    path = evidence.write_pack(learner_with_work[0], tmp_path)
    key_file = tmp_path / "log_key"
    key_file.write_text(action_log.log_key().decode())
    wrong = tmp_path / "wrong_key"
    wrong.write_text("f" * 16 + "0123456789abcdef" * 3)

    assert cli.invoke(args=["evidence", "verify", str(path)]).exit_code == 0
    with_file = cli.invoke(args=["evidence", "verify", str(path), "--key-file", str(key_file)])
    assert with_file.exit_code == 0 and "NOT checked" not in with_file.output
    refused = cli.invoke(args=["evidence", "verify", str(path), "--key-file", str(wrong)])
    assert refused.exit_code == 1 and "keyed checkpoint" in refused.output
    unkeyed = cli.invoke(args=["evidence", "verify", str(path), "--no-key"])
    assert unkeyed.exit_code == 0 and "keyed checkpoints NOT checked" in unkeyed.output


def test_the_verify_command_without_any_key_says_how_to_give_one(app_factory, tmp_path):
    app = app_factory(LOG_KEY=None)
    app.cli.add_command(evidence_group)
    pack = tmp_path / "p.zip"
    rezip(pack, {"manifest.json": b"{}"})

    result = app.test_cli_runner().invoke(args=["evidence", "verify", str(pack)])

    assert result.exit_code == 1 and "No log key here" in result.output
    assert not (Path(app.instance_path) / "log_key").exists()


# ---------------------------------------------------------------- the report an EQA reads


def report_words(pack: bytes) -> str:
    """The report's text as poppler's pdftotext reads it, spaces and line breaks collapsed."""
    done = subprocess.run(
        ["pdftotext", "-", "-"],
        input=unzip(pack)["report.pdf"],
        capture_output=True,
        check=True,
    )
    return re.sub(r"\s+", " ", done.stdout.decode("utf-8"))


def test_the_report_quotes_the_learners_own_words_beside_the_numbered_criteria(
    learner_with_work,
):
    learner, assessed, _ = learner_with_work
    text = report_words(evidence.build_pack(learner))

    # The acknowledgement the learner wrote, and a call summary, whole and as typed.
    assert (
        "Sent the acknowledgement of complaint C-0011 to Grace Okafor by email, promising the "
        "next contact by Mon 9 Mar 2026, 17:00: “Dear Mrs Okafor, I am sorry your sofa did not "
        "arrive. I am looking into it now and will call you by 5pm today.”"
    ) in text
    assert (
        "Sent Grace Okafor an update on complaint C-0011 by phone call: “Called Mrs Okafor "
        "back: the van broke down on Saturday and nobody told her. I am arranging a new "
        "delivery and will call her with the slot within the hour.”"
    ) in text
    assert "root cause: “Van breakdown with no process to tell customers.”" in text
    # Beside the Focus Awards criteria, by the body's numbers, with the stable id small.
    task = text[text.index("Task 1: ") : text.index("Task 2: ")]
    assert "Criteria evidenced" in task and re.search(r"\b\d\.\d .+focus\.ac\d", task)
    assert "Passed: " in task  # the checks in words, not their ids
    for check in assessed.latest_results["tasks"][0]["checks"]:
        assert check["id"] not in task
    assert "interaction.logged" not in text and "complaint.resolved" not in text


def test_judgements_and_decisions_are_dated_in_real_time_with_the_assessors_name(
    learner_with_work,
):
    learner, assessed, _ = learner_with_work
    text = report_words(evidence.build_pack(learner))
    sandbox_year = f"{assessed.sandbox.clock_start:%Y}"

    assessment = text[text.index("Assessment Criterion") : text.index("The learner's declaration")]
    # judged at 10:05 on 20 March 2026 UTC (the fixture), before British Summer Time began
    assert (
        "Met Acknowledged within the procedure's time. Grace Hopper Fri 20 Mar 2026, 10:05 UTC"
        in assessment
    )
    assert "Decision: Met, signed by Grace Hopper on Fri 20 Mar 2026, 10:10 UTC" in assessment
    assert (
        "Earlier judgements" in assessment and "First look: acknowledgement unclear." in assessment
    )
    assert sandbox_year == "2026"  # the sandbox's own clock is never given as the judgement's


def test_a_summer_time_is_given_in_utc_and_uk_time():
    from crm_sandbox.services.evidence.pdf import real_time

    assert real_time(datetime(2026, 6, 20, 9, 0, tzinfo=UTC)) == (
        "Sat 20 Jun 2026, 09:00 UTC (10:00 UK time)"
    )
    assert real_time(datetime(2026, 12, 6, 9, 0, tzinfo=UTC)) == "Sun 6 Dec 2026, 09:00 UTC"


def test_the_declaration_is_printed_as_ticked_and_when(learner_with_work):
    learner, assessed, _ = learner_with_work
    text = report_words(evidence.build_pack(learner))

    assert f"“{DECLARATION}”" in re.sub(r"\s+", " ", text)
    assert "Ticked by Ada Lovelace when submitting the work on " in text


def test_a_brief_with_a_markdown_table_prints_a_table_not_pipes(app, create_user):
    learner = create_user(Role.LEARNER, name="Tess Table")
    scenario, source = library_source("listening-to-customers")
    assert "| Card |" in scenario.brief  # the brief's table, as the scenario writes it
    engine.start_attempt(learner, scenario, source)
    db.session.commit()
    report = unzip(evidence.build_pack(learner))["report.pdf"]
    lines = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=report, capture_output=True, check=True
    ).stdout.decode("utf-8")

    assert "Saturday's comment cards" in lines
    assert not [line for line in lines.splitlines() if "|" in line]
    assert "not run yet" in lines and "(0 run)" not in lines  # no check pressed yet
    assert re.search(r"Card +From +How was your visit\? \(1-5\) +Comments", lines)


def test_the_brief_renderer_makes_tables_lists_and_headings_of_markdown(app):
    from reportlab.platypus import Paragraph, Table

    from crm_sandbox.services.evidence.pdf import _Brief, _Report

    report = _Report(None)  # the brief needs only the report's styles and width
    report.width = 400
    story = _Brief(report).build(
        "## Who\n\n- one\n- **two**\n\n1. first\n2. second\n\n"
        "| A | B |\n|---|---|\n| 1 & 2 | <b> |\n"
    )
    kinds = [type(f).__name__ for f in story]
    assert kinds == ["Paragraph", "Paragraph", "Paragraph", "Paragraph", "Paragraph", "Table"]
    assert [f.bulletText for f in story[1:5] if isinstance(f, Paragraph)] == ["•", "•", "1.", "2."]
    table = story[-1]
    assert isinstance(table, Table)
    assert [c.getPlainText() for c in table._cellvalues[1]] == ["1 & 2", "<b>"]


def test_learner_text_with_markup_characters_and_long_text_prints_whole_and_as_typed(
    learner_with_work, ctx_for
):
    learner, _, in_progress = learner_with_work
    ctx = ctx_for(in_progress.sandbox, learner)
    customer = contacts.create_contact(ctx, {"first_name": "Amy", "last_name": "Ng"})
    long_tail = " ".join(f"word{n}" for n in range(150))
    interactions.log_interaction(
        ctx,
        customer,
        {
            "channel": "phone",
            "direction": "inbound",
            "initiative": "reactive",
            "summary": f"Typed <b>bold</b> & <i>more</i> then {long_tail} end.",
        },
    )
    db.session.commit()
    text = report_words(evidence.build_pack(learner))

    assert "Logged an inbound phone call with Amy Ng: “Typed <b>bold</b> & <i>more</i> then" in text
    # Wrapped over lines (and pages, where the table's header row repeats), never cut.
    places = [text.index(f" word{n} ") for n in range(150)]
    assert places == sorted(places) and text.index("word149 end.”") > places[-1]
