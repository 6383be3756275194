"""The kinds of work the worker does, each keyed by the row it works on (so it runs once):

- "outbox"           outbox:<message id>         one message to another system (grade, xAPI)
- "import"           import:<import job id>      a CSV import's accounts (services/user_import)
- "provision-group"  provision-group:<group id>  practice sandboxes for a group's learners
- "group-packs"      group-packs:<group id>:<user id>  every learner's evidence pack, one ZIP

Each returns a small dict kept as the job's result, and records progress as it goes.
"""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from pathlib import Path

from flask import current_app
from huey.exceptions import CancelExecution, RetryTask
from sqlalchemy import event, select

from .. import database
from ..models import (
    BackgroundJob,
    Group,
    OutboxMessage,
    OutboxStatus,
    Sandbox,
    SandboxKind,
    User,
    db,
)
from ..models.base import utcnow
from ..services import background_jobs, evidence, groups, outbox, provisioning, user_import
from ..services.background_jobs import work
from ..services.errors import NotFound, ServiceError

PACKS_FOLDER = "group_packs"


# --- outbox --------------------------------------------------------------------------------


def _outbox_rerun(job: BackgroundJob) -> None:
    message = db.session.get(OutboxMessage, job.params.get("message_id"))
    if message is None:
        raise ServiceError("That message is no longer in the outbox.")
    try:
        outbox.retry(message)
    except ValueError as exc:
        raise ServiceError(str(exc)) from None


@work("outbox", "Message to another system (grade or xAPI statement)", _outbox_rerun)
def deliver_message(job: BackgroundJob, progress, secret) -> dict:
    message_id = job.params["message_id"]
    db.session.commit()
    outcome = outbox.deliver_one(message_id)
    message = db.session.get(OutboxMessage, message_id)
    if outcome == "retrying":
        wait = max((message.next_try_at - utcnow()).total_seconds(), 1.0)
        db.session.commit()
        # the outbox's own back-off (30 s doubling to an hour); never given up
        raise RetryTask(message.last_error or "the other system could not take it", delay=wait)
    if outcome == "failed":
        error = message.last_error or "refused"
        db.session.commit()
        raise CancelExecution(f"refused: {error}", retry=False)
    status = message.status if message is not None else "gone"
    db.session.commit()
    progress(1, 1)
    return {"outcome": outcome or f"nothing to send ({status})"}


def outbox_on_commit_enabled() -> bool:
    return bool(current_app.config.get("TASK_OUTBOX_ON_COMMIT", True))


_NEW_MESSAGES = "crm_new_outbox_messages"


@event.listens_for(db.session, "after_flush")
def _note_new_messages(session, flush_context) -> None:
    new = [obj for obj in session.new if isinstance(obj, OutboxMessage)]
    if new:
        session.info.setdefault(_NEW_MESSAGES, []).extend(new)


@event.listens_for(db.session, "before_commit")
def _queue_new_messages(session) -> None:
    """A delivery job for each outbox message this transaction made, in the same transaction:
    the queue hears of it after the commit (services/background_jobs)."""
    session.flush()
    messages = session.info.pop(_NEW_MESSAGES, None)
    if not messages or not outbox_on_commit_enabled():
        return
    for message in messages:
        if message.status != OutboxStatus.PENDING.value or message.id is None:
            continue
        background_jobs.start(
            "outbox",
            f"outbox:{message.id}",
            summary=message.summary or message.kind,
            group_id=message.group_id,
            total=1,
            params={"message_id": message.id},
        )


@event.listens_for(db.session, "after_soft_rollback")
def _forget_new_messages(session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_NEW_MESSAGES, None)


# --- CSV imports ---------------------------------------------------------------------------


def _import_rerun(job: BackgroundJob) -> None:
    raise ServiceError(
        "An import cannot be run again: the secret its first passwords come from is not kept. "
        "Ask the tutor to upload the file again."
    )


@work("import", "Import of accounts from a CSV file", _import_rerun)
def run_import(job: BackgroundJob, progress, secret) -> dict:
    import_job_id = job.params["import_job_id"]
    db.session.commit()
    if not secret:
        raise CancelExecution(
            "the import's secret did not reach the worker; upload the file again", retry=False
        )
    try:
        user_import.run_job(import_job_id, bytes.fromhex(secret), on_progress=progress)
    except Exception as exc:  # run_job recorded the import as failed: trying again won't help
        raise CancelExecution(f"the import stopped: {exc}", retry=False) from exc
    from ..models import ImportJob

    found = db.session.get(ImportJob, import_job_id)
    status = found.status if found is not None else "gone"
    db.session.commit()
    return {"import_job_id": import_job_id, "status": status}


# --- provisioning a group ------------------------------------------------------------------


def provision_key(group_id: int) -> str:
    return f"provision-group:{group_id}"


def _group_for(job: BackgroundJob, viewer: User | None):
    if viewer is None:
        raise CancelExecution("the person who asked for it no longer exists", retry=False)
    try:
        return groups.get_group(viewer, job.group_id)
    except NotFound:
        raise CancelExecution(f"{viewer.name} may no longer see that group", retry=False) from None


