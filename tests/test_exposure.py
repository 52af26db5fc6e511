"""Exposure (issue 10, Build 6): no outbound connection during ingest, search, ask and serving; the
chat listens on loopback unless told otherwise (and then only behind a password: ``test_ui``); upload
names cannot leave the library's uploads folder; uploads have size and count limits with a clear
message; the server survives clients that disconnect mid-answer.

Two independent proofs of "offline": the CLI runs in a network namespace with no network at all
(``unshare -n``, when the machine allows it), and every command - the server included, while users
ask and upload - runs under an audit hook that records each connect, send, bind and name lookup of any
library in the process (``tests/netwatch.py``), all of which must be loopback.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from conftest import DATA, LONG, free_port

import loadkit

ROOT = Path(__file__).resolve().parents[1]
WATCH = [sys.executable, str(Path(__file__).with_name("netwatch.py"))]
LOOPBACK = {"127.0.0.1", "::1", "localhost", "0.0.0.0", "", None}  # 0.0.0.0 / "": bind or lookup of "any", local
QUESTION = "What did the court hold about qualified immunity?"


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def _hosts(log: Path) -> set:
    if not log.exists():
        return set()
    return {json.loads(line)["host"] for line in log.read_text(encoding="utf-8").splitlines()}


def _run(log: Path, *args: str, prefix: tuple = ()) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, *WATCH, str(log), "--", *args, "--quiet"], capture_output=True, text=True,
                          env=_env(), timeout=1800)


def _no_network_available() -> str:
    """Why ``unshare -n`` cannot be used here ("" when it can)."""
    if not shutil.which("unshare"):
        return "no unshare command"
    r = subprocess.run(["unshare", "-n", "true"], capture_output=True, text=True)
    return "" if r.returncode == 0 else f"unshare -n is not permitted here ({r.stderr.strip()[:100]})"


@pytest.mark.parametrize("isolated", [True, False], ids=["no-network-namespace", "audit-hook"])
def test_ingest_search_and_ask_need_no_network(tmp_path, isolated):
    prefix = ()
    why = _no_network_available()
    if isolated:
        if why:
            pytest.skip(why)
        prefix = ("unshare", "-n")
    elif not why and not LONG:
        pytest.skip("proved in a namespace without network above (QA_BOT_LONG=1 runs this form too)")
    log, lib = tmp_path / "net.jsonl", str(tmp_path / "lib")
    r = _run(log, "ingest", str(DATA / "pena-v-deprisco.txt"), "--index", lib, prefix=prefix)  # embeds with the model
    assert r.returncode == 0 and r.stdout.startswith("ingested"), r.stderr[-2000:]
    r = _run(log, "search", "qualified immunity", "--mode", "hybrid", "--index", lib, prefix=prefix)
    assert r.returncode == 0 and "Pena v. DePrisco" in r.stdout, r.stderr[-2000:]
    r = _run(log, "ask", QUESTION, "--index", lib, prefix=prefix)
    assert r.returncode == 0 and "432 F.3d 98" in r.stdout, r.stderr[-2000:]
    assert _hosts(log) <= LOOPBACK, _hosts(log)


@pytest.fixture(scope="module")
def watched_server(tmp_path_factory):
    """``qa-bot serve`` (default host) over a library holding Pena, under the audit hook."""
    root = tmp_path_factory.mktemp("expose")
    lib = root / "lib"
    r = subprocess.run([sys.executable, "-c", "import sys; from qa_bot.cli import main; sys.exit(main())", "ingest",
                        str(DATA / "pena-v-deprisco.txt"), "--index", str(lib), "--quiet"],
                       capture_output=True, text=True, env=_env(), timeout=1800)
    assert r.returncode == 0, r.stderr[-2000:]
    port, log = free_port(), root / "net.jsonl"
    server = subprocess.Popen([*WATCH, str(log), "--", "serve", "--index", str(lib), "--port", str(port), "--quiet"],
                              env=_env(), stdout=subprocess.DEVNULL, stderr=open(root / "server.err", "w"))
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 900
    while True:
        assert server.poll() is None, (root / "server.err").read_text()[-2000:]
        try:
            if httpx.get(url + "config", timeout=5).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "the server did not come up"
        time.sleep(0.5)
    yield url, port, lib, log, server
    server.terminate()
    server.wait(60)


def test_the_server_listens_on_loopback_only_by_default(watched_server):
    _, port, *_ = watched_server
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:  # LISTEN on our port
                listening.append(local.rsplit(":", 1)[0])
    assert listening and all(a in ("0100007F", "00000000000000000000000001000000") for a in listening), listening


def test_serving_users_makes_no_outbound_connection(watched_server, tmp_path):
    url, _, _, log, _ = watched_server
    cfg = loadkit.config(url)
    out = loadkit.ask_client(url).predict(question=QUESTION, mode="hybrid", api_name="/ask")
    assert out["citations"]
    assert "qa-cite" in loadkit.chat(url, QUESTION, loadkit.new_session(), cfg)
    up = tmp_path / "marron.txt"
    shutil.copy(DATA / "courtlistener" / "marron-lawbox.txt", up)
    assert "<b>ingested</b>" in loadkit.upload(url, [up], cfg)
    time.sleep(2)  # the background worker embeds the upload's passages
    assert _hosts(log) <= LOOPBACK, _hosts(log)


def test_upload_names_cannot_leave_the_uploads_folder(watched_server, tmp_path):
    url, _, lib, _, _ = watched_server
    cfg = loadkit.config(url)
    marker = f"escape-{os.getpid()}"
    names = [f"../../../../tmp/{marker}-1.txt", f"..\\..\\..\\{marker}-2.txt", f"/tmp/{marker}-3.txt",
             f"....//....//{marker}-4.txt", f"%2e%2e%2f{marker}-5.txt", f".{marker}-6.txt"]
    files = []
    for i, name in enumerate(names):
        p = tmp_path / f"f{i}.txt"
        p.write_text(f"The court held that upload {i} is an opinion about the zebra crossing rule.\n", encoding="utf-8")
        files.append((name, p))
    with httpx.Client(timeout=loadkit.TIMEOUT) as http:
        sent = http.post(url + "gradio_api/upload",
                         files=[("files", (name, p.read_bytes(), "text/plain")) for name, p in files])
        sent.raise_for_status()
    data = [{"path": path, "orig_name": name, "meta": {"_type": "gradio.FileData"}}
            for path, (name, _) in zip(sent.json(), files)]
    html = loadkit.event(url, "ui_ingest", [data], loadkit.new_session(), cfg)[0]
    assert html.count("<b>ingested</b>") + html.count("<b>duplicate</b>") == len(names), html
    stored = list((lib / "uploads").iterdir())
    assert all(p.parent == lib / "uploads" and not p.name.startswith(".") for p in stored), stored
    for base in (Path("/tmp"), lib, lib.parent, Path("/")):
        assert not list(base.glob(f"*{marker}*")), list(base.glob(f"*{marker}*"))


def test_upload_count_and_size_limits_are_clear(tmp_path):
    from qa_bot.library import Library
    from qa_bot.web.app import ChatApp
    from qa_bot.web.library_tab import MAX_UPLOAD_FILES

    lib = Library.open(tmp_path / "lib", create=True)
    try:
        app = ChatApp(lib, max_upload_mb=1, embed=False)
        files = []
        for i in range(MAX_UPLOAD_FILES + 2):
            p = tmp_path / f"op{i:03d}.txt"
            p.write_text(f"The court held that rule number {i} governs the zebra crossing {i}.\n", encoding="utf-8")
            files.append(str(p))
        big = tmp_path / "big.txt"
        big.write_bytes(b"The court held. " * 70_000)
        result, *_ = app.ingest([str(big)] + files, progress=lambda *a, **k: None)
        assert "over the 1 MB upload limit" in result
        assert result.count(f"over the limit of {MAX_UPLOAD_FILES} files per upload") == 3  # the last three
        assert result.count("<b>ingested</b>") == MAX_UPLOAD_FILES - 1
    finally:
        lib.close()


def test_the_server_survives_clients_that_leave_mid_answer(watched_server):
    url, *_ = watched_server
    cfg = loadkit.config(url)
    dep = next(d for d in cfg["dependencies"] if d.get("api_name") == "ui_ask")
    for _ in range(6):  # join the queue, read the first event, hang up
        session = loadkit.new_session()
        with httpx.Client(timeout=loadkit.TIMEOUT) as http:
            http.post(url + "gradio_api/queue/join", json={
                "data": [QUESTION, None, "extractive", "hybrid", 5, [], None, None, None], "fn_index": dep["id"],
                "session_hash": session, "event_data": None, "trigger_id": None}).raise_for_status()
            with http.stream("GET", url + f"gradio_api/queue/data?session_hash={session}") as stream:
                for line in stream.iter_lines():
                    if line.startswith("data:"):
                        break
    for _ in range(3):  # the ones who stayed are answered
        out = loadkit.ask_client(url).predict(question=QUESTION, mode="hybrid", api_name="/ask")
        assert out["citations"] and out["question"] == QUESTION
    assert "qa-cite" in loadkit.chat(url, QUESTION, loadkit.new_session(), cfg)
