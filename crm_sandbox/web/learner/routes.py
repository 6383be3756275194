from flask import redirect, render_template, url_for
from flask_login import current_user

from ...access import learner_area
from ...database import write_transactions
from ...extensions import db
from ...services import groups, interactions, provisioning
from ...services.context import SandboxContext
from . import bp


@bp.route("/")
@learner_area
def home():
    practice = provisioning.practice_sandbox(current_user)
    follow_ups = []
    if practice is not None:
        follow_ups = interactions.follow_ups_due(SandboxContext(practice, current_user))
    return render_template(
        "learner/home.html",
        groups=groups.groups_of_learner(current_user),
        practice=practice,
        follow_ups=follow_ups,
    )


@bp.route("/crm")
@learner_area
def open_practice_crm():
    """Open the learner's practice CRM, creating it the first time."""
    sandbox = provisioning.practice_sandbox(current_user)
    if sandbox is None:
        db.session.rollback()
        with write_transactions():
            sandbox = provisioning.ensure_practice_sandbox(current_user)
            db.session.commit()
    return redirect(url_for("crm.dashboard", sandbox_id=sandbox.id))
