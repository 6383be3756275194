"""LTI 1.3: the routes a learning platform calls (key set, OIDC login, launch) and the
instructor's deep-linking picker. The work is in `services/lti/`."""

from flask import Blueprint

bp = Blueprint("lti", __name__)

from . import routes  # noqa: E402,F401
