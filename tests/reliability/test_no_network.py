"""Nothing phones home: ingest, answering and the web app run with every outbound connection blocked.

The blocking runs in a child process (so the patch never leaks into other tests): socket.connect,
connect_ex, create_connection, sendto and getaddrinfo are wrapped; a non-loopback destination is recorded
and refused, a loopback one other than the app's own port is recorded. The parent also samples the
child's open connections with psutil, which sees sockets opened by native code (Rust, C) as well.
"""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import psutil
import pytest
import yaml

from assistant.runtime import OFFLINE_ENV
from tests.reliability.conftest import FIGURES

pytestmark = [pytest.mark.reliability, pytest.mark.integration]

REPO = Path(__file__).resolve().parents[2]
SMALL = ["001_afa225e47d7fdaac.txt", "004_e9a59da55df5eadc.txt"]

CHILD = r'''
import ipaddress, json, os, socket, sys, traceback

REPORT = sys.argv[1]
CORPUS, STORE = sys.argv[2], sys.argv[3]
state = {"blocked": [], "loopback": [], "dns": [], "app_port": None, "steps": [], "env": {}, "error": None}


def loopback(host):
    host = str(host).strip("[]")
    if host in ("localhost", "", "0.0.0.0", "::"):
        return host in ("localhost",)
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def record(address, via, family=None):
    if family == getattr(socket, "AF_UNIX", None) or not isinstance(address, tuple):
        return  # a local socket file, not the network
    host, port = str(address[0]), address[1]
    if loopback(host):
        if port != state["app_port"]:
            state["loopback"].append(f"{via} {host}:{port}")
        return
    state["blocked"].append(f"{via} {host}:{port}")
    raise ConnectionRefusedError(f"network blocked by test: {host}:{port}")


_connect, _connect_ex, _sendto = socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto
_create, _getaddrinfo = socket.create_connection, socket.getaddrinfo


def connect(self, address):
    record(address, "connect", self.family)
    return _connect(self, address)


def connect_ex(self, address):
    record(address, "connect_ex", self.family)
    return _connect_ex(self, address)


def sendto(self, data, *args):
    address = args[-1]
    record(address, "sendto", self.family)
    return _sendto(self, data, *args)


def create_connection(address, *args, **kwargs):
    record(tuple(address), "create_connection")
    return _create(address, *args, **kwargs)


def getaddrinfo(host, *args, **kwargs):
    name = host.decode() if isinstance(host, bytes) else str(host)
    if host is not None and not loopback(name):
        try:
            ipaddress.ip_address(name)
        except ValueError:
            state["dns"].append(name)
            raise socket.gaierror(socket.EAI_NONAME, f"name lookup blocked by test: {name}")
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto = connect, connect_ex, sendto
socket.create_connection, socket.getaddrinfo = create_connection, getaddrinfo

# The instrument works: an outbound connection and a name lookup are caught (then set aside).
for attempt in (lambda: socket.create_connection(("192.0.2.1", 80), timeout=1),
                lambda: __import__("urllib.request").request.urlopen("http://example.invalid/", timeout=1)):
    try:
        attempt()
    except OSError as error:
        state.setdefault("selfcheck", []).append(type(error).__name__)
state["selfcheck_recorded"] = state["blocked"] + state["dns"]
state["blocked"], state["dns"] = [], []

try:
    import assistant  # noqa: F401  (must switch the process offline on import)
    state["env"] = {key: os.environ.get(key) for key in ("HF_HUB_OFFLINE", "GRADIO_ANALYTICS_ENABLED",
                    "ANONYMIZED_TELEMETRY", "HF_HUB_DISABLE_TELEMETRY", "DO_NOT_TRACK", "TRANSFORMERS_OFFLINE")}
    from pathlib import Path
    from assistant.settings import Settings
    from ingest.pipeline import run_ingest
    from assistant.retrieval.dense import build_embedder
    from assistant.pipeline import Assistant
    from assistant.assembly import build_assistant
    from assistant.ui import build_app, launch_options

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    state["app_port"] = port
    settings = Settings(corpus_dir=Path(CORPUS), store_dir=Path(STORE), port=port)
    report = run_ingest(settings, embedder=build_embedder(settings))
    state["steps"].append(f"ingest: {report.documents} documents, {report.chunks} chunks")

    bot = build_assistant(settings)
    answers = [bot.ask(q) for q in ("What did BASW England say about the reforms?",
                                    "What powers will Ofsted get?", "What is the capital of France?")]
    state["steps"].append("asks: " + ", ".join(a.status for a in answers))
    assert answers[0].status == "answered", answers[0].answer

    app = build_app(bot, settings)
    app.launch(**launch_options(settings), prevent_thread_lock=True)
    try:
        from gradio_client import Client
        client = Client(f"http://127.0.0.1:{port}/", verbose=False, analytics_enabled=False, download_files=False)
        text = client.predict("What powers will Ofsted get?", api_name="/ask")
        state["steps"].append(f"/ask over loopback: {len(text)} characters, cited={'[1]' in text}")
        assert "[1]" in text, text
    finally:
        app.close()
except BaseException as error:  # report everything; the parent decides
    state["error"] = "".join(traceback.format_exception(error))[-4000:]
finally:
    with open(REPORT, "w", encoding="utf-8") as handle:
        json.dump(state, handle, indent=2)
'''


