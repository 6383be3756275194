"""feedback: an improvement action's measure, structured (helper feedback)

improvement_actions gains `measure` (JSON): what the CRM computes to judge the change (a
collection's question and figure, with segment and option, or a standard's compliance), the
learner's aim (higher or lower is better), the baseline the CRM computed when the action was
planned and the figure it computed for the period after the change when it was evaluated,
beside the figures the learner stated. Added with ALTER TABLE (no batch copy).

Revision ID: f3edb4c2a1d9
Revises: 5d7e1f2a3b4c
Create Date: 2026-12-07 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3edb4c2a1d9'
down_revision = '5d7e1f2a3b4c'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('improvement_actions', sa.Column('measure', sa.JSON(), nullable=True))


def downgrade():
    op.execute('ALTER TABLE improvement_actions DROP COLUMN measure')
