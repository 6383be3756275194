from flask import Blueprint

bp = Blueprint("assessor", __name__)

from . import iqa, routes  # noqa: E402,F401
