"""Launching from the simulated platform, the whole round trip, for any LTI test.

    from tests.lti.launching import register, launch

    def test_something(client, platform):
        register(platform)                          # the admin's registration, committed
        done = launch(client, platform, sub="learner-7", scenario="closing-the-loop")
        assert done.response.status_code == 302     # signed in, sent to the scenario

`launch` does what a browser does when someone clicks an activity in the platform:

1. posts the platform's login initiation to our `/lti/login` (Flask test client);
2. follows our redirect to the platform's `/auth` over real HTTP (`requests`): the platform
   checks the OIDC parameters and answers with its auto-posting form (signed id token + state);
3. posts that form to our `/lti/launch` (test client, with the state cookie from step 1).

Its keyword arguments are `platform.launch_claims`'s (sub, roles, name, email, context_id,
context_title, resource_link_id, scenario, message_type, extra claims by name, None removing
one); `claims=` replaces them all, and `signing=` spoils the signature or the expiry
(`private_pem=`, `kid=`, `lifetime=`). The result keeps each step (`Launched`), so a test can
post the same id token again (`replay`) or read where the launch landed (`location`).

`choose_scenario` then answers a deep-linking launch's picker and delivers our response to the
platform's `/deep_link_return`, which verifies it with our `/lti/jwks`.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

import requests

from crm_sandbox.extensions import db
from crm_sandbox.services.lti import keys, registrations

from .platform_login import (  # noqa: F401 (re-exported for tests)
    ADMINISTRATOR,
    INSTRUCTOR,
    LEARNER,
    TEACHING_ASSISTANT,
)


class _Forms(HTMLParser):
    """Every form of a page: its action and its inputs' values."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._current: dict[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._current = {}
            self.forms.append((attrs.get("action") or "", self._current))
        elif tag == "input" and self._current is not None and attrs.get("name"):
            self._current[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def read_form(page: str, path: str | None = None) -> tuple[str, dict[str, str]]:
    """The action and fields of the page's first form (posting to `path`, when given)."""
    parser = _Forms()
    parser.feed(page)
    for action, fields in parser.forms:
        if path is None or urlsplit(action).path == path:
            return action, fields
    return "", {}


def register(platform, **overrides):
    """Register the platform as an admin would (committed); returns the registration row."""
    values = {**platform.registration_values(), **overrides}
    row = registrations.create_registration(registrations.RegistrationValues(**values), by=None)
    db.session.commit()
    # The platform is given our key set URL when the tool is registered there; the app is a
    # test client, not a server, so the platform gets the key set itself (for token requests).
    platform.tool_key_set = keys.published()
    return row


@dataclass
class Launched:
    """One round trip: our login's answer, the platform's form, and our launch's answer."""

    login: object  # the test client's response to /lti/login
    auth: requests.Response | None  # the platform's /auth answer
    id_token: str
    state: str
    response: object  # the test client's response to /lti/launch (None if never posted)

    @property
    def location(self) -> str:
        return self.response.headers.get("Location", "") if self.response is not None else ""


def login_params(platform, claims: dict, hint: str) -> dict:
    return {
        "iss": platform.issuer,
        "login_hint": claims.get("sub", ""),
        "target_link_uri": "http://localhost/lti/launch",
        "lti_message_hint": hint,
        "client_id": platform.client_id,
        "lti_deployment_id": platform.deployment_id,
    }


def post_launch(client, id_token: str, state: str | None, **kwargs):
    """Post an id token (and state) to our launch URL as the platform's page would."""
    data = {"id_token": id_token}
    if state is not None:
        data["state"] = state
    return client.post("/lti/launch", data=data, csrf=False, **kwargs)


def launch(
    client,
    platform,
    *,
    claims: dict | None = None,
    signing: dict | None = None,
    login_method: str = "POST",
    **claim_args,
) -> Launched:
    """The whole launch (see the module's docstring); the platform starts the login with a
    form post, or with a link (`login_method="GET"`, as Moodle may)."""
    claims = claims if claims is not None else platform.launch_claims(**claim_args)
    hint = platform.prepare_launch(claims, **(signing or {}))
    params = login_params(platform, claims, hint)
    if login_method == "GET":
        login = client.get("/lti/login", query_string=params)
    else:
        login = client.post("/lti/login", data=params, csrf=False)
    if login.status_code != 302:
        return Launched(login, None, "", "", None)
    auth = requests.get(login.headers["Location"], timeout=10)
    assert auth.status_code == 200, auth.text
    action, fields = read_form(auth.text)
    assert urlsplit(action).path == "/lti/launch", action
    response = post_launch(client, fields["id_token"], fields["state"])
    return Launched(login, auth, fields["id_token"], fields["state"], response)


def replay(client, launched: Launched):
    """Post the same id token and state again."""
    return post_launch(client, launched.id_token, launched.state)


def choose_scenario(client, platform, launched: Launched, scenario: str):
    """Pick a scenario on our deep-linking picker, then deliver our auto-posted response to
    the platform (as the browser would), which verifies it with our /lti/jwks. Returns our
    picker POST's response and the platform's answer."""
    picker_url = launched.location
    picker = client.get(picker_url)
    assert picker.status_code == 200, picker.status_code
    _action, fields = read_form(picker.get_data(as_text=True), "/lti/deep-link")
    chosen = client.post(
        "/lti/deep-link",
        data={"launch": fields["launch"], "scenario": scenario, "csrf_token": fields["csrf_token"]},
    )
    if chosen.status_code != 200:
        return chosen, None
    action, answer = read_form(chosen.get_data(as_text=True), "/deep_link_return")
    platform.tool_key_set = client.get("/lti/jwks").get_json()
    delivered = requests.post(action, data={"JWT": answer["JWT"]}, timeout=10)
    return chosen, delivered
