from flask import Blueprint

bp = Blueprint("assessor", __name__)

from . import iqa, routes, tasks  # noqa: E402,F401
