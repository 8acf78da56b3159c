"""The shipped nginx configuration (deploy/nginx/kepatuhan.conf) is valid for Debian's nginx and
agrees with the settings: its body limit is the evidence limit plus the stated headroom, and it
sets the forwarded headers the application trusts from its proxy.

``nginx -t`` runs on a copy of deploy/nginx/ in a temporary directory in which the two
certificate paths point at a throwaway self-signed certificate (nginx -t loads them) and the
``listen`` addresses are free loopback ports (nginx -t binds them: ports 80 and 443 need root,
and ``[::]`` needs IPv6); every other line is checked as shipped, and the shipped ``listen``
lines are read separately."""
import re
import shutil
import socket
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy" / "nginx"
SITE = DEPLOY / "kepatuhan.conf"
HEADROOM = 1024 * 1024  # multipart framing and the other fields; see the comment in the file
NGINX = shutil.which("nginx") or next(
    (path for path in ("/usr/sbin/nginx",) if Path(path).exists()), None)
UNITS = {"": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}


def directives(name: str) -> list[str]:
    """The arguments of every ``name`` directive in the site file (comments stripped)."""
    text = "\n".join(line.split("#", 1)[0] for line in SITE.read_text().splitlines())
    return [match.group(1).strip() for match in
            re.finditer(rf"(?:^|[;{{}}\s]){re.escape(name)}\s+([^;{{}}]+);", text)]


def size_in_bytes(value: str) -> int:
    match = re.fullmatch(r"(\d+)([kKmMgG]?)", value)
    assert match, value
    return int(match.group(1)) * UNITS[match.group(2).lower()]


def test_the_body_limit_is_the_evidence_limit_plus_headroom():
    limits = directives("client_max_body_size")
    assert len(limits) == 1, limits  # no location overrides it
    assert size_in_bytes(limits[0]) == settings.EVIDENCE_MAX_BYTES + HEADROOM


def test_the_size_parser_reads_nginx_units():
    assert [size_in_bytes(v) for v in ("11m", "11M", "512k", "1g", "100")] == [
        11_534_336, 11_534_336, 524_288, 1_073_741_824, 100]


def test_requests_go_to_gunicorn_on_the_loopback_with_the_trusted_headers():
    assert directives("server") == ["127.0.0.1:8000"]  # inside the upstream block
    assert directives("proxy_pass") == ["http://kepatuhan_app"]
    headers = dict(value.split(None, 1) for value in directives("proxy_set_header"))
    # compliance/client_ip.py reads X-Forwarded-For from TRUSTED_PROXIES; overwriting it with
    # the peer's address drops whatever the client sent.
    assert headers["X-Forwarded-For"] == "$remote_addr"
    # SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") behind a trusted proxy.
    assert headers["X-Forwarded-Proto"] == "$scheme"
    assert headers["Host"] == "$host"
    for timeout in ("proxy_connect_timeout", "proxy_read_timeout", "client_body_timeout"):
        assert len(directives(timeout)) == 1, timeout


def test_https_is_served_and_plain_http_redirects_to_it():
    assert directives("listen") == ["80", "[::]:80", "443 ssl http2", "[::]:443 ssl http2"]
    assert directives("return") == ["301 https://$host$request_uri"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed (Debian package nginx; "
                                          ".ci/run installs it)")
def test_nginx_accepts_the_configuration(tmp_path):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed for a throwaway certificate (.ci/run installs it)")
    conf = tmp_path / "conf"
    shutil.copytree(DEPLOY, conf)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=kepatuhan.example.go.id", "-keyout", str(tmp_path / "key.pem"),
                    "-out", str(tmp_path / "cert.pem")], check=True, capture_output=True)
    site = conf / "kepatuhan.conf"
    text = site.read_text()
    for directive, path in [("ssl_certificate", tmp_path / "cert.pem"),
                            ("ssl_certificate_key", tmp_path / "key.pem")]:
        text, count = re.subn(rf"^(\s*{directive}) /etc/ssl/kepatuhan/\S+;$",
                              rf"\1 {path};", text, flags=re.M)
        assert count == 1, directive
    text, count = re.subn(r"^(\s*listen) (?:\[::\]:)?(?:80|443)\b",
                          lambda match: f"{match.group(1)} 127.0.0.1:{free_port()}",
                          text, flags=re.M)
    assert count == 4
    site.write_text(text)
    prefix = tmp_path / "prefix"
    (prefix / "tmp").mkdir(parents=True)
    result = subprocess.run([NGINX, "-t", "-p", f"{prefix}/", "-e", "stderr",
                             "-c", str(conf / "check.conf")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
    # The check really read the site: a broken directive in it fails.
    site.write_text(text.replace("client_max_body_size 11m;", "client_max_body_size eleven;"))
    broken = subprocess.run([NGINX, "-t", "-p", f"{prefix}/", "-e", "stderr",
                             "-c", str(conf / "check.conf")],
                            capture_output=True, text=True, timeout=60)
    assert broken.returncode != 0 and "client_max_body_size" in broken.stderr
