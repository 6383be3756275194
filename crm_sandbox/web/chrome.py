"""What the frame of every page needs, made cheaply: the frame's links, and the CSRF token.

Every page links the same stylesheets, scripts and menu entries; building those URLs through
the router on each page shows in a page's time, so they are built once per script root. The
sign-out form's CSRF token is signed once per session token: with no time limit on tokens
(`WTF_CSRF_TIME_LIMIT = None`), a token signed earlier in the session is exactly as valid as a
new signature, and Flask-WTF checks it the same way.
"""

from __future__ import annotations

from typing import NamedTuple

from flask import Flask, current_app, g, request, session, url_for
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

_SIGNED_CACHE_SIZE = 4096


class Chrome(NamedTuple):
    bootstrap_css: Markup
    app_css: str
    app_js: str
    favicon: str
    home: str
    account: str
    logout: str
    learner_home: str


_SIGNED: dict[tuple, str] = {}


def chrome() -> Chrome:
    """The frame's links for this app and request's script root (built through the router
    once; kept with the app, since its settings decide the stylesheet's address)."""
    built = current_app.extensions["crm_chrome"]
    found = built.get(request.script_root)
    if found is None:
        found = built[request.script_root] = Chrome(
            bootstrap_css=current_app.extensions["bootstrap"].load_css(),
            app_css=url_for("static", filename="app.css"),
            app_js=url_for("static", filename="app.js"),
            favicon=url_for("static", filename="favicon.svg"),
            home=url_for("main.home"),
            account=url_for("auth.account"),
            logout=url_for("auth.logout"),
            learner_home=url_for("learner.home"),
        )
    return found


def csrf_token() -> str:
    """Flask-WTF's CSRF token for this session, signed once per session token and secret."""
    config = current_app.config
    field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    raw = session.get(field)
    if raw is None or config.get("WTF_CSRF_TIME_LIMIT") is not None:
        return generate_csrf()
    key = (config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key, raw)
    signed = _SIGNED.get(key)
    if signed is None:
        if len(_SIGNED) >= _SIGNED_CACHE_SIZE:
            _SIGNED.clear()
        signed = _SIGNED[key] = generate_csrf()
    g.setdefault(field, signed)  # later calls in this request (forms) agree
    return signed


def register(app: Flask) -> None:
    """After CSRFProtect.init_app: this `csrf_token` replaces Flask-WTF's in templates (its
    context processor runs first; the later one wins)."""
    app.extensions["crm_chrome"] = {}
    app.jinja_env.globals["csrf_token"] = csrf_token

    @app.context_processor
    def _chrome():
        return {"chrome": chrome(), "csrf_token": csrf_token}
