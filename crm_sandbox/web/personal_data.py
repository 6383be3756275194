"""The personal-data download, shared by the learner's own link and the admin's."""

from __future__ import annotations

import json

from flask import Response

from ..models import User
from ..services import personal_data
from ..services.action_log import canonical_json


def personal_data_response(user: User) -> Response:
    data = json.loads(canonical_json(personal_data.export_learner(user)))
    return Response(
        json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False),
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="personal-data-user-{user.id}.json"'
        },
    )
