"""users.must_change_password: a one-time or first password must be changed at next sign-in

Set by a tutor's or an admin's reset, by the CSV import and by a tutor adding a new learner;
existing accounts keep their passwords (false).

Revision ID: 4f09a0c4f673
Revises: e4b7a2c91d05
Create Date: 2026-12-06 01:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4f09a0c4f673'
down_revision = 'e4b7a2c91d05'
branch_labels = None
depends_on = None


# Plain ALTER TABLE, never a batch copy: on SQLite a batch move drops the users table, and
# with foreign keys on that deletes (cascades to) every session and membership.


def upgrade():
    op.add_column(
        'users',
        sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade():
    op.execute('ALTER TABLE users DROP COLUMN must_change_password')  # SQLite 3.35+, PostgreSQL
