from flask import render_template
from flask_login import current_user

from ...access import learner_area
from ...services import groups
from . import bp


@bp.route("/")
@learner_area
def home():
    return render_template("learner/home.html", groups=groups.groups_of_learner(current_user))
