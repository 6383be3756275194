"""The platform's services, as Moodle and Canvas serve them to a tool:

- `/token`: OAuth2 client credentials with a signed JWT client assertion (RFC 7523), which the
  platform verifies with the tool's public key set. In the tests the app is a Flask test client,
  not an HTTP server, so the platform cannot fetch our `/lti/jwks`: it is given our key set
  instead, as `platform.tool_key_set` (a dict, or a callable returning one, read at each request,
  so a key rotation is seen at once). It checks iss = sub = our client id, aud = the token URL,
  exp, and that the assertion's jti was never used before; it grants only the requested scopes
  it allows (`platform.allowed_scopes`), refusing a request for none of them.
- AGS: `GET`/`POST /lineitems/<context>` (line items of a course, `POST` creates one),
  `GET /lineitems/<context>/<n>` and `POST /lineitems/<context>/<n>/scores`, which records
  each score on `platform.scores` with its line item. Like Moodle, a score older than the one
  already held for that user and line item is refused (409).
- NRPS: `GET /memberships/<context>` returns `platform.members[context]`, a page of
  `platform.page_size` at a time with a `Link: <...>; rel="next"` header.

Each service checks the bearer token and its scope: no or an unknown token is 401, a token
without the scope is 403 with the platform's words. Switches for tests: `platform.down = True`
answers 503 everywhere, `platform.refuse_scores = "words"` refuses every score with 400 and
those words. Counters: `platform.token_requests`, `platform.requests` (method, path).
"""

from __future__ import annotations

import secrets
import time
from datetime import datetime

import jwt
from flask import jsonify, request

CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
LINEITEM_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
RESULT_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
MEMBERSHIPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
ALL_SCOPES = {SCORE, LINEITEM, LINEITEM_READONLY, RESULT_READONLY, MEMBERSHIPS}

LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
TEACHING_ASSISTANT = (
    "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"
)
GRADER = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#Grader"
MENTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"

TOKEN_LIFETIME = 3600


def _error(status: int, error: str, description: str):
    response = jsonify({"error": error, "error_description": description})
    response.status_code = status
    return response


