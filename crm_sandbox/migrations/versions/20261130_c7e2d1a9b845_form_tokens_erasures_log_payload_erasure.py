"""one-time form tokens, the erasure register, and erasing action-log payloads

The action log stays append-only, with one narrow exception for data protection: an UPDATE
that only sets `payload` to NULL (every other column unchanged) is allowed. The chain covers
the payload's hash, not the payload, so it still verifies after an erasure.

Revision ID: c7e2d1a9b845
Revises: a213ce371c7a
Create Date: 2026-11-30 04:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c7e2d1a9b845'
down_revision = 'a213ce371c7a'
branch_labels = None
depends_on = None

# Every column but the payload: an erasing UPDATE must leave all of them as they were.
KEPT_COLUMNS = (
    'id', 'sandbox_id', 'seq', 'actor_id', 'real_time', 'sandbox_time', 'verb',
    'object_type', 'object_id', 'payload_hash', 'prev_hash', 'entry_hash',
)


def upgrade():
    op.create_table('form_submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('result_url', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_form_submissions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_form_submissions')),
    sa.UniqueConstraint('token', name=op.f('uq_form_submissions_token'))
    )
    with op.batch_alter_table('form_submissions', schema=None) as batch_op:
        batch_op.create_index('ix_form_submissions_user_created', ['user_id', 'created_at'], unique=False)

    op.create_table('personal_data_erasures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('erased_by_id', sa.Integer(), nullable=True),
    sa.Column('erased_at', sa.DateTime(), nullable=False),
    sa.Column('sandboxes', sa.Integer(), nullable=False),
    sa.Column('log_payloads_erased', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['erased_by_id'], ['users.id'], name=op.f('fk_personal_data_erasures_erased_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_personal_data_erasures_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_personal_data_erasures'))
    )
    with op.batch_alter_table('personal_data_erasures', schema=None) as batch_op:
        batch_op.create_index('ix_personal_data_erasures_user_id', ['user_id'], unique=False)

    if op.get_bind().dialect.name == 'postgresql':
        unchanged = ' AND '.join(f'NEW.{c} IS NOT DISTINCT FROM OLD.{c}' for c in KEPT_COLUMNS)
        op.execute(f"""
            CREATE OR REPLACE FUNCTION action_log_append_only() RETURNS trigger AS $$
            BEGIN
                IF TG_OP = 'UPDATE' AND NEW.payload IS NULL AND {unchanged} THEN
                    RETURN NEW;  -- erasing a payload (data protection): the chain still verifies
                END IF;
                RAISE EXCEPTION 'the action log is append-only: % is not allowed', TG_OP;
            END;
            $$ LANGUAGE plpgsql
        """)
    else:
        unchanged = ' AND '.join(f'NEW.{c} IS OLD.{c}' for c in KEPT_COLUMNS)
        op.execute('DROP TRIGGER IF EXISTS action_log_no_update')
        op.execute(f"""
            CREATE TRIGGER action_log_no_update BEFORE UPDATE ON action_log
            WHEN NOT (NEW.payload IS NULL AND {unchanged})
            BEGIN SELECT RAISE(ABORT, 'the action log is append-only: UPDATE is not allowed'); END
        """)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("""
            CREATE OR REPLACE FUNCTION action_log_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'the action log is append-only: % is not allowed', TG_OP;
            END;
            $$ LANGUAGE plpgsql
        """)
    else:
        op.execute('DROP TRIGGER IF EXISTS action_log_no_update')
        op.execute("""
            CREATE TRIGGER action_log_no_update BEFORE UPDATE ON action_log
            BEGIN SELECT RAISE(ABORT, 'the action log is append-only: UPDATE is not allowed'); END
        """)
    with op.batch_alter_table('personal_data_erasures', schema=None) as batch_op:
        batch_op.drop_index('ix_personal_data_erasures_user_id')
    op.drop_table('personal_data_erasures')
    with op.batch_alter_table('form_submissions', schema=None) as batch_op:
        batch_op.drop_index('ix_form_submissions_user_created')
    op.drop_table('form_submissions')
