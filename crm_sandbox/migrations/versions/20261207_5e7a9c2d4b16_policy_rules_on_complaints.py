"""policy (helper policy): a complaint records the policy rule that decides its resolution, the
procedure's escalation reason by number (and the amount asked for), and which policy or
procedure its lesson learned changes, and how

complaints gain policy_rule, escalation_rule, escalation_amount, lessons_policy and
lessons_change. Columns are added with ALTER TABLE (no table is copied on SQLite).

Revision ID: 5e7a9c2d4b16
Revises: 7c1d2e3f4a5b
Create Date: 2026-12-07 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e7a9c2d4b16'
down_revision = '7c1d2e3f4a5b'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('complaints', sa.Column(
        'policy_rule', sa.String(length=40), server_default='', nullable=False
    ))
    op.add_column('complaints', sa.Column('escalation_rule', sa.Integer(), nullable=True))
    op.add_column('complaints', sa.Column(
        'escalation_amount', sa.String(length=20), server_default='', nullable=False
    ))
    op.add_column('complaints', sa.Column(
        'lessons_policy', sa.String(length=40), server_default='', nullable=False
    ))
    op.add_column('complaints', sa.Column(
        'lessons_change', sa.String(length=20), server_default='', nullable=False
    ))


def downgrade():
    # ALTER TABLE ... DROP COLUMN, not a batch: a batch copies complaints on SQLite, which the
    # foreign keys of its children refuse.
    for column in (
        'lessons_change', 'lessons_policy', 'escalation_amount', 'escalation_rule', 'policy_rule'
    ):
        op.execute(f'ALTER TABLE complaints DROP COLUMN {column}')
