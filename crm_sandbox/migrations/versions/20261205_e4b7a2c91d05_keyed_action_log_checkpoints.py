"""keyed checkpoints of each sandbox's action-log head (sandboxes.log_mac)

`log_mac` = HMAC-SHA256(log key, sandbox id, log_seq, log_head), rewritten with every entry.
The key is kept outside the database, so a chain edited and re-hashed through the database
alone ends in a head without a matching checkpoint. Logs written before this migration are
checkpointed here, as they stand (what was changed before the upgrade is caught only by the
unkeyed chain, as before).

Revision ID: e4b7a2c91d05
Revises: d3a8f0b1c2e4
Create Date: 2026-12-05 23:30:00

"""
from alembic import context, op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e4b7a2c91d05'
down_revision = 'd3a8f0b1c2e4'
branch_labels = None
depends_on = None


# Plain ALTER TABLE, never a batch copy: on SQLite a batch move drops the sandboxes table,
# and with foreign keys on that deletes (cascades to) every action-log entry.


def upgrade():
    op.add_column('sandboxes', sa.Column('log_mac', sa.String(length=64), nullable=True))
    if context.is_offline_mode():
        return  # no rows to read: `crm-sandbox log verify` reports logs left without one
    from crm_sandbox.services.action_log import head_mac, log_key

    sandboxes = sa.table(
        'sandboxes',
        sa.column('id', sa.Integer),
        sa.column('log_seq', sa.Integer),
        sa.column('log_head', sa.String),
        sa.column('log_mac', sa.String),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(sandboxes.c.id, sandboxes.c.log_seq, sandboxes.c.log_head).where(
            sandboxes.c.log_seq > 0
        )
    ).all()
    if not rows:
        return
    key = log_key()
    bind.execute(
        sandboxes.update()
        .where(sandboxes.c.id == sa.bindparam('sid'))
        .values(log_mac=sa.bindparam('mac')),
        [{'sid': r.id, 'mac': head_mac(key, r.id, r.log_seq, r.log_head)} for r in rows],
    )


def downgrade():
    op.execute('ALTER TABLE sandboxes DROP COLUMN log_mac')  # SQLite 3.35+ and PostgreSQL
