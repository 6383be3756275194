from flask import Blueprint

bp = Blueprint("admin", __name__)

from . import eqa, lti, outbox, passwords, routes  # noqa: E402,F401
