from flask import Blueprint

bp = Blueprint("learner", __name__)

from . import routes  # noqa: E402,F401

from . import feedback_routes  # noqa: E402,F401  # isort: skip
