from flask import Blueprint

bp = Blueprint("admin", __name__)

from . import eqa, routes  # noqa: E402,F401
