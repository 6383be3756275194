from flask import Blueprint

bp = Blueprint("admin", __name__)

from . import eqa, outbox, passwords, routes  # noqa: E402,F401
