"""The simulated platform serves its key set over real HTTP and signs tokens that verify with it."""

from __future__ import annotations

import jwt
import requests


def test_the_platform_publishes_its_key_set_and_signs_with_it(platform):
    key_set = requests.get(platform.key_set_url, timeout=5).json()
    assert [k["kid"] for k in key_set["keys"]] == [platform.kid]
    token = platform.sign({"iss": platform.issuer, "aud": platform.client_id})
    key = jwt.PyJWK(key_set["keys"][0]).key
    body = jwt.decode(token, key, algorithms=["RS256"], audience=platform.client_id)
    assert body["iss"] == platform.issuer
