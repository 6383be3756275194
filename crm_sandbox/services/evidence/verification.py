"""Checking a pack later, without our database: every file against the manifest's hashes,
each sandbox's hash chain against the heads recorded in the log and the manifest, and, given
the log key, each head against its keyed checkpoint (so a re-hashed chain is caught).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

from ..action_log import GENESIS, canonical_json, compute_entry_hash, head_mac_matches
from .exports import CONTENT_FILES, JSON_NAME, MANIFEST_NAME, _sha256

MAX_PACK_BYTES = 512 * 1024 * 1024  # verify refuses larger contents rather than filling memory


def _entry_from_json(raw: dict) -> SimpleNamespace:
    """An entry rebuilt from the JSON, with what compute_entry_hash reads (no database)."""
    return SimpleNamespace(
        sandbox_id=raw["sandbox_id"],
        seq=raw["seq"],
        actor_id=raw["actor_id"],
        real_time=datetime.fromisoformat(raw["real_time"]),
        sandbox_time=datetime.fromisoformat(raw["sandbox_time"]),
        verb=raw["verb"],
        object_type=raw["object_type"],
        object_id=raw["object_id"],
        payload=raw.get("payload"),
        payload_hash=raw["payload_hash"],
        prev_hash=raw["prev_hash"],
        entry_hash=raw["entry_hash"],
    )


def _verify_chain(sandbox: dict) -> tuple[list[str], int, str]:
    """Problems in one sandbox's entries, and where the chain ends (count, head)."""
    label = f"{JSON_NAME}: sandbox {sandbox.get('sandbox_id')}"
    prev_hash, count = GENESIS, 0
    for raw in sandbox.get("entries", []):
        try:
            entry = _entry_from_json({**raw, "sandbox_id": sandbox["sandbox_id"]})
        except (KeyError, TypeError, ValueError) as exc:
            return [f"{label}: entry {count + 1} is incomplete or malformed ({exc})"], count, ""
        where = f"{label}: entry seq {entry.seq}"
        if entry.seq != count + 1:
            return [f"{where}: expected seq {count + 1} (an entry was removed or moved)"], count, ""
        if entry.prev_hash != prev_hash:
            return [f"{where}: does not follow the entry before it"], count, ""
        if entry.payload is not None and (
            hashlib.sha256(canonical_json(entry.payload).encode("utf-8")).hexdigest()
            != entry.payload_hash
        ):
            return [f"{where}: its recorded values were changed"], count, ""
        if compute_entry_hash(entry) != entry.entry_hash:
            return [f"{where}: its contents were changed"], count, ""
        prev_hash, count = entry.entry_hash, count + 1
    problems = []
    if (sandbox.get("log_seq"), sandbox.get("log_head")) != (count, prev_hash):
        problems.append(
            f"{label}: the chain ends at seq {count}, not at the recorded head "
            f"seq {sandbox.get('log_seq')}"
        )
    return problems, count, prev_hash


def _check_chains(log: dict, manifest: dict, key: bytes | None = None) -> list[str]:
    problems = []
    heads = {a.get("sandbox_id"): a for a in manifest.get("attempts", []) if isinstance(a, dict)}
    seen = set()
    for sandbox in log.get("sandboxes", []):
        if not isinstance(sandbox, dict):
            problems.append(f"{JSON_NAME}: a sandbox's log is malformed")
            continue
        sandbox_id = sandbox.get("sandbox_id")
        seen.add(sandbox_id)
        found, count, head = _verify_chain(sandbox)
        problems += found
        expected = heads.get(sandbox_id)
        if expected is None:
            problems.append(f"{JSON_NAME}: sandbox {sandbox_id} is not in the manifest")
        elif not found and (expected.get("log_seq"), expected.get("log_head")) != (count, head):
            problems.append(
                f"{JSON_NAME}: sandbox {sandbox_id} ends at seq {count}, but the manifest "
                f"records seq {expected.get('log_seq')} ending in "
                f"{str(expected.get('log_head'))[:12]}…"
            )
        elif not found and key is not None and count:
            problems += _check_checkpoint(key, sandbox, expected, count, head)
    for sandbox_id in heads:
        if sandbox_id not in seen:
            problems.append(f"{JSON_NAME}: the log of sandbox {sandbox_id} is missing")
    return problems


