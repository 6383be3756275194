from flask import Blueprint

bp = Blueprint("main", __name__)

from . import routes, tasks  # noqa: E402,F401
