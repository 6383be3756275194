from flask import Blueprint

bp = Blueprint("crm", __name__)

from . import complaints, contacts, feedback, loyalty, routes, standards  # noqa: E402,F401