def _check_checkpoint(key: bytes, sandbox: dict, expected: dict, count: int, head: str):
    """The head's keyed checkpoint, in the log and in the manifest, against the key."""
    sandbox_id = sandbox.get("sandbox_id")
    where = f"sandbox {sandbox_id}: the chain's head (seq {count}, {head[:12]}…)"
    if not isinstance(sandbox_id, int):
        return [f"{JSON_NAME}: a sandbox's id is malformed"]
    for name, mac in (
        (JSON_NAME, sandbox.get("log_mac")),
        (MANIFEST_NAME, expected.get("log_mac")),
    ):
        if not mac:
            return [f"{name}: {where} has no keyed checkpoint"]
        if not head_mac_matches(key, sandbox_id, count, head, mac):
            return [
                f"{name}: {where} does not match its keyed checkpoint (the log was "
                "re-hashed without the log key, or this is not the key it was written with)"
            ]
    return []


def _read_manifest(zf: zipfile.ZipFile) -> dict:
    """The pack's manifest; raises (ValueError, KeyError, TypeError) when it cannot be read or
    its list of files is malformed."""
    manifest = json.loads(zf.read(MANIFEST_NAME))
    listed = manifest["files"]
    if not isinstance(listed, dict) or not all(isinstance(item, dict) for item in listed.values()):
        raise TypeError("its list of files is malformed")
    return manifest


def _check_files(
    zf: zipfile.ZipFile, names: list[str], listed: dict
) -> tuple[dict[str, bytes], list[str]]:
    """Each file against the manifest's hash and size, and files the manifest does not list;
    with the contents read, for the checks that follow."""
    problems = []
    contents: dict[str, bytes] = {}
    for name in sorted(set(listed) | set(CONTENT_FILES)):
        if name not in names:
            problems.append(f"{name}: missing from the pack")
            continue
        try:
            data = contents[name] = zf.read(name)
        except (zipfile.BadZipFile, OSError) as exc:  # a damaged compressed member
            problems.append(f"{name}: cannot be read ({exc})")
            continue
        expected = listed.get(name)
        if expected is None:
            problems.append(f"{name}: not listed in the manifest")
        elif _sha256(data) != expected.get("sha256") or len(data) != expected.get("size"):
            problems.append(f"{name}: does not match the hash in the manifest (changed)")
    for name in sorted(set(names) - set(listed) - {MANIFEST_NAME} - set(CONTENT_FILES)):
        problems.append(f"{name}: an extra file not listed in the manifest")
    return contents, problems


def _check_log(data: bytes, manifest: dict, key: bytes | None) -> list[str]:
    """The action log's chains against the manifest's heads (and, given the key, checkpoints)."""
    try:
        log = json.loads(data)
    except ValueError as exc:
        return [f"{JSON_NAME}: not valid JSON ({exc})"]
    if isinstance(log, dict) and isinstance(manifest.get("attempts", []), list):
        return _check_chains(log, manifest, key)
    return [f"{JSON_NAME}: not laid out as an evidence pack's log"]


def verify_pack(source: str | Path | io.IOBase, key: bytes | None = None) -> list[str]:
    """Problems with an evidence pack (empty when it is intact): files against the manifest's
    hashes, the action log's hash chain against the recorded heads, and, given the log key,
    each head against its keyed checkpoint. Needs no database."""
    try:
        zf = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        return [f"not a readable ZIP file: {exc}"]
    with zf:
        infos = zf.infolist()
        if sum(info.file_size for info in infos) > MAX_PACK_BYTES:
            return ["the pack is too large to verify"]
        names = [info.filename for info in infos]
        problems = [
            f"{name}: appears more than once"
            for name in sorted(set(names))
            if names.count(name) > 1
        ]
        if MANIFEST_NAME not in names:
            return problems + [f"{MANIFEST_NAME} is missing, so nothing can be checked"]
        try:
            manifest = _read_manifest(zf)
        except (ValueError, KeyError, TypeError, zipfile.BadZipFile) as exc:
            return problems + [f"{MANIFEST_NAME} cannot be read: {exc}"]
        contents, found = _check_files(zf, names, manifest["files"])
        problems += found
        if JSON_NAME in contents:
            problems += _check_log(contents[JSON_NAME], manifest, key)
    return problems