def _foreign_connections(proc: psutil.Process) -> set[str]:
    found = set()
    for process in [proc, *proc.children(recursive=True)]:
        try:
            connections = process.net_connections(kind="inet")
        except psutil.Error:
            continue
        for connection in connections:
            if connection.raddr and not ipaddress.ip_address(connection.raddr.ip).is_loopback:
                found.add(f"{connection.raddr.ip}:{connection.raddr.port} ({connection.status})")
    return found


def test_nothing_connects_beyond_loopback(tmp_path):
    corpus, store = tmp_path / "corpus", tmp_path / "store"
    corpus.mkdir()
    for name in SMALL:
        shutil.copy(REPO / "corpus" / name, corpus / name)
    manifest = yaml.safe_load((REPO / "corpus" / "manifest.yaml").read_text(encoding="utf-8"))
    (corpus / "manifest.yaml").write_text(yaml.safe_dump({name: manifest[name] for name in SMALL}), encoding="utf-8")
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    report = tmp_path / "report.json"

    # The child starts with none of the offline switches: importing assistant must set them itself.
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("ASSISTANT_") and key not in OFFLINE_ENV}
    env["PYTHONPATH"] = str(REPO)
    log = open(tmp_path / "child.log", "w", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(script), str(report), str(corpus), str(store)], cwd=tmp_path,
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    seen: set[str] = set()
    stop = threading.Event()

    def sample():
        watched = psutil.Process(proc.pid)
        while not stop.is_set() and proc.poll() is None:
            seen.update(_foreign_connections(watched))
            stop.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        proc.wait(timeout=600)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
        pytest.fail("the no-network run did not finish in 600s")
    finally:
        stop.set()
        sampler.join(timeout=5)
        log.close()

    state = json.loads(report.read_text(encoding="utf-8"))
    figures = {"non_loopback_attempts": state["blocked"], "dns_lookups": state["dns"],
               "other_loopback_connections": sorted(set(state["loopback"])),
               "foreign_sockets_seen_by_psutil": sorted(seen), "steps": state["steps"]}
    FIGURES["no_network"] = figures
    print(json.dumps(figures, indent=2))
    caught = " ".join(state["selfcheck_recorded"])
    assert "192.0.2.1:80" in caught and "example.invalid" in caught, state  # the instrument itself works
    assert state["error"] is None, state["error"] + "\n" + (tmp_path / "child.log").read_text()[-3000:]
    assert state["env"]["HF_HUB_OFFLINE"] == "1"
    assert state["env"]["GRADIO_ANALYTICS_ENABLED"] == "False"
    assert state["env"]["ANONYMIZED_TELEMETRY"] == "False"
    assert len(state["steps"]) == 3
    assert state["blocked"] == [], state["blocked"]
    assert state["dns"] == [], state["dns"]
    assert not seen, seen
