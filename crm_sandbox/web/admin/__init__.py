from flask import Blueprint

bp = Blueprint("admin", __name__)

from . import eqa, lti, outbox, passwords, routes, tasks  # noqa: E402,F401
