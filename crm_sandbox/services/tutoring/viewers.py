"""Who is looking: an admin may act on every group, learner, attempt and authored scenario;
a tutor only on their own.
"""

from __future__ import annotations

from ...models import Role, User


def _is_admin(viewer: User) -> bool:
    return viewer.role_enum == Role.ADMIN
