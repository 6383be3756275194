"""Sandboxes: copied from a template, scoped to their owner, reset to the very same rows."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm_sandbox import scoping
from crm_sandbox.extensions import db
from crm_sandbox.models import Contact, Interaction, Organisation, Role
from crm_sandbox.services import action_log, contacts, interactions, provisioning
from crm_sandbox.services.errors import ServiceError

from .conftest import TEST_DATABASE_URL, dispose, fresh_database_url, make_app


def dump(sandbox_id: int) -> dict[str, list[tuple]]:
    """Every row of a sandbox, minus the sandbox id and the real time it was created."""
    out = {}
    for table in provisioning.copied_tables():
        cols = [c for c in table.c if c.name not in ("sandbox_id", "created_at")]
        rows = db.session.execute(
            select(*cols).where(table.c.sandbox_id == sandbox_id).order_by(table.c.id)
        ).all()
        out[table.name] = [tuple(r) for r in rows]
    return out


def without_ids(rows: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    return {name: [r[1:] for r in table_rows] for name, table_rows in rows.items()}


def content(sandbox_id: int) -> dict[str, list[tuple]]:
    """A sandbox's rows without ids and foreign keys (which a copy shifts)."""
    out = {}
    for table in provisioning.copied_tables():
        cols = [c for c in table.c if c.name not in ("id", "sandbox_id") and not c.foreign_keys]
        rows = db.session.execute(
            select(*cols).where(table.c.sandbox_id == sandbox_id).order_by(table.c.id)
        ).all()
        out[table.name] = [tuple(r) for r in rows]
    return out


def test_a_sandbox_is_a_full_copy_of_its_template(provision):
    sandbox = provision()
    mine = content(sandbox.id)
    assert len(mine["contacts"]) >= 40 and len(mine["interactions"]) >= 100
    assert len(mine["organisations"]) == 1
    assert mine == content(sandbox.template_id)


def test_foreign_keys_point_inside_the_copy(provision):
    sandbox = provision()
    own_contacts = set(
        db.session.scalars(select(Contact.id).where(Contact.sandbox_id == sandbox.id))
    )
    referenced = set(
        db.session.scalars(
            select(Interaction.contact_id).where(Interaction.sandbox_id == sandbox.id)
        )
    )
    assert referenced and referenced <= own_contacts


def test_a_group_gets_sandboxes_copied_together_each_a_full_copy_of_its_own(
    provision, create_user, ctx_for
):
    single = provision()  # provisioned alone before, so the group's ids come after its rows
    learners = [create_user(Role.LEARNER) for _ in range(3)]
    made = provisioning.provision_missing([*learners, single.owner], size="small")
    db.session.commit()
    assert made == 3
    group = [provisioning.practice_sandbox(learner) for learner in learners]
    template = content(single.template_id)
    seen_contacts: set[int] = set()
    for sandbox in group:
        assert content(sandbox.id) == template
        own = set(db.session.scalars(select(Contact.id).where(Contact.sandbox_id == sandbox.id)))
        referenced = set(
            db.session.scalars(
                select(Interaction.contact_id).where(Interaction.sandbox_id == sandbox.id)
            )
        )
        assert referenced and referenced <= own and not own & seen_contacts
        seen_contacts |= own
        log = action_log.entries(sandbox.id, newest_first=False)
        assert [e.verb for e in log] == ["sandbox.provisioned"]
        assert action_log.verify(sandbox.id).ok
    # a group member's sandbox resets to the very same rows, and the next copy comes after
    before = dump(group[1].id)
    ctx = ctx_for(group[1])
    contacts.create_contact(ctx, {"first_name": "New", "last_name": "Person"})
    provisioning.reset(ctx, "testing")
    later = provision()
    db.session.commit()
    assert dump(group[1].id) == before
    assert content(later.id) == template
    assert provisioning.provision_missing(learners, size="small") == 0


def test_the_template_is_generated_once_and_shared(provision):
    first, second = provision(), provision()
    assert first.template_id == second.template_id
    assert first.id_offsets != second.id_offsets


@pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="needs a second database (SQLite run)")
def test_the_same_seed_generates_the_same_sandbox_in_another_database(
    provision, tmp_path, database_template
):
    ours = without_ids(dump(provision(seed=7).template_id))
    (tmp_path / "other").mkdir()
    other = make_app(
        fresh_database_url(database_template, tmp_path / "other"), tmp_path / "other-instance"
    )
    try:
        with other.app_context():
            template = provisioning.get_or_create_template("retail", 7, "small")
            db.session.commit()
            theirs = without_ids(dump(template.id))
    finally:
        dispose(other)
    assert theirs == ours
    assert len(ours["contacts"]) >= 40


