"""The frame's links (stylesheets, scripts, menu entries), built through the router once per
app and script root and kept with the app.

Every page links the same eight addresses, and `url_for` for them in the template showed in
a page's time: the contact list took 3.71 / 3.73 ms CPU with them built per page and 3.48 /
2.93 ms with this cache (two paired `benchmarks.page_times` runs, 2026-12-05, on a busy
machine; timeit of the eight calls alone: 34 us). Only public Flask APIs: `url_for`,
`app.extensions` and a context processor.
"""

from __future__ import annotations

from typing import NamedTuple

from flask import Flask, current_app, request, url_for
from markupsafe import Markup


class Chrome(NamedTuple):
    bootstrap_css: Markup
    app_css: str
    app_js: str
    favicon: str
    home: str
    account: str
    logout: str
    learner_home: str


def chrome() -> Chrome:
    """The frame's links for this app and request's script root."""
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


def register(app: Flask) -> None:
    app.extensions["crm_chrome"] = {}
    app.context_processor(lambda: {"chrome": chrome()})
