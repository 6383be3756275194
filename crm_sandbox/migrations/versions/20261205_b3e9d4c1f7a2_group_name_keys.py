"""group name keys: find a group by name whatever its case or Unicode form

Adds groups.name_key (the SHA-256 of the name casefolded and NFKC-normalised) with an index,
and fills it for every existing group. Not unique: groups whose names clash this way may
already exist ("Café" and "CAFÉ"); the service refuses new clashes.

Revision ID: b3e9d4c1f7a2
Revises: e3b8f41c6a20
Create Date: 2026-12-05 23:55:00

"""
import hashlib
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3e9d4c1f7a2'
down_revision = 'e3b8f41c6a20'
branch_labels = None
depends_on = None


def _name_key(name):
    # A copy of crm_sandbox.models.groups.group_name_key as it is now: a migration must not
    # change meaning when the app's code does.
    folded = unicodedata.normalize('NFKC', (name or '').strip()).casefold()
    form = unicodedata.normalize('NFKC', folded)
    return hashlib.sha256(form.encode('utf-8')).hexdigest()


def upgrade():
    with op.batch_alter_table('groups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_groups_name_key', ['name_key'], unique=False)
    groups = sa.table(
        'groups', sa.column('id', sa.Integer), sa.column('name', sa.String),
        sa.column('name_key', sa.String),
    )
    conn = op.get_bind()
    for group_id, name in conn.execute(sa.select(groups.c.id, groups.c.name)).all():
        conn.execute(
            groups.update().where(groups.c.id == group_id).values(name_key=_name_key(name))
        )


def downgrade():
    with op.batch_alter_table('groups', schema=None) as batch_op:
        batch_op.drop_index('ix_groups_name_key')
        batch_op.drop_column('name_key')
