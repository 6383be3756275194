"""`crm-sandbox sandbox provision`, `profiles` and `reset`: learners' practice sandboxes and
the organisation profiles they are seeded from."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from seed import profiles as seed_profiles

from ..extensions import db
from ..models import Sandbox
from ..services import provisioning
from ..services.context import SandboxContext
from ..services.errors import ServiceError
from ..wording import count_of
from .common import DATABASE_INT, _fail, _learners


@click.group("sandbox")
def sandbox_group():
    """Provision and reset learners' sandbox CRMs."""


@sandbox_group.command("provision")
@click.option("--learner", "learner_email", help="The learner's email.")
@click.option("--group", "group_name", help="Every learner in this group.")
@click.option("--profile", default=provisioning.DEFAULT_PROFILE, show_default=True)
@click.option("--seed", default=provisioning.DEFAULT_SEED, show_default=True, type=DATABASE_INT)
@click.option(
    "--size",
    default=provisioning.DEFAULT_SIZE,
    show_default=True,
    type=click.Choice(provisioning.SIZES),
)
@click.option(
    "--in-background",
    is_flag=True,
    help="With --group: queue it for the worker (crm-sandbox worker) and return at once.",
)
@with_appcontext
def sandbox_provision(learner_email, group_name, profile, seed, size, in_background):
    """Give learners their practice sandbox (skipping those who have one)."""
    learners = _learners(learner_email, group_name)
    if in_background:
        if not group_name:
            _fail("--in-background works with --group.")
        from ..services import groups
        from ..tasks import kinds

        group = groups.find_group(group_name)
        job = kinds.ask_provisioning(None, group, profile=profile, seed=seed, size=size)
        db.session.commit()
        click.echo(f"Queued as task #{job.id} ({job.status}); see Admin > Tasks.")
        return
    try:
        with click.progressbar(
            length=len(learners), label="Provisioning sandboxes", file=sys.stderr, show_pos=True
        ) as bar:
            # copied together, a class at a time (one transaction, committed below)
            made = provisioning.provision_missing(
                learners, profile=profile, seed=seed, size=size, progress=bar.update
            )
            bar.update(len(learners) - made)  # those who already had one
    except ServiceError as exc:
        db.session.rollback()
        _fail(exc.message)
    db.session.commit()
    click.echo(f"Provisioned {count_of(made, 'sandbox')}; {len(learners) - made} already had one.")


@sandbox_group.command("profiles")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def sandbox_profiles(paths):
    """Check organisation profile files (every shipped one if none are given): one line per
    profile, or one per problem (file:line: field: message); exit 1 if any has a problem."""
    bad = 0
    for path in paths or seed_profiles.profile_files():
        try:
            profile = seed_profiles.load_file(path)
        except seed_profiles.ProfileError as exc:
            bad += 1
            for problem in exc.problems:
                click.echo(str(problem))
            continue
        click.echo(
            f"{path.name}: ok ({profile.key}: {profile.name}, "
            f"{len(profile.departments)} departments)"
        )
    if bad:
        sys.exit(1)


@sandbox_group.command("reset")
@click.option("--learner", "learner_email", required=True, help="The learner's email.")
@click.option(
    "--sandbox", "sandbox_id", type=DATABASE_INT, help="Which sandbox (default: practice)."
)
@click.option("--reason", default="reset from the command line", show_default=True)
@with_appcontext
def sandbox_reset(learner_email, sandbox_id, reason):
    """Put a learner's sandbox back to its starting state."""
    learner = _learners(learner_email, None)[0]
    sandbox = (
        db.session.get(Sandbox, sandbox_id)
        if sandbox_id
        else provisioning.practice_sandbox(learner)
    )
    if sandbox is None or sandbox.owner_id != learner.id:
        _fail(f"{learner.email} has no such sandbox.")
    try:
        provisioning.reset(SandboxContext(sandbox, None, "Command line"), reason)
    except ServiceError as exc:
        db.session.rollback()
        _fail(exc.message)
    db.session.commit()
    click.echo(f"Sandbox {sandbox.id} of {learner.email} is back to its starting state.")
