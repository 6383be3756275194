"""Partial indexes on interactions: the indexes of columns most messages leave empty (a
correction's, a reply's and a thread's references, the complaint, the customer's due time,
the follow-up date) hold only the rows that have a value, so copying a sandbox writes far
fewer index entries. Every query they serve compares the column, which implies it is set.

Revision ID: 7a1c3e5b9d20
Revises: 512c268c1019
Create Date: 2026-12-06 17:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7a1c3e5b9d20'
down_revision = '512c268c1019'
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_interactions_supersedes_id", ["supersedes_id"]),
    ("ix_interactions_sandbox_follow_up", ["sandbox_id", "follow_up_on"]),
    ("ix_interactions_complaint_id", ["complaint_id"]),
    ("ix_interactions_sandbox_customer_due", ["sandbox_id", "customer_due_at"]),
    ("ix_interactions_thread_id", ["thread_id"]),
    ("ix_interactions_in_reply_to_id", ["in_reply_to_id"]),
]


def upgrade():
    for name, columns in INDEXES:
        where = sa.text(f"{columns[-1]} IS NOT NULL")
        op.drop_index(name, table_name="interactions")
        op.create_index(
            name, "interactions", columns, postgresql_where=where, sqlite_where=where
        )


def downgrade():
    for name, columns in INDEXES:
        op.drop_index(name, table_name="interactions")
        op.create_index(name, "interactions", columns)
