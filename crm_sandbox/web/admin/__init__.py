from flask import Blueprint

bp = Blueprint("admin", __name__)

from . import eqa, passwords, routes  # noqa: E402,F401
