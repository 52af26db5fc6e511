"""Long-form load test (issue 10, Build 4): 20 users for 2 minutes while an upload is ingested, against
one user alone measured in the same run, on the real server (``qa-bot serve``, loopback).

    python eval/reliability/load.py --library embeddings/demo [--users 20] [--seconds 120] [--json OUT]

1. Serves a copy of ``--library`` (built, with its vectors) with ``qa-bot serve`` in a child process.
2. *Alone*: one ``/ask`` client asks ``--alone`` questions one after another (``eval/sets/pena_dev.jsonl``).
3. *Loaded*: ``--users`` users for ``--seconds`` - half keep one chat conversation each (the page's own
   event, session state on the server), half ask through ``/ask`` - while an upload of four opinions
   goes through the Library tab as a browser sends it (``tests/loadkit.py``). Every answer is checked:
   errors, the answer to the question sent, a chat conversation holding exactly its own questions
   (no answer delivered to the wrong session), quotes found word for word in the opinion cited.
4. The server's resident memory (``/proc/PID/status`` VmRSS) is sampled every second.

Reports p50 / p95 / max per phase and their ratios, errors and mix-ups, memory, and the load average
before and after (``os.getloadavg``), printed and written as JSON (default
``eval/reports/load.json``). The CI test (``tests/test_load.py``) asserts the correctness part only.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
import loadkit  # noqa: E402

DATA = ROOT / "tests" / "data"
UPLOAD = [DATA / "courtlistener" / "marron-lawbox.txt", DATA / "courtlistener" / "bullington-columbia.txt",
          DATA / "cap" / "html" / "0456-01.html", DATA / "scotus-subset" / "opinions" / "cited" / "104606_020lead.txt"]


def pct(xs: list[float], q: float) -> float | None:
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))], 3) if xs else None


def questions() -> list[str]:
    path = ROOT / "eval" / "sets" / "pena_dev.jsonl"
    return [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def summary(xs: list[float]) -> dict:
    return {"n": len(xs), "p50": pct(xs, 0.5), "p95": pct(xs, 0.95), "max": pct(xs, 1.0)}


def phase(url: str, cfg: dict, qs: list[str], users: int, seconds: float, upload_files: list[Path] | None) -> dict:
    """``users`` users for ``seconds`` (half chat sessions, half /ask), with an upload if given."""
    lock = threading.Lock()
    times: list[float] = []
    errors: list[str] = []
    mixups: list[str] = []
    outputs: list[dict] = []
    counts = {"chat": 0, "api": 0}
    deadline = time.perf_counter() + seconds
    upload: dict = {}

    def do_upload():
        t = time.perf_counter()
        try:
            html = loadkit.upload(url, upload_files, cfg)
            upload.update(seconds=round(time.perf_counter() - t, 1), ingested=html.count("<b>ingested</b>"))
        except Exception as e:  # noqa: BLE001
            with lock:
                errors.append(f"upload: {e!r}")

    def chat_user(u: int):
        session, mine, i = loadkit.new_session(), [], 0
        while time.perf_counter() < deadline:
            q = f"{qs[(u + i) % len(qs)]} (user {u}, question {i})"
            t = time.perf_counter()
            try:
                html = loadkit.chat(url, q, session, cfg)
            except Exception as e:  # noqa: BLE001
                with lock:
                    errors.append(f"chat user {u}: {e!r}")
                return
            dt = time.perf_counter() - t
            mine.append(q.replace("'", "&#x27;").replace('"', "&quot;"))
            seen = re.findall(r'class="qa-msg qa-user"[^>]*>([^<]*)<', html)
            with lock:
                times.append(dt)
                counts["chat"] += 1
                if seen != mine:
                    mixups.append(f"chat user {u}: conversation holds {seen[-3:]} not {mine[-3:]}")
            i += 1

    def api_user(u: int):
        c, i = loadkit.ask_client(url), 0
        while time.perf_counter() < deadline:
            q = f"{qs[(u + i) % len(qs)]} (user {u}, question {i})"
            t = time.perf_counter()
            try:
                out = c.predict(question=q, answerer="extractive", mode="hybrid", k=5, api_name="/ask")
            except Exception as e:  # noqa: BLE001
                with lock:
                    errors.append(f"api user {u}: {e!r}")
                return
            dt = time.perf_counter() - t
            with lock:
                times.append(dt)
                counts["api"] += 1
                outputs.append(out)
                if out.get("question") != q:
                    mixups.append(f"api user {u}: answer to {out.get('question')!r}, asked {q!r}")
            i += 1

    threads = [threading.Thread(target=do_upload)] if upload_files else []
    threads += [threading.Thread(target=chat_user if u % 2 == 0 else api_user, args=(u,)) for u in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {**summary(times), **counts, "errors": errors, "mixups": mixups, "upload": upload,
            "ended_at": time.perf_counter(), "outputs": outputs}


def memory_report(samples: list[tuple[float, float]], ends: list[float]) -> dict:
    """The server's RSS (MB) when the measured phases began, at the end of each, and its maximum."""
    def at(t: float) -> float | None:
        before = [m for s, m in samples if s <= t]
        return before[-1] if before else None

    return {"samples": len(samples), "max": max((m for _, m in samples), default=None),
            "first_sample": samples[0][1] if samples else None,
            "end_of_phase": {name: at(t) for name, t in zip(("plain", "upload", "after"), ends)}}


