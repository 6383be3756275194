"""The schema comes from Alembic migrations, and they match the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from crm_sandbox.extensions import db
from crm_sandbox.models import Base


def test_the_migrations_create_exactly_the_tables_the_models_describe(app):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
