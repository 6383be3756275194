"""The nginx site for several instances (deploy/nginx-crm-sandbox.conf), as deploy/multi.py fills
it in: what it promises, and that Debian's nginx accepts it. The environment itself is tested
through nginx in tests/multi (`make multi`)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from deploy import multi

NGINX = Path(multi.NGINX)


def _site(**kw) -> str:
    return multi.render_site(
        ["10.0.0.11:8000", "10.0.0.12:8000"],
        "crm.college.example",
        "/etc/ssl/crm.pem",
        "/etc/ssl/crm.key",
        **kw,
    )


def test_the_site_balances_round_robin_over_every_instance_without_sticky_sessions():
    site = _site()
    upstream = re.search(r"upstream crm_sandbox \{(.*?)\}", site, re.S).group(1)
    servers = re.findall(r"^\s*server (\S+)", upstream, re.M)
    assert servers == ["10.0.0.11:8000", "10.0.0.12:8000"]
    directives = [line.split("#")[0].strip() for line in upstream.splitlines()]
    for sticky in ("ip_hash", "hash ", "sticky", "least_conn"):
        assert not any(d.startswith(sticky) for d in directives), sticky


def test_only_idempotent_requests_are_passed_to_the_other_instance():
    site = _site()
    [retry] = re.findall(r"^\s*proxy_next_upstream ([^;]*);", site, re.M)
    assert retry.split() == ["error", "timeout"]
    assert "non_idempotent" not in retry


def test_the_site_tells_the_app_the_client_address_and_https_and_redirects_http():
    site = _site()
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in site
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in site
    assert "return 301 https://$host$request_uri;" in site
    assert "ssl_certificate /etc/ssl/crm.pem;" in site
    assert "@" not in re.sub(r"#.*", "", site), "every @NAME@ is filled in"


@pytest.mark.skipif(not NGINX.exists(), reason="nginx not installed (apt-get install nginx)")
def test_debian_nginx_accepts_the_site_as_the_environment_fills_it_in(tmp_path):
    certificate, key = multi.self_signed(tmp_path)
    site = multi.render_site(
        ["127.0.0.1:18001", "127.0.0.1:18002"],
        "127.0.0.1 localhost",
        str(certificate),
        str(key),
        https_listen="127.0.0.1:18443",
        http_listen="127.0.0.1:18080",
    )
    (tmp_path / "nginx.conf").write_text(multi.nginx_conf(tmp_path, site))
    checked = subprocess.run(  # noqa: S603
        [str(NGINX), "-t", "-q", "-p", str(tmp_path), "-c", "nginx.conf"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    shutil.rmtree(tmp_path, ignore_errors=True)
