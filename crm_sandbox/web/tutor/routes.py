from flask import abort, render_template
from flask_login import current_user

from ...access import tutor_area
from ...services import groups
from ...services.errors import NotFound
from . import bp


@bp.route("/")
@tutor_area
def home():
    mine = groups.groups_for(current_user)
    return render_template("tutor/home.html", groups=mine, counts=groups.learner_counts(mine))


@bp.route("/groups/<int:group_id>")
@tutor_area
def group(group_id: int):
    try:
        found = groups.get_group(current_user, group_id)
    except NotFound:
        abort(404)
    return render_template("tutor/group.html", group=found)
