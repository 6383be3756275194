from flask import Blueprint

bp = Blueprint("assessor", __name__)

from . import routes  # noqa: E402,F401
