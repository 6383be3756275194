from flask import redirect, url_for
from flask_login import current_user

from ...access import public
from ...models import Role
from . import bp

HOME_OF = {
    Role.LEARNER: "learner.home",
    Role.TUTOR: "tutor.home",
    Role.ASSESSOR: "assessor.home",
    Role.ADMIN: "admin.home",
    Role.EQA: "eqa.home",
}


@bp.route("/")
@public
def home():
    """Send each person to their own home page, or to sign-in."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(url_for(HOME_OF[current_user.role_enum]))


@bp.route("/healthz")
@public
def health():
    return {"status": "ok"}
