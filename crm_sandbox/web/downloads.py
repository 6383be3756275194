"""Downloads several areas offer: a learner's evidence pack as a ZIP attachment."""

from __future__ import annotations

from flask import Response

from ..services import evidence


def evidence_pack_response(learner, viewer=None) -> Response:
    """The learner's evidence pack as a download: the work `viewer` may see (their own, when
    no viewer is given)."""
    return Response(
        evidence.build_pack(learner, viewer=viewer) if viewer else evidence.build_pack(learner),
        mimetype="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{evidence.pack_filename(learner)}"'
        },
    )