def check_quotes(lib: Path, outputs: list[dict]) -> dict:
    """Every quote of every /ask answer, found word for word in the opinion it cites."""
    from qa_bot.library import Library

    wrong = checked = 0
    with Library.open(lib) as library:
        for out in outputs:
            for c in out.get("citations", []):
                checked += 1
                wrong += c["quote"] not in library.opinion(c["opinion_id"]).text
    return {"checked": checked, "wrong": wrong}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--library", type=Path, required=True, help="a built library (with vectors) to serve a copy of")
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=120)
    ap.add_argument("--alone", type=int, default=20, help="questions asked by the one user alone")
    ap.add_argument("--json", type=Path, default=ROOT / "eval" / "reports" / "load.json")
    args = ap.parse_args()
    if not (args.library / "library.sqlite").is_file():
        ap.error(f"--library {args.library}: not a built library")
    qs = questions()
    report: dict = {"command": " ".join(["python", *sys.argv]), "load_before": os.getloadavg(), "users": args.users,
                    "seconds": args.seconds, "cores": os.cpu_count()}
    work = Path(tempfile.mkdtemp(prefix="qa-bot-load-"))
    lib = work / "lib"
    shutil.copytree(args.library, lib, ignore=shutil.ignore_patterns("uploads", "writer.lock"))
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    log = open(work / "server.log", "w")
    server = subprocess.Popen([sys.executable, "-c", "import sys; from qa_bot.cli import main; sys.exit(main())",
                               "serve", "--index", str(lib), "--port", str(port), "--quiet"],
                              cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
    memory: list[tuple[float, float]] = []
    stop = threading.Event()
    try:
        import httpx

        t0 = time.perf_counter()
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"the server exited; see {work / 'server.log'}")
            try:
                if httpx.get(url + "config", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
            if time.perf_counter() - t0 > 900:
                raise RuntimeError("the server did not come up")

        def sample():
            while not stop.is_set():
                m = rss_mb(server.pid)
                if m is not None:
                    memory.append((time.perf_counter(), round(m, 1)))
                stop.wait(1.0)

        threading.Thread(target=sample, daemon=True).start()
        cfg = loadkit.config(url)
        client = loadkit.ask_client(url)
        client.predict(question=qs[0], api_name="/ask")  # warm: model loaded, snapshot read
        alone = []
        for i in range(args.alone):
            t = time.perf_counter()
            client.predict(question=qs[i % len(qs)], answerer="extractive", mode="hybrid", k=5, api_name="/ask")
            alone.append(time.perf_counter() - t)

        report["alone"] = summary(alone)
        report["rss_after_alone_mb"] = rss_mb(server.pid)
        report["plain"] = phase(url, cfg, qs, args.users, args.seconds / 2, None)  # 20 users, no upload
        report["upload"] = phase(url, cfg, qs, args.users, args.seconds, UPLOAD)  # ... during an upload
        report["after"] = phase(url, cfg, qs, args.users, args.seconds / 2, None)  # ... again: memory settled?
        stop.set()
        report["memory_mb"] = memory_report(memory, [report[k].pop("ended_at") for k in ("plain", "upload", "after")])
        report["quotes_checked"] = check_quotes(lib, [o for k in ("plain", "upload", "after") for o in report[k].pop("outputs")])
        report["load_after"] = os.getloadavg()
        for k in ("plain", "upload"):
            report[f"ratio_{k}_vs_alone"] = {q: round(report[k][q] / report["alone"][q], 2) for q in ("p50", "p95")}
        report["ratio_upload_vs_plain"] = {q: round(report["upload"][q] / report["plain"][q], 2) for q in ("p50", "p95")}
        report["errors"] = sum(len(report[k]["errors"]) for k in ("plain", "upload", "after"))
        report["mixups"] = sum(len(report[k]["mixups"]) for k in ("plain", "upload", "after"))
    finally:
        stop.set()
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in report.items() if k != "memory_samples"}, indent=1))
    shutil.rmtree(work, ignore_errors=True)
    return 1 if report.get("errors") or report.get("mixups") or report.get("quotes_checked", {}).get("wrong") else 0


if __name__ == "__main__":
    sys.exit(main())
