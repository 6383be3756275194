from flask import Blueprint

bp = Blueprint("tutor", __name__)

from . import routes  # noqa: E402,F401
