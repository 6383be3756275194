"""Who may open which route. Every view is marked with the roles of its area, or as public;
the app refuses (403) any route that carries no mark, so a forgotten decorator denies rather
than exposes. A test walks the URL map and fails on any unmarked route as well."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

from .models import Role

PUBLIC = "public"
SIGNED_IN = "signed-in"

# All a user whose password someone else chose or saw (a reset's one-time password, a first
# password) may open until they choose their own: choosing it, and signing out.
PASSWORD_CHANGE_ENDPOINTS = {"auth.new_password", "auth.logout"}

# Endpoints served by extensions for static assets: public by nature.
STATIC_ENDPOINTS = {"static", "bootstrap.static"}


def _mark(view: Callable, access) -> Callable:
    view._access = access
    return view


def public(view: Callable) -> Callable:
    """Anyone may open this route, signed in or not (sign-in page, health check)."""
    return _mark(view, PUBLIC)


def signed_in(view: Callable) -> Callable:
    """Any signed-in user may open this route, whatever their role."""
    return _mark(view, SIGNED_IN)


def roles(*allowed: Role) -> Callable[[Callable], Callable]:
    """Only signed-in users with one of these roles may open the route."""
    allowed_set = frozenset(Role(r) for r in allowed)

    def decorate(view: Callable) -> Callable:
        return _mark(view, allowed_set)

    return decorate


# One decorator per area.
learner_area = roles(Role.LEARNER)
tutor_area = roles(Role.TUTOR, Role.ADMIN)
assessor_area = roles(Role.ASSESSOR, Role.ADMIN)
admin_area = roles(Role.ADMIN)
# External quality assurers only, and their pages only read (GET): an EQA changes nothing.
eqa_area = roles(Role.EQA)


def access_of(view: Callable):
    """The access mark of a view function, or None when it has none."""
    return getattr(view, "_access", None)


def enforce() -> object | None:
    """`before_request` hook: apply the route's mark; deny routes that have none."""
    endpoint = request.endpoint
    if endpoint is None or endpoint in STATIC_ENDPOINTS:
        return None  # unknown URL (404 follows) or a static asset
    view = current_app.view_functions.get(endpoint)
    access = access_of(view)
    if access is None:
        current_app.logger.error("route %s has no access rule; refusing it", endpoint)
        abort(403)
    if access == PUBLIC:
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if current_user.must_change_password and endpoint not in PASSWORD_CHANGE_ENDPOINTS:
        return redirect(url_for("auth.new_password"))
    if access == SIGNED_IN:
        return None
    if current_user.role_enum not in access:
        abort(403)
    return None


def roles_allowed(view: Callable) -> Iterable[Role] | str | None:
    """For tests and the route listing: which roles a view admits (or PUBLIC / SIGNED_IN)."""
    return access_of(view)