def contact_names(sandbox) -> set[str]:
    return set(
        db.session.scalars(select(Contact.sort_name).where(Contact.sandbox_id == sandbox.id))
    )


def test_different_seeds_give_different_customers(provision):
    a, b = provision(seed=1), provision(seed=2)
    assert contact_names(a) != contact_names(b)


def test_reset_restores_the_seed_exactly(provision, ctx_for):
    sandbox = provision()
    before = dump(sandbox.id)
    ctx = ctx_for(sandbox)
    customer = db.session.scalar(
        select(Contact)
        .where(Contact.sandbox_id == sandbox.id, Contact.category == "external")
        .limit(1)
    )
    contacts.update_contact(ctx, customer, {"first_name": "Changed"})
    contacts.add_need(ctx, customer, "A need added before the reset")
    contacts.create_contact(ctx, {"first_name": "New", "last_name": "Person"})
    interactions.log_interaction(
        ctx,
        customer,
        {
            "channel": "phone",
            "direction": "outbound",
            "initiative": "proactive",
            "summary": "Called to check all was well",
        },
    )
    db.session.commit()
    assert dump(sandbox.id) != before

    provisioning.reset(ctx, "testing")
    db.session.commit()
    assert dump(sandbox.id) == before
    log = [e.verb for e in action_log.entries(sandbox.id, newest_first=False)]
    assert log[0] == "sandbox.provisioned" and log[-1] == "sandbox.reset"
    assert action_log.verify(sandbox.id).ok


def test_a_scoped_session_sees_only_its_own_sandbox(provision):
    mine, theirs = provision(), provision(seed=2)
    theirs_contact = db.session.scalar(select(Contact.id).where(Contact.sandbox_id == theirs.id))
    scoping.enter_sandbox(mine.id)
    try:
        seen = {c.sandbox_id for c in db.session.scalars(select(Contact))}
        assert seen == {mine.id}
        assert db.session.scalar(select(Contact).where(Contact.id == theirs_contact)) is None
        orgs = list(db.session.scalars(select(Organisation)))
        assert [o.sandbox_id for o in orgs] == [mine.id]
    finally:
        scoping.leave_sandbox()


def test_provisioning_refuses_an_unknown_profile_or_size(app, create_user):
    learner = create_user(Role.LEARNER)
    for kwargs, message in (
        ({"profile": "zoo"}, "Unknown organisation profile"),
        ({"size": "huge"}, "Unknown size"),
    ):
        try:
            provisioning.provision(learner, **kwargs)
        except ServiceError as exc:
            assert message in exc.message
        else:
            raise AssertionError(kwargs)


def test_sandbox_provision_command_for_a_learner_and_a_group(runner, create_user, create_group):
    learners = [create_user(Role.LEARNER) for _ in range(3)]
    create_group("Tuesday", learners=learners)
    one = runner.invoke(
        args=["sandbox", "provision", "--learner", learners[0].email, "--size", "small"]
    )
    assert one.exit_code == 0, one.output
    assert "Provisioned 1 sandbox" in one.output
    group = runner.invoke(args=["sandbox", "provision", "--group", "Tuesday", "--size", "small"])
    assert group.exit_code == 0, group.output
    assert "Provisioned 2 sandboxes; 1 already had one." in group.output
    assert "Provisioning sandboxes" in group.output  # the progress bar
    for learner in learners:
        assert provisioning.practice_sandbox(learner) is not None


def test_sandbox_commands_explain_bad_arguments(runner, create_user):
    assert (
        "No learner account"
        in runner.invoke(
            args=["sandbox", "provision", "--learner", "ghost@college.example.org"]
        ).output
    )
    tutor = create_user(Role.TUTOR)
    result = runner.invoke(args=["sandbox", "provision", "--learner", tutor.email])
    assert result.exit_code == 1 and "No learner account" in result.output
    result = runner.invoke(args=["sandbox", "reset", "--learner", create_user().email])
    assert result.exit_code == 1 and "has no such sandbox" in result.output


def test_sandbox_reset_command(runner, provision, ctx_for):
    sandbox = provision()
    before = dump(sandbox.id)
    contacts.create_contact(ctx_for(sandbox), {"first_name": "Extra", "last_name": "Row"})
    db.session.commit()
    result = runner.invoke(args=["sandbox", "reset", "--learner", sandbox.owner.email])
    assert result.exit_code == 0, result.output
    db.session.rollback()
    assert dump(sandbox.id) == before
