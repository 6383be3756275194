"""The external quality assurer's pages (/eqa): read-only views of the groups an admin granted
them for a period; every opening of a piece of work and every download is staff-audited."""

from flask import Blueprint

bp = Blueprint("eqa", __name__)

from . import routes  # noqa: E402,F401
