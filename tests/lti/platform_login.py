"""The platform's side of a launch: the OIDC authorisation endpoint and the deep-linking return.

What a Moodle- or Canvas-like platform does when someone clicks an activity:

1. it sends the browser to the tool's login initiation URL (iss, login_hint, target_link_uri,
   lti_message_hint, client_id, lti_deployment_id) - the test does this step
   (`tests/lti/launching.py`);
2. the tool redirects the browser to the platform's `/auth` with the OIDC parameters; `/auth`
   checks them (scope openid, response_type id_token, response_mode form_post, prompt none,
   our client id, a registered redirect URI, login_hint, nonce, state) and answers with the page
   that auto-posts a signed id token and the state to the redirect URI;
3. the browser posts that form to the tool's launch URL.

The id token's claims are prepared before the click (`platform.prepare_launch(claims)` returns
the `lti_message_hint` naming them, as a real platform's hint names the link clicked);
`platform.launch_claims(...)` builds claims with every one LTI 1.3 requires. How `/auth` signs
can be spoiled per launch (another key, a past expiry) to forge tokens.

`/deep_link_return` receives the tool's deep-linking response (the form field `JWT`), verifies
it with the tool's published key set (`platform.tool_key_set`: the JSON of the tool's
/lti/jwks, or a callable returning it) and records it in `platform.deep_link_responses`;
a response that does not verify is recorded in `platform.deep_link_rejections` and answered 400.
"""

from __future__ import annotations

import html
import time
import uuid

import jwt
from flask import jsonify, request

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"
LEARNER = [f"{MEMBERSHIP}#Learner"]
INSTRUCTOR = [f"{MEMBERSHIP}#Instructor"]
TEACHING_ASSISTANT = [f"{MEMBERSHIP}/Instructor#TeachingAssistant"]
ADMINISTRATOR = ["http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"]
AGS_SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
]
EXPECTED_AUTH = {
    "scope": "openid",
    "response_type": "id_token",
    "response_mode": "form_post",
    "prompt": "none",
}


def launch_claims(
    platform,
    *,
    sub: str = "learner-1",
    roles: list[str] | None = None,
    name: str | None = "Lee Learner",
    email: str | None = "lee.learner@college.example.org",
    context_id: str = "course-101",
    context_title: str = "Business Admin Level 3",
    resource_link_id: str = "link-1",
    scenario: str | None = "closing-the-loop",
    target_link_uri: str = "http://localhost/lti/launch",
    message_type: str = "LtiResourceLinkRequest",
    deep_link_return_url: str | None = None,
    **extra,
) -> dict:
    """Claims for an id token, with every claim LTI 1.3 requires and the services' claims
    (AGS line item for the link, NRPS memberships for the course). `extra` adds or replaces
    claims by name (None removes one)."""
    base = platform.url
    # The services' addresses as the platform's services part serves them (platform_services).
    memberships = getattr(platform, "memberships_url", None)
    lineitems = getattr(platform, "lineitems_url", None)
    claims = {
        "iss": platform.issuer,
        "sub": sub,
        "aud": platform.client_id,
        "azp": platform.client_id,
        CLAIM + "deployment_id": platform.deployment_id,
        CLAIM + "message_type": message_type,
        CLAIM + "version": "1.3.0",
        CLAIM + "roles": LEARNER if roles is None else roles,
        CLAIM + "target_link_uri": target_link_uri,
        CLAIM + "context": {
            "id": context_id,
            "label": context_title[:20],
            "title": context_title,
            "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
        },
        CLAIM + "tool_platform": {
            "guid": platform.url,
            "name": platform.name,
            "product_family_code": "moodle",
            "version": "2024100700",
        },
        CLAIM + "launch_presentation": {"document_target": "window"},
        NRPS_CLAIM: {
            "context_memberships_url": (
                memberships(context_id) if memberships else f"{base}/memberships/{context_id}"
            ),
            "service_versions": ["2.0"],
        },
    }
    if name is not None:
        given, _, family = name.partition(" ")
        claims.update(name=name, given_name=given, family_name=family)
    if email is not None:
        claims["email"] = email
    if message_type == "LtiResourceLinkRequest":
        claims[CLAIM + "resource_link"] = {"id": resource_link_id, "title": "Practice activity"}
        claims[CLAIM + "custom"] = {"scenario": scenario} if scenario else {}
        claims[AGS_CLAIM] = {
            "scope": AGS_SCOPES,
            "lineitems": lineitems(context_id) if lineitems else f"{base}/lineitems/{context_id}",
            "lineitem": _lineitem_for(platform, context_id, resource_link_id, scenario),
        }
    elif message_type == "LtiDeepLinkingRequest":
        claims[DL_CLAIM + "deep_linking_settings"] = {
            "deep_link_return_url": deep_link_return_url or f"{base}/deep_link_return",
            "accept_types": ["ltiResourceLink"],
            "accept_presentation_document_targets": ["iframe", "window"],
            "accept_multiple": False,
            "auto_create": True,
            "title": "Add an activity",
            "data": "platform-opaque-data-42",
        }
        claims[AGS_CLAIM] = {
            "scope": AGS_SCOPES,
            "lineitems": lineitems(context_id) if lineitems else f"{base}/lineitems/{context_id}",
        }
    for key, value in extra.items():
        if value is None:
            claims.pop(key, None)
        else:
            claims[key] = value
    return claims


