"""Exposure: the app refuses to listen beyond loopback without auth, and serves no file it should not.

`--host 0.0.0.0` without auth is covered by tests/ui/test_api.py; here other non-loopback values.
"""

from __future__ import annotations

import http.client
import re
import subprocess
import time
from urllib.parse import quote, urlsplit

import pytest

from assistant.settings import Settings
from assistant.ui import bind_problem
from tests.reliability.conftest import FIGURES
from tests.ui.conftest import REPO, free_port, serve_command

pytestmark = pytest.mark.reliability

REFUSED_HOSTS = ["192.0.2.1", "10.0.0.5", "::", "fe80::1", "0.0.0.0", "localhost.example.com", "127.0.0.1.nip.io",
                 "", " 127.0.0.1", "0"]
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1", "127.0.0.2"]


@pytest.mark.unit
@pytest.mark.parametrize("host", REFUSED_HOSTS)
def test_non_loopback_host_without_auth_is_refused(host):
    problem = bind_problem(Settings(host=host))
    assert problem and "refusing to listen" in problem and "--auth" in problem


@pytest.mark.unit
@pytest.mark.parametrize("auth", ["nopassword", ":secret", "user:", ":"])
def test_malformed_auth_is_refused_even_on_a_public_host(auth):
    assert bind_problem(Settings(host="192.0.2.1", auth=auth))


@pytest.mark.unit
@pytest.mark.parametrize("host", LOOPBACK_HOSTS)
def test_loopback_hosts_need_no_auth(host):
    assert bind_problem(Settings(host=host)) is None


def test_serve_on_a_non_loopback_address_exits_nonzero_before_binding():
    port = free_port()
    started = time.perf_counter()
    result = subprocess.run(serve_command("--host", "192.0.2.1", "--port", str(port)), cwd=REPO,
                            capture_output=True, text=True, timeout=60)
    elapsed = time.perf_counter() - started
    assert result.returncode != 0
    assert "error: refusing to listen on 192.0.2.1" in result.stderr, result.stderr[-1000:]
    assert "--auth" in result.stderr
    assert "Traceback" not in result.stderr  # a message, not a crash (192.0.2.1 cannot be bound at all)
    assert elapsed < 20, f"refusal took {elapsed:.1f}s: it should not load the index or the model first"


# -- file-serving routes ---------------------------------------------------------------------------------
def _targets(store) -> dict[str, bytes]:
    """File -> bytes that only that file's contents would contain."""
    return {
        "/etc/passwd": b"root:x:0:0",
        str(REPO / "pyproject.toml"): b"[build-system]",
        str(REPO / "corpus" / "manifest.yaml"): b"source_id:",
        str(store / "chroma.sqlite3"): b"SQLite format 3",
        "/proc/self/environ": b"PATH=",
    }


def _paths(target: str) -> list[str]:
    relative_to_repo = target.removeprefix(str(REPO) + "/") if target.startswith(str(REPO)) else None
    up = "../" * 12 + target.lstrip("/")
    forms = [target, up, quote(target, safe=""), quote(up, safe=""), up.replace("../", "%2e%2e%2f"),
             up.replace("../", "%252e%252e%252f"), up.replace("../", "..%5c"), up.replace("../", "....//")]
    if relative_to_repo:
        forms += [relative_to_repo, "./" + relative_to_repo]
    paths = []
    for prefix in ("/file=", "/gradio_api/file=", "/gradio_api/file/", "/static/", "/assets/",
                   "/gradio_api/static/", "/gradio_api/assets/", "/custom_component/x/"):
        paths += [prefix + form for form in forms]
    return paths


def _get(url: str, path: str) -> tuple[int, bytes]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)  # the raw path, not normalised
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read(2_000_000)
    finally:
        connection.close()


@pytest.mark.integration
def test_file_routes_do_not_serve_files_outside_the_app(app_server):
    _, url, store = app_server
    status, body = _get(url, "/")
    assert status == 200 and b"<html" in body.lower()  # the server is up and answers plain requests
    asset = re.search(rb'["\'(]([\w./-]*assets/[\w.-]+\.(?:js|css))', body)
    if asset:  # control: the static route does serve its own files, so the 4xx below mean "refused"
        found = asset.group(1).decode()
        candidates = {found if found.startswith("/") else "/" + found.removeprefix("./"),
                      "/assets/" + found.rsplit("/", 1)[-1]}
        assert 200 in {_get(url, path)[0] for path in candidates}, candidates
    statuses: dict[int, int] = {}
    leaks = []
    tried = 0
    for target, marker in _targets(store).items():
        for path in _paths(target):
            status, body = _get(url, path)
            tried += 1
            statuses[status] = statuses.get(status, 0) + 1
            if marker in body:
                leaks.append(f"{path} -> {status}")
    FIGURES["file_routes"] = {"requests": tried, "statuses": statuses, "leaks": len(leaks)}
    print(FIGURES["file_routes"])
    assert not leaks, leaks
    assert set(statuses) <= {400, 403, 404, 405, 422}, statuses
