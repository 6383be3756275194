from flask import render_template
from flask_login import current_user

from ...access import assessor_area
from ...services import groups
from . import bp


@bp.route("/")
@assessor_area
def home():
    mine = groups.groups_for(current_user)
    return render_template("assessor/home.html", groups=mine, counts=groups.learner_counts(mine))
