"""eqa role, eqa grants and iqa sampling plans

Adds the role "eqa" (external quality assurer) to the users' role check, the table of EQA
grants (an EQA may read one group's assessment for a period) and the table of IQA sampling
plans (one per assessor).

Revision ID: 10564f8d56d2
Revises: 4f09a0c4f673
Create Date: 2026-12-06 01:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '10564f8d56d2'
down_revision = '4f09a0c4f673'
branch_labels = None
depends_on = None

OLD_ROLES = "role IN ('learner', 'tutor', 'assessor', 'admin')"
NEW_ROLES = "role IN ('learner', 'tutor', 'assessor', 'admin', 'eqa')"


def _role_check(old, new):
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('ck_users_role_known'), 'users', type_='check')
        op.create_check_constraint(op.f('ck_users_role_known'), 'users', new)
        return
    # SQLite cannot alter a CHECK, and rebuilding `users` (batch mode) would drop the table,
    # which with foreign keys on deletes every learner's work through ON DELETE CASCADE (and
    # the action log refuses deletes). SQLite's documented way to loosen a constraint is to
    # edit the table's stored definition: allowing one more role leaves every row valid.
    conn = op.get_bind()
    master = "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'users'"
    table_sql = conn.exec_driver_sql(master).scalar()
    if old not in table_sql:
        raise RuntimeError(f'users has no check {old!r}: {table_sql}')
    version = conn.exec_driver_sql('PRAGMA schema_version').scalar()
    conn.exec_driver_sql('PRAGMA writable_schema = ON')
    conn.execute(
        sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = 'users'"),
        {'sql': table_sql.replace(old, new)},
    )
    conn.exec_driver_sql(f'PRAGMA schema_version = {int(version) + 1}')
    conn.exec_driver_sql('PRAGMA writable_schema = OFF')


def upgrade():
    _role_check(OLD_ROLES, NEW_ROLES)
    op.create_table(
        'eqa_grants',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('eqa_id', sa.Integer(), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.Column('granted_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_eqa_grants_period_forward')),
        sa.ForeignKeyConstraint(
            ['eqa_id'], ['users.id'], name=op.f('fk_eqa_grants_eqa_id_users'), ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(
            ['group_id'], ['groups.id'], name=op.f('fk_eqa_grants_group_id_groups'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['granted_by_id'], ['users.id'], name=op.f('fk_eqa_grants_granted_by_id_users'),
            ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_eqa_grants')),
    )
    with op.batch_alter_table('eqa_grants', schema=None) as batch_op:
        batch_op.create_index('ix_eqa_grants_eqa_id', ['eqa_id'], unique=False)
        batch_op.create_index('ix_eqa_grants_group_id', ['group_id'], unique=False)
        batch_op.create_index('ix_eqa_grants_granted_by_id', ['granted_by_id'], unique=False)
    op.create_table(
        'sampling_plans',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('assessor_id', sa.Integer(), nullable=False),
        sa.Column('percentage', sa.Integer(), nullable=False),
        sa.Column('new_assessor_decisions', sa.Integer(), nullable=False),
        sa.Column('new_assessor_days', sa.Integer(), nullable=False),
        sa.Column('new_scenario_decisions', sa.Integer(), nullable=False),
        sa.Column('borderline', sa.Boolean(), nullable=False),
        sa.Column('set_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            'percentage BETWEEN 0 AND 100', name=op.f('ck_sampling_plans_percentage_range')
        ),
        sa.ForeignKeyConstraint(
            ['assessor_id'], ['users.id'], name=op.f('fk_sampling_plans_assessor_id_users'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['set_by_id'], ['users.id'], name=op.f('fk_sampling_plans_set_by_id_users'),
            ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sampling_plans')),
    )
    with op.batch_alter_table('sampling_plans', schema=None) as batch_op:
        batch_op.create_index('ix_sampling_plans_assessor_id', ['assessor_id'], unique=True)
        batch_op.create_index('ix_sampling_plans_set_by_id', ['set_by_id'], unique=False)


def downgrade():
    op.drop_table('sampling_plans')
    op.drop_table('eqa_grants')
    op.execute("DELETE FROM users WHERE role = 'eqa'")
    _role_check(NEW_ROLES, OLD_ROLES)
