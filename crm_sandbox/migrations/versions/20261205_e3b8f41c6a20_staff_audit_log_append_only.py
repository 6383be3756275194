"""the staff audit log, append-only (UPDATE, DELETE and TRUNCATE refused by the database)

Revision ID: e3b8f41c6a20
Revises: c7e2d1a9b845
Create Date: 2026-12-05 23:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e3b8f41c6a20'
down_revision = 'c7e2d1a9b845'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('staff_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('real_time', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_email', sa.String(length=254), nullable=True),
    sa.Column('actor_role', sa.String(length=16), nullable=False),
    sa.Column('verb', sa.String(length=40), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('learner_id', sa.Integer(), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_audit'))
    )
    with op.batch_alter_table('staff_audit', schema=None) as batch_op:
        batch_op.create_index('ix_staff_audit_real_time', ['real_time', 'id'], unique=False)
        batch_op.create_index('ix_staff_audit_actor_id', ['actor_id'], unique=False)
        batch_op.create_index('ix_staff_audit_verb', ['verb'], unique=False)
        batch_op.create_index('ix_staff_audit_group_id', ['group_id'], unique=False)
        batch_op.create_index('ix_staff_audit_learner_id', ['learner_id'], unique=False)
        batch_op.create_index('ix_staff_audit_object', ['object_type', 'object_id'], unique=False)

    # The same guards as the action log's (migration 4f532c6df59d), with no exception: the
    # rows hold no learner's personal data, so erasure never needs to change one.
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("""
            CREATE FUNCTION staff_audit_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'the staff audit log is append-only: % is not allowed', TG_OP;
            END;
            $$ LANGUAGE plpgsql
        """)
        op.execute("""
            CREATE TRIGGER staff_audit_no_update_delete BEFORE UPDATE OR DELETE ON staff_audit
            FOR EACH ROW EXECUTE FUNCTION staff_audit_append_only()
        """)
        op.execute("""
            CREATE TRIGGER staff_audit_no_truncate BEFORE TRUNCATE ON staff_audit
            FOR EACH STATEMENT EXECUTE FUNCTION staff_audit_append_only()
        """)
    else:
        op.execute("""
            CREATE TRIGGER staff_audit_no_update BEFORE UPDATE ON staff_audit
            BEGIN SELECT RAISE(ABORT, 'the staff audit log is append-only: UPDATE is not allowed'); END
        """)
        op.execute("""
            CREATE TRIGGER staff_audit_no_delete BEFORE DELETE ON staff_audit
            BEGIN SELECT RAISE(ABORT, 'the staff audit log is append-only: DELETE is not allowed'); END
        """)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER IF EXISTS staff_audit_no_truncate ON staff_audit")
        op.execute("DROP TRIGGER IF EXISTS staff_audit_no_update_delete ON staff_audit")
        op.execute("DROP FUNCTION IF EXISTS staff_audit_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS staff_audit_no_update")
        op.execute("DROP TRIGGER IF EXISTS staff_audit_no_delete")
    with op.batch_alter_table('staff_audit', schema=None) as batch_op:
        batch_op.drop_index('ix_staff_audit_object')
        batch_op.drop_index('ix_staff_audit_learner_id')
        batch_op.drop_index('ix_staff_audit_group_id')
        batch_op.drop_index('ix_staff_audit_verb')
        batch_op.drop_index('ix_staff_audit_actor_id')
        batch_op.drop_index('ix_staff_audit_real_time')
    op.drop_table('staff_audit')
