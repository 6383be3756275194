"""A learning platform (Moodle- or Canvas-like) for the tests: there is no LMS on these
machines, so this one behaves like a real one over real HTTP.

It has its own RSA key pair and publishes it at its key-set endpoint (/jwks), signs id tokens,
and serves the platform side of every LTI exchange on a local port in a thread, so PyLTI1p3 in
the app fetches its keys and calls its services with real requests:

- the OIDC authorisation endpoint that answers our login redirect (`platform_login.py`);
- the deep-linking return that receives our signed response (`platform_login.py`);
- the OAuth2 token endpoint, which checks our signed client assertion against our published
  key set, and the AGS and NRPS endpoints, which check the bearer token's scope
  (`platform_services.py`).

Each part installs its routes on `Platform.app` and keeps what it received on the platform
(`platform.scores`, `platform.deep_link_responses`, ...), for tests to read.
"""

from __future__ import annotations

import json
import threading
import time
import uuid

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, jsonify
from jwcrypto.jwk import JWK
from werkzeug.serving import make_server

CLIENT_ID = "crm-sandbox-tool"
DEPLOYMENT_ID = "deployment-1"


def new_key_pair() -> tuple[str, str]:
    """A fresh RSA key pair as PEM text (private, public)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def jwk_of(public_pem: str, kid: str) -> dict:
    jwk = json.loads(JWK.from_pem(public_pem.encode()).export_public())
    return {**jwk, "kid": kid, "alg": "RS256", "use": "sig"}


class Platform:
    """A running platform. Use as a context manager (the `platform` fixture does)."""

    def __init__(self, name: str = "Test Moodle") -> None:
        self.name = name
        self.private_pem, self.public_pem = new_key_pair()
        self.kid = "platform-key-1"
        self.client_id = CLIENT_ID
        self.deployment_id = DEPLOYMENT_ID
        self.app = Flask(f"platform-{uuid.uuid4().hex[:6]}")
        self.app.config["TESTING"] = True
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self.issuer = self.url  # a platform's issuer is its address, as Moodle's is
        self.app.add_url_rule("/jwks", "jwks", self.jwks_view)
        self._thread: threading.Thread | None = None
        self._install_parts()

    def _install_parts(self) -> None:
        from . import platform_login, platform_services

        platform_login.install(self)
        platform_services.install(self)

    # The endpoints an admin copies into the registration page.
    @property
    def auth_login_url(self) -> str:
        return f"{self.url}/auth"

    @property
    def auth_token_url(self) -> str:
        return f"{self.url}/token"

    @property
    def key_set_url(self) -> str:
        return f"{self.url}/jwks"

    def registration_values(self) -> dict:
        """What an admin types into our registration form for this platform."""
        return {
            "name": self.name,
            "issuer": self.issuer,
            "client_id": self.client_id,
            "deployment_ids": self.deployment_id,
            "auth_login_url": self.auth_login_url,
            "auth_token_url": self.auth_token_url,
            "key_set_url": self.key_set_url,
        }

    def jwks_view(self):
        return jsonify({"keys": [jwk_of(self.public_pem, self.kid)]})

    def sign(
        self,
        claims: dict,
        *,
        private_pem: str | None = None,
        kid: str | None = None,
        lifetime: int = 300,
    ) -> str:
        """A JWT signed with the platform's key (or another, to forge one), with iat and exp
        added unless the claims set them."""
        now = int(time.time())
        body = {"iat": now, "exp": now + lifetime, **claims}
        return jwt.encode(
            body,
            private_pem or self.private_pem,
            algorithm="RS256",
            headers={"kid": kid or self.kid},
        )

    def start(self) -> Platform:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Platform:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
