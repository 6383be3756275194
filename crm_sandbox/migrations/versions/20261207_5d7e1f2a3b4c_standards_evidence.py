"""standards evidence (helper standards): method, agreeing reply, a finding's two sets of figures

service_standards gain method (how a manual measure is taken: who counts what, from which
records, how often) and agreed_reply_id (the customer's reply agreeing the standard as it
stood). standard_findings gain the figures the learner stated (stated_value, stated_cases,
stated_breaches, from_crm when they chose the CRM's figures) beside the ones the CRM computed
for the period the finding covers (computed_value, computed_cases, computed_breaches).

Columns are added with ALTER TABLE, never a batch copy.

Revision ID: 5d7e1f2a3b4c
Revises: 5e7a9c2d4b16
Create Date: 2026-12-07 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d7e1f2a3b4c'
down_revision = '5e7a9c2d4b16'
branch_labels = None
depends_on = None


FINDING_COLUMNS = (
    ('stated_value', sa.Float()),
    ('stated_cases', sa.Integer()),
    ('stated_breaches', sa.Integer()),
    ('computed_value', sa.Float()),
    ('computed_cases', sa.Integer()),
    ('computed_breaches', sa.Integer()),
)


def upgrade():
    op.add_column(
        'service_standards', sa.Column('method', sa.Text(), server_default='', nullable=False)
    )
    op.add_column('service_standards', sa.Column('agreed_reply_id', sa.Integer(), nullable=True))
    for name, type_ in FINDING_COLUMNS:
        op.add_column('standard_findings', sa.Column(name, type_, nullable=True))
    op.add_column(
        'standard_findings',
        sa.Column('from_crm', sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade():
    op.execute('ALTER TABLE standard_findings DROP COLUMN from_crm')
    for name, _ in reversed(FINDING_COLUMNS):
        op.execute(f'ALTER TABLE standard_findings DROP COLUMN {name}')
    op.execute('ALTER TABLE service_standards DROP COLUMN agreed_reply_id')
    op.execute('ALTER TABLE service_standards DROP COLUMN method')