def _lineitem_for(platform, context_id: str, resource_link_id: str, scenario) -> str:
    """The link's grade column, made the first time (as a platform makes one with the
    activity): its URL. Without the services part, an address of the same shape."""
    if not hasattr(platform, "add_lineitem"):
        return f"{platform.url}/lineitems/{context_id}/1"
    for item in platform.lineitems.get(context_id, []):
        if item.get("resourceLinkId") == resource_link_id:
            return item["id"]
    made = platform.add_lineitem(
        context_id,
        label=f"CRM Sandbox: {scenario or 'activity'}",
        resourceLinkId=resource_link_id,
        resourceId=scenario or "",
    )
    return made["id"]


def prepare_launch(platform, claims: dict, **signing) -> str:
    """Keep the claims for the next authorisation with this hint; `signing` is passed to
    `platform.sign` (private_pem=, kid=, lifetime=) to forge or age the token."""
    hint = "hint-" + uuid.uuid4().hex
    platform.pending[hint] = {"claims": claims, "signing": signing}
    return hint


def _auth_problems(platform, values) -> list[str]:
    problems = [
        f"{name} must be {expected!r}"
        for name, expected in EXPECTED_AUTH.items()
        if values.get(name) != expected
    ]
    if values.get("client_id") != platform.client_id:
        problems.append("unknown client_id")
    if values.get("redirect_uri") not in platform.redirect_uris:
        problems.append(f"redirect_uri {values.get('redirect_uri')!r} is not registered")
    problems += [
        f"{name} is missing" for name in ("login_hint", "nonce", "state") if not values.get(name)
    ]
    pending = platform.pending.get(values.get("lti_message_hint") or "")
    if pending is None:
        problems.append("unknown lti_message_hint")
    elif values.get("login_hint") and pending["claims"].get("sub") != values.get("login_hint"):
        problems.append("login_hint does not name the user who clicked")
    return problems


def form_page(action: str, fields: dict) -> str:
    """The page a platform answers with: a form the browser posts by itself."""
    inputs = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(str(v))}">'
        for k, v in fields.items()
    )
    return (
        f'<html><body onload="document.forms[0].submit()"><form method="post" '
        f'action="{html.escape(action)}">{inputs}</form></body></html>'
    )


def tool_key(platform, kid: str | None):
    source = platform.tool_key_set
    key_set = source() if callable(source) else source
    for jwk in (key_set or {}).get("keys", []):
        if kid is None or jwk.get("kid") == kid:
            return jwt.PyJWK(jwk).key
    return None


def install(platform) -> None:
    """Add this part's routes and records to the platform."""
    platform.redirect_uris = {"http://localhost/lti/launch"}
    platform.pending = {}
    platform.auth_requests = []
    platform.deep_link_responses = []
    platform.deep_link_rejections = []
    platform.tool_key_set = None
    platform.launch_claims = lambda **kw: launch_claims(platform, **kw)
    platform.prepare_launch = lambda claims, **signing: prepare_launch(platform, claims, **signing)

    def auth():
        values = request.values.to_dict()
        platform.auth_requests.append(values)
        problems = _auth_problems(platform, values)
        if problems:
            return jsonify(error="invalid_request", error_description="; ".join(problems)), 400
        pending = platform.pending[values["lti_message_hint"]]
        token = platform.sign({**pending["claims"], "nonce": values["nonce"]}, **pending["signing"])
        return form_page(values["redirect_uri"], {"id_token": token, "state": values["state"]})

    def deep_link_return():
        token = request.form.get("JWT", "")
        try:
            header = jwt.get_unverified_header(token)
            key = tool_key(platform, header.get("kid"))
            if key is None:
                raise jwt.InvalidTokenError(f"no key {header.get('kid')!r} in the tool's key set")
            body = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                audience=platform.issuer,
                issuer=platform.client_id,
                options={"require": ["exp", "iat", "nonce"]},
            )
            if body.get(CLAIM + "message_type") != "LtiDeepLinkingResponse":
                raise jwt.InvalidTokenError("not a deep-linking response")
            if body.get(CLAIM + "deployment_id") != platform.deployment_id:
                raise jwt.InvalidTokenError("wrong deployment")
            if body.get("exp", 0) < time.time():  # pragma: no cover - jwt.decode checks it
                raise jwt.InvalidTokenError("expired")
        except jwt.InvalidTokenError as exc:
            platform.deep_link_rejections.append(str(exc))
            return jsonify(error=str(exc)), 400
        platform.deep_link_responses.append({"header": header, "claims": body})
        return jsonify(ok=True)

    platform.app.add_url_rule("/auth", "auth", auth, methods=["GET", "POST"])
    platform.app.add_url_rule(
        "/deep_link_return", "deep_link_return", deep_link_return, methods=["POST"]
    )
