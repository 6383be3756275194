"""the learner's own clock: a scenario's clock runs on the learner's working time

attempts.started_at (the assignment time until now) is renamed assigned_at, and a new
nullable attempts.started_at means the learner's first opening: filled, for existing
attempts, with the real time of the learner's first action in the sandbox's log (NULL, not
started, when there is none). This deliberately rewrites started_at.

sandboxes gain clock_runs_on_work, clock_worked_seconds and clock_running (see
models/sandboxes.py). Every existing scenario sandbox is switched to the worked clock, paused
at the time it reads now; one whose learner has not started and where no scenario event has
happened yet goes back to the scenario's start, so its learner starts there on first opening.

Columns are added and renamed with ALTER TABLE (no table is copied: on SQLite, with foreign
keys on, recreating sandboxes or attempts would cascade into their children).

Revision ID: be4e3c1c5d14
Revises: 10564f8d56d2
Create Date: 2026-12-06 01:40:00

"""
import json
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'be4e3c1c5d14'
down_revision = '10564f8d56d2'
branch_labels = None
depends_on = None


def upgrade():
    op.execute('ALTER TABLE attempts RENAME COLUMN started_at TO assigned_at')
    # op.add_column, not a batch: a batch copies the table on SQLite.
    op.add_column('attempts', sa.Column('started_at', sa.DateTime(), nullable=True))
    op.add_column('sandboxes', sa.Column(
        'clock_runs_on_work', sa.Boolean(), server_default=sa.false(), nullable=False
    ))
    op.add_column('sandboxes', sa.Column(
        'clock_worked_seconds', sa.Integer(), server_default='0', nullable=False
    ))
    op.add_column('sandboxes', sa.Column(
        'clock_running', sa.Boolean(), server_default=sa.false(), nullable=False
    ))
    conn = op.get_bind()
    conn.execute(sa.text(
        'UPDATE attempts SET started_at = ('
        ' SELECT min(action_log.real_time) FROM action_log'
        ' WHERE action_log.sandbox_id = attempts.sandbox_id'
        ' AND action_log.actor_id = attempts.learner_id)'
    ))
    now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)  # naive UTC, as stored
    rows = conn.execute(sa.text(
        'SELECT sandboxes.id, sandboxes.clock_anchor, attempts.started_at, attempts.fired_events'
        ' FROM sandboxes JOIN attempts ON attempts.sandbox_id = sandboxes.id'
        " WHERE sandboxes.kind = 'assignment'"
    )).all()
    for sandbox_id, anchor, started_at, fired in rows:
        if isinstance(anchor, str):  # SQLite without the model's type
            anchor = datetime.fromisoformat(anchor)
        if isinstance(fired, str):
            fired = json.loads(fired)
        worked = max(0, int((now - anchor).total_seconds()))
        if started_at is None and not fired:
            worked = 0
        conn.execute(
            sa.text(
                'UPDATE sandboxes SET clock_runs_on_work = :yes, clock_running = :no,'
                ' clock_worked_seconds = :worked, clock_anchor = :now WHERE id = :id'
            ),
            {'yes': True, 'no': False, 'worked': worked, 'now': now, 'id': sandbox_id},
        )


def downgrade():
    # Native DROP COLUMN (SQLite 3.35+, PostgreSQL): no table is copied.
    for column in ('clock_running', 'clock_worked_seconds', 'clock_runs_on_work'):
        op.execute(f'ALTER TABLE sandboxes DROP COLUMN {column}')
    op.execute('ALTER TABLE attempts DROP COLUMN started_at')
    op.execute('ALTER TABLE attempts RENAME COLUMN assigned_at TO started_at')