def install(platform) -> None:
    """Add this part's routes and records to the platform."""
    # Our published key set (or a callable giving it); the launch part reads it too.
    platform.tool_key_set = getattr(platform, "tool_key_set", None)
    platform.allowed_scopes = set(ALL_SCOPES)
    platform.down = False
    platform.refuse_scores = ""
    platform.tokens = {}  # access token -> granted scopes
    platform.used_jtis = set()
    platform.token_requests = 0
    platform.requests = []  # (method, path) of every service request
    platform.lineitems = {}  # context -> [line item dicts]
    platform.scores = []  # every score received, with "lineitem" (its URL)
    platform.members = {}  # context -> [NRPS member dicts]
    platform.page_size = 2
    app = platform.app

    def lineitems_url(context: str) -> str:
        return f"{platform.url}/lineitems/{context}"

    platform.lineitems_url = lineitems_url
    platform.memberships_url = lambda context: f"{platform.url}/memberships/{context}"

    def add_lineitem(context: str, label: str = "Activity", **fields) -> dict:
        items = platform.lineitems.setdefault(context, [])
        item = {
            "id": f"{lineitems_url(context)}/{len(items) + 1}",
            "label": label,
            "scoreMaximum": 100,
            **fields,
        }
        items.append(item)
        return item

    platform.add_lineitem = add_lineitem

    def find_lineitem(context: str, number: int) -> dict | None:
        items = platform.lineitems.get(context, [])
        return items[number - 1] if 0 < number <= len(items) else None

    def scores_for(user_id: str | None = None) -> list[dict]:
        return [s for s in platform.scores if user_id is None or s["userId"] == user_id]

    platform.scores_for = scores_for

    @app.before_request
    def _down():
        if request.endpoint == "jwks":
            return None
        platform.requests.append((request.method, request.path))
        if platform.down:
            return _error(503, "temporarily_unavailable", "The platform is down for maintenance.")
        return None

    def _tool_key_set() -> dict:
        source = platform.tool_key_set
        return (source() if callable(source) else source) or {"keys": []}

    @app.post("/token")
    def token():
        platform.token_requests += 1
        form = request.form
        if form.get("grant_type") != "client_credentials":
            return _error(400, "unsupported_grant_type", "Only client_credentials is supported.")
        if form.get("client_assertion_type") != CLIENT_ASSERTION_TYPE:
            return _error(400, "invalid_request", "A JWT bearer client assertion is required.")
        assertion = form.get("client_assertion", "")
        try:
            kid = jwt.get_unverified_header(assertion).get("kid")
            jwk = next((k for k in _tool_key_set()["keys"] if k.get("kid") == kid), None)
            if jwk is None:
                return _error(401, "invalid_client", f"No key {kid!r} in the tool's key set.")
            claims = jwt.decode(
                assertion,
                jwt.PyJWK(jwk).key,
                algorithms=["RS256"],
                audience=platform.auth_token_url,
                options={"require": ["iss", "sub", "aud", "exp", "jti"]},
            )
        except jwt.PyJWTError as exc:
            return _error(401, "invalid_client", f"The client assertion is not valid: {exc}.")
        if claims["iss"] != platform.client_id or claims["sub"] != platform.client_id:
            return _error(401, "invalid_client", "The assertion is not from a known client.")
        if claims["jti"] in platform.used_jtis:
            return _error(401, "invalid_client", "This client assertion was already used.")
        platform.used_jtis.add(claims["jti"])
        asked = set(form.get("scope", "").split())
        granted = sorted(asked & platform.allowed_scopes)
        if not granted:
            return _error(400, "invalid_scope", "None of the requested scopes is allowed.")
        access_token = secrets.token_urlsafe(24)
        platform.tokens[access_token] = set(granted)
        return jsonify(
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": TOKEN_LIFETIME,
                "scope": " ".join(granted),
            }
        )

    def _require(*scopes: str):
        """None when the bearer token grants one of the scopes, else the refusal."""
        header = request.headers.get("Authorization", "")
        held = platform.tokens.get(header.removeprefix("Bearer ").strip())
        if not header.startswith("Bearer ") or held is None:
            return _error(401, "invalid_token", "A valid access token is required.")
        if not held & set(scopes):
            return _error(
                403, "insufficient_scope", f"The access token does not grant {' or '.join(scopes)}."
            )
        return None

    @app.route("/lineitems/<context>", methods=["GET", "POST"])
    def lineitems(context):
        if request.method == "GET":
            refused = _require(LINEITEM, LINEITEM_READONLY)
            if refused:
                return refused
            return jsonify(platform.lineitems.get(context, []))
        refused = _require(LINEITEM)
        if refused:
            return refused
        body = request.get_json(force=True, silent=True) or {}
        if not body.get("label") or not body.get("scoreMaximum"):
            return _error(400, "invalid_request", "A line item needs a label and scoreMaximum.")
        fields = {k: v for k, v in body.items() if k not in {"id", "label"}}
        return jsonify(add_lineitem(context, body["label"], **fields)), 201

    @app.get("/lineitems/<context>/<int:number>")
    def lineitem(context, number):
        refused = _require(LINEITEM, LINEITEM_READONLY)
        if refused:
            return refused
        item = find_lineitem(context, number)
        return jsonify(item) if item else _error(404, "not_found", "No such line item.")

    @app.post("/lineitems/<context>/<int:number>/scores")
    def scores(context, number):
        refused = _require(SCORE)
        if refused:
            return refused
        item = find_lineitem(context, number)
        if item is None:
            return _error(404, "not_found", "No such line item.")
        if platform.refuse_scores:
            return _error(400, "invalid_request", platform.refuse_scores)
        if not request.content_type.startswith("application/vnd.ims.lis.v1.score+json"):
            return _error(
                415, "invalid_request", "Scores are application/vnd.ims.lis.v1.score+json."
            )
        body = request.get_json(force=True, silent=True) or {}
        missing = [
            k
            for k in ("userId", "activityProgress", "gradingProgress", "timestamp")
            if not body.get(k)
        ]
        if missing:
            return _error(400, "invalid_request", f"The score lacks {', '.join(missing)}.")
        when = datetime.fromisoformat(body["timestamp"])
        if when.tzinfo is None:
            return _error(400, "invalid_request", "The timestamp needs a time zone.")
        held = [
            s
            for s in platform.scores
            if s["lineitem"] == item["id"] and s["userId"] == body["userId"]
        ]
        if held and datetime.fromisoformat(held[-1]["timestamp"]) > when:
            return _error(409, "conflict", "A newer score is already recorded for this user.")
        platform.scores.append({**body, "lineitem": item["id"], "received": time.time()})
        return jsonify({}), 200

    @app.get("/memberships/<context>")
    def memberships(context):
        refused = _require(MEMBERSHIPS)
        if refused:
            return refused
        members = platform.members.get(context)
        if members is None:
            return _error(404, "not_found", "No such course.")
        page = max(request.args.get("page", 1, type=int), 1)
        start = (page - 1) * platform.page_size
        response = jsonify(
            {
                "id": request.url,
                "context": {"id": context, "title": f"Course {context}"},
                "members": members[start : start + platform.page_size],
            }
        )
        response.content_type = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
        if start + platform.page_size < len(members):
            response.headers["Link"] = (
                f'<{platform.memberships_url(context)}?page={page + 1}>; rel="next"'
            )
        return response
