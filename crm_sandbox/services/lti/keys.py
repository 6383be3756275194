"""The tool's own RSA key pair for LTI 1.3: platforms check our signed messages (deep-linking
responses, the token requests for grades and rosters) with the public half, which we publish as
a JSON Web Key Set at /lti/jwks.

The private key is generated once, on first use, in the instance folder (`lti_private_key.pem`,
mode 0600), and kept like the secret key: back it up with the instance folder, never commit it.
Rotating (`crm-sandbox lti rotate-key`) keeps the old key as `lti_private_key.previous.pem` and
publishes both public keys until the next rotation, so a platform that cached the old key set
keeps working while it fetches the new one.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import current_app
from jwcrypto.jwk import JWK

KEY_FILE = "lti_private_key.pem"
PREVIOUS_KEY_FILE = "lti_private_key.previous.pem"


@dataclass(frozen=True)
class ToolKey:
    private_pem: str
    public_pem: str
    kid: str

    @property
    def public_jwk(self) -> dict:
        jwk = json.loads(JWK.from_pem(self.public_pem.encode()).export_public())
        return {**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}


def _new_private_pem() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _write_new(path: Path) -> None:
    """Create the key file with owner-only permissions; never overwrite one another process
    just wrote."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "wb") as fh:
        fh.write(_new_private_pem())


def _load(path: Path) -> ToolKey:
    private_pem = path.read_text()
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    kid = JWK.from_pem(public_pem.encode()).thumbprint()  # RFC 7638: stable for the key
    return ToolKey(private_pem, public_pem, kid)


def _folder(instance_path: str | None) -> Path:
    return Path(instance_path or current_app.instance_path)


def current(instance_path: str | None = None) -> ToolKey:
    """The tool's key pair, generated on first use."""
    path = _folder(instance_path) / KEY_FILE
    if not path.exists():
        _write_new(path)
    return _load(path)


def published(instance_path: str | None = None) -> dict:
    """The public key set platforms fetch: the current key, and the previous one after a
    rotation."""
    keys = [current(instance_path).public_jwk]
    previous = _folder(instance_path) / PREVIOUS_KEY_FILE
    if previous.exists():
        keys.append(_load(previous).public_jwk)
    return {"keys": keys}


def rotate(instance_path: str | None = None) -> ToolKey:
    """Replace the key pair: the old one becomes the previous key (still published)."""
    folder = _folder(instance_path)
    path = folder / KEY_FILE
    current(instance_path)
    os.replace(path, folder / PREVIOUS_KEY_FILE)
    _write_new(path)
    return _load(path)