@work("provision-group", "Practice sandboxes for a group's learners")
def provision_group(job: BackgroundJob, progress, secret) -> dict:
    """Practice sandboxes for the group's learners who have none, a batch at a time, each
    batch committed (so a retry or a second run carries on where this one stopped)."""
    starter = db.session.get(User, job.started_by_id) if job.started_by_id else None
    if job.started_by_id is None:  # asked for on the command line
        group = db.session.get(Group, job.group_id)
        if group is None:
            raise CancelExecution("the group no longer exists", retry=False)
    else:
        group = _group_for(job, starter)
    params = job.params
    learner_ids = [u.id for u in group.learners]
    db.session.commit()
    total, made = len(learner_ids), 0
    progress(0, total)
    for start in range(0, total, provisioning.GROUP_BATCH):
        batch_ids = learner_ids[start : start + provisioning.GROUP_BATCH]
        with database.write_transactions():
            having = set(
                db.session.scalars(
                    select(Sandbox.owner_id).where(
                        Sandbox.owner_id.in_(batch_ids),
                        Sandbox.kind == SandboxKind.PRACTICE.value,
                    )
                )
            )
            missing = [db.session.get(User, i) for i in batch_ids if i not in having]
            if missing:
                provisioning.provision_group(
                    missing,
                    profile=params.get("profile", provisioning.DEFAULT_PROFILE),
                    seed=params.get("seed", provisioning.DEFAULT_SEED),
                    size=params.get("size", provisioning.DEFAULT_SIZE),
                    actor=starter,
                )
            db.session.commit()
        made += len(missing)
        progress(min(start + len(batch_ids), total), total)
    return {"made": made, "had": total - made}


# --- every learner's evidence pack ---------------------------------------------------------


def packs_key(group_id: int, user_id: int) -> str:
    return f"group-packs:{group_id}:{user_id}"


def packs_path(job: BackgroundJob) -> Path:
    return Path(current_app.instance_path) / PACKS_FOLDER / f"{job.id}.zip"


def packs_filename(group_name: str, on=None) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", group_name).strip("_") or "group"
    return f"evidence-packs-{safe}-{(on or utcnow()).date().isoformat()}.zip"


@work("group-packs", "Evidence packs for a whole group")
def build_group_packs(job: BackgroundJob, progress, secret) -> dict:
    """One ZIP holding each learner's evidence pack as its builder may see it (the person who
    asked: a tutor or assessor sees only their groups' work), written into the instance folder
    and replaced whole (a second run writes the same file again)."""
    viewer = db.session.get(User, job.started_by_id) if job.started_by_id else None
    group = _group_for(job, viewer)
    learners = sorted(group.learners, key=lambda u: (u.name.lower(), u.id))
    group_name = group.name
    total = len(learners)
    progress(0, total)
    path = packs_path(job)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as zf:  # packs are ZIPs already
            for done, learner in enumerate(learners, start=1):
                viewer = db.session.get(User, job.started_by_id)
                learner = db.session.get(User, learner.id)
                zf.writestr(evidence.pack_filename(learner), evidence.build_pack(learner, viewer))
                db.session.rollback()  # read only; ends the read before progress is written
                progress(done, total)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return {"filename": packs_filename(group_name), "learners": total, "bytes": path.stat().st_size}


# --- asking for work (the pages call these in their transaction) ----------------------------


def ask_provisioning(viewer: User | None, group, **options) -> BackgroundJob:
    """Practice sandboxes for every learner of `group` who has none, by the worker (`viewer`
    None: the command line). `options`: profile, seed, size."""
    if not group.learners:
        raise ServiceError("This group has no learners yet.")
    return background_jobs.start(
        "provision-group",
        provision_key(group.id),
        summary=f"Practice sandboxes for {group.name}",
        started_by=viewer,
        group_id=group.id,
        total=len(group.learners),
        params=options,
    )


def ask_group_packs(viewer: User, group) -> BackgroundJob:
    """Every learner's evidence pack in one ZIP, as `viewer` may see them, by the worker."""
    if not group.learners:
        raise ServiceError("This group has no learners yet.")
    return background_jobs.start(
        "group-packs",
        packs_key(group.id, viewer.id),
        summary=f"Evidence packs for {group.name}",
        started_by=viewer,
        group_id=group.id,
        total=len(group.learners),
    )


def packs_download(viewer: User, job: BackgroundJob) -> tuple[Path, str]:
    """The finished ZIP of a group-packs job and its download name: only for the person who
    asked for it, while they may still see the group. NotFound otherwise."""
    if job.kind != "group-packs" or job.status != "done" or job.started_by_id != viewer.id:
        raise NotFound("No such file.")
    groups.get_group(viewer, job.group_id)
    path = packs_path(job)
    if not path.exists():
        raise NotFound("The file is gone: build the packs again.")
    return path, job.result.get("filename") or path.name
