"""customers who answer back: conversations, typed needs, repeat business

interactions gain what a conversation needs: purpose (what an outbound message is for),
answer_kind (what a customer's message is), thread_id and in_reply_to_id (who started the
conversation decides reactive or proactive), standard_id and survey_id (what it is about),
promise_by (the next contact promised), customer_due_at (when the simulated customer next
acts on it) and details (the structured content: a question's topic, a remedy, what the
customer confirmed). Needs and preferences get a type; a need records the customer's reply
that confirmed it; a complaint the customer's "yes" its confirmed close points at. Contacts
record when and why a customer left. A new table, orders, holds repeat business.

Columns are added with ALTER TABLE, never a batch copy (on SQLite a copy of interactions or
contacts would cascade into their children).

Revision ID: 7c1d2e3f4a5b
Revises: be4e3c1c5d14
Create Date: 2026-12-06 05:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c1d2e3f4a5b'
down_revision = 'be4e3c1c5d14'
branch_labels = None
depends_on = None


INTERACTION_COLUMNS = (
    ('purpose', sa.String(24), None),
    ('answer_kind', sa.String(16), None),
    ('thread_id', sa.Integer(), 'interactions.id'),
    ('in_reply_to_id', sa.Integer(), 'interactions.id'),
    ('standard_id', sa.Integer(), 'service_standards.id'),
    ('survey_id', sa.Integer(), 'surveys.id'),
    ('promise_by', sa.DateTime(), None),
    ('customer_due_at', sa.DateTime(), None),
    ('details', sa.JSON(), None),
)


def _add(table, name, type_, references=None):
    if not references:
        op.add_column(table, sa.Column(name, type_, nullable=True))
        return
    parent, column = references.split('.')
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite adds a column with its REFERENCES clause in place; ALTER of constraints is
        # not supported there (and a batch would copy the table).
        op.execute(f'ALTER TABLE {table} ADD COLUMN {name} INTEGER REFERENCES {parent} ({column})')
        return
    op.add_column(table, sa.Column(name, type_, nullable=True))
    op.create_foreign_key(f'fk_{table}_{name}_{parent}', table, parent, [name], [column])


def upgrade():
    for name, type_, references in INTERACTION_COLUMNS:
        _add('interactions', name, type_, references)
    op.create_index(
        'ix_interactions_sandbox_customer_due', 'interactions', ['sandbox_id', 'customer_due_at']
    )
    op.create_index('ix_interactions_thread_id', 'interactions', ['thread_id'])
    op.create_index('ix_interactions_in_reply_to_id', 'interactions', ['in_reply_to_id'])
    _add('contact_needs', 'need_type', sa.String(16))
    _add('contact_needs', 'confirmed_by_id', sa.Integer(), 'interactions.id')
    _add('contact_preferences', 'pref_type', sa.String(16))
    _add('complaints', 'satisfaction_reply_id', sa.Integer())
    _add('contacts', 'left_sbx', sa.DateTime())
    op.add_column('contacts', sa.Column('left_reason', sa.String(500), server_default='', nullable=False))
    op.create_table(
        'orders',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('sandbox_id', sa.Integer(), sa.ForeignKey('sandboxes.id', ondelete='CASCADE'), nullable=False),
        sa.Column('contact_id', sa.Integer(), sa.ForeignKey('contacts.id', ondelete='CASCADE'), nullable=False),
        sa.Column('kind', sa.String(10), nullable=False),
        sa.Column('reference', sa.String(20), nullable=False),
        sa.Column('description', sa.String(300), nullable=False),
        sa.Column('amount', sa.Numeric(10, 2), nullable=False),
        sa.Column('placed_on', sa.Date(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('order', 'booking', 'renewal')", name='ck_orders_order_kind_known'),
    )
    op.create_index('ix_orders_sandbox_placed', 'orders', ['sandbox_id', 'placed_on'])
    op.create_index('ix_orders_contact_id', 'orders', ['contact_id'])


def downgrade():
    op.drop_table('orders')
    for table, column in (
        ('contacts', 'left_reason'), ('contacts', 'left_sbx'),
        ('complaints', 'satisfaction_reply_id'), ('contact_preferences', 'pref_type'),
        ('contact_needs', 'confirmed_by_id'), ('contact_needs', 'need_type'),
    ):
        op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
    for index in ('ix_interactions_in_reply_to_id', 'ix_interactions_thread_id',
                  'ix_interactions_sandbox_customer_due'):
        op.drop_index(index, table_name='interactions')
    for name, _, _ in reversed(INTERACTION_COLUMNS):
        op.execute(f'ALTER TABLE interactions DROP COLUMN {name}')
