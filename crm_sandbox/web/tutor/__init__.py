from flask import Blueprint

bp = Blueprint("tutor", __name__)

from . import attempts, groups, imports, lti, passwords, scenarios, tasks  # noqa: E402,F401
