from flask import Blueprint

bp = Blueprint("crm", __name__)

from . import routes  # noqa: E402,F401
