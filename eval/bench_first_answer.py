"""Time from ``python app.py`` to the first answer on a clean start, and answer latency for one user
alone vs during an upload, measured on the real app through ``gradio_client`` in one run.

    python eval/bench_first_answer.py [--questions 20] [--upload FILE ...] [--library PATH] [--json OUT]

1. **First answer.** Starts ``python app.py`` from this checkout in a fresh temporary folder whose
   ``embeddings/`` is empty (``QA_BOT_EMBEDDINGS``), so the demo library is built as on a clean clone.
   As soon as the server answers HTTP, one question goes to ``/ask`` (retried while the library is
   still too new to hold a search index); reported: seconds from start to the server up, to the first
   answer (and what it used), and to the whole demo stored and searchable by BM25.
   (``--library PATH`` skips this: the server starts on a copy of a built library.)
   ``--first-answer-only`` stops here.
2. **Vectors.** Waits until the background worker has embedded every passage (the manifest's vector
   count reaches its BM25 count) and reports when.
3. **Latency, side by side.** One user asks ``--questions`` questions (``eval/sets/pena_dev.jsonl``,
   in turn) one after another on the idle server; then the same questions while an upload of
   ``--upload`` files (default: four opinions from ``tests/data`` that the demo does not hold) goes
   through the chat's Library tab exactly as a browser sends it (``/gradio_api/upload`` and the
   queue's ``join`` for the Ingest button) and until its passages have vectors. p50 / p95 / max of
   both and their ratio. The machine's load average is printed before and after.

Writes a JSON report with ``--json`` (default ``eval/reports/first_answer.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
sys.path.insert(0, str(ROOT / "tests"))
import loadkit  # noqa: E402  (uploads through the Library tab as a browser sends them, as the load suite does)

DEFAULT_UPLOAD = [DATA / "courtlistener" / "marron-lawbox.txt", DATA / "courtlistener" / "bullington-columbia.txt",
                  DATA / "cap" / "html" / "0456-01.html", DATA / "scotus-subset" / "opinions" / "cited" / "104606_020lead.txt"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(xs: list[float], q: float) -> float | None:
    if not xs:
        return None
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def questions(n: int) -> list[str]:
    rows = [json.loads(line) for line in (ROOT / "eval" / "sets" / "pena_dev.jsonl").read_text().splitlines() if line]
    qs = [r["question"] for r in rows if r.get("answerable", True)]
    return [qs[i % len(qs)] for i in range(n)]


def vector_counts(library: Path) -> tuple[int, int]:
    """(passages with vectors, passages in BM25) from the library's manifest (0, 0 before it exists)."""
    try:
        m = json.loads((library / "manifest.json").read_text())
    except (OSError, ValueError):
        return 0, 0
    return (m.get("vectors") or {}).get("count", 0), (m.get("lexical") or {}).get("count", 0)


def build_done(library: Path) -> bool:
    """The demo's in-place build has finished (its store says so)."""
    import sqlite3

    try:
        db = sqlite3.connect(f"file:{library / 'library.sqlite'}?mode=ro", uri=True, timeout=30)
        try:
            row = db.execute("SELECT value FROM meta WHERE key='demo_built'").fetchone()
        finally:
            db.close()
    except sqlite3.Error:
        return False
    return bool(row and row[0] == "1")


def ask(client, question: str) -> tuple[float, dict]:
    t = time.perf_counter()
    out = client.predict(question=question, answerer="extractive", mode="hybrid", k=5, api_name="/ask")
    return time.perf_counter() - t, out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--questions", type=int, default=20, help="questions per latency phase (default 20)")
    ap.add_argument("--upload", nargs="+", type=Path, default=DEFAULT_UPLOAD, help="files the upload sends")
    ap.add_argument("--library", type=Path, default=None, help="serve a copy of this built library (skips step 1)")
    ap.add_argument("--first-answer-only", action="store_true", help="stop after step 1")
    ap.add_argument("--json", type=Path, default=ROOT / "eval" / "reports" / "first_answer.json")
    ap.add_argument("--timeout", type=float, default=3600, help="give up on any one step after this many seconds")
    args = ap.parse_args()
    if args.questions < 1:
        ap.error("--questions must be at least 1")
    for p in args.upload:
        if not p.is_file():
            ap.error(f"--upload {p}: no such file")
    if args.library is not None and not (args.library / "library.sqlite").is_file():
        ap.error(f"--library {args.library}: not a built library (no library.sqlite)")

    from gradio_client import Client

    report: dict = {"command": " ".join([Path(sys.executable).name, *sys.argv]), "load_before": load(),
                    "cores": os.cpu_count()}
    work = Path(tempfile.mkdtemp(prefix="qa-bot-first-answer-"))
    emb_root = work / "embeddings"
    emb_root.mkdir()
    library = emb_root / "demo"
    if args.library is not None:
        shutil.copytree(args.library, library)
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    env = {**os.environ, "QA_BOT_EMBEDDINGS": str(emb_root), "PYTHONPATH": str(ROOT)}
    log = open(work / "server.log", "w")
    t0 = time.perf_counter()
    server = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--port", str(port)], cwd=work, env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        import httpx

        while True:  # the page is up
            if server.poll() is not None:
                raise RuntimeError(f"app.py exited with {server.returncode}; see {work / 'server.log'}")
            try:
                if httpx.get(url + "config", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.perf_counter() - t0 > args.timeout:
                raise RuntimeError("the server did not come up")
            time.sleep(0.25)
        report["seconds_to_server_up"] = round(time.perf_counter() - t0, 1)
        client = Client(url, verbose=False)
        qs = questions(args.questions)
        while True:
            try:
                took, out = ask(client, qs[0])
                break
            except Exception as e:  # noqa: BLE001 - "still being built": not yet a search index
                if "still being built" not in str(e) or time.perf_counter() - t0 > args.timeout:
                    raise
                time.sleep(0.5)
        report["seconds_to_first_answer"] = round(time.perf_counter() - t0, 1)
        report["first_answer"] = {"seconds": round(took, 2), "retrieval": out.get("retrieval"),
                                  "citations": len(out["citations"]), "abstained": out["abstained"]}
        r = out.get("retrieval") or {}
        print(f"server up after {report['seconds_to_server_up']} s; first answer after "
              f"{report['seconds_to_first_answer']} s ({r.get('used')} over {r.get('passages')} passages, "
              f"{len(out['citations'])} citations; load {load()})", flush=True)
        while args.library is None and not build_done(library):
            if time.perf_counter() - t0 > args.timeout:
                raise RuntimeError("the library build did not finish")
            time.sleep(0.5)
        report["seconds_to_library_searchable"] = round(time.perf_counter() - t0, 1)
        print(f"whole library stored and BM25-searchable after {report['seconds_to_library_searchable']} s",
              flush=True)
        if args.first_answer_only:
            return finish(report, args.json)

        while True:  # the background worker finishes the vectors
            vec, n = vector_counts(library)
            if n and vec >= n:
                break
            if time.perf_counter() - t0 > args.timeout:
                raise RuntimeError(f"vectors still incomplete ({vec} of {n})")
            time.sleep(2)
        report["seconds_to_all_vectors"] = round(time.perf_counter() - t0, 1)
        report["passages"] = n
        print(f"all {n:,} passages embedded after {report['seconds_to_all_vectors']} s (load {load()})", flush=True)

        alone = [ask(client, q)[0] for q in qs]
        print(f"one user alone: p50 {pct(alone, .5):.2f} s, p95 {pct(alone, .95):.2f} s (load {load()})", flush=True)

        result: dict = {}

        def do_upload():
            t = time.perf_counter()
            try:
                result["output"] = loadkit.upload(url, args.upload)
            except Exception as e:  # noqa: BLE001 - reported
                result["error"] = f"{type(e).__name__}: {e}"
            result["seconds"] = time.perf_counter() - t

        up = threading.Thread(target=do_upload, daemon=True)
        before = vector_counts(library)[1]
        up.start()
        during = []
        i = 0
        while True:
            vec, n = vector_counts(library)
            upload_done = "seconds" in result
            if upload_done and (result.get("error") or vec >= n) and during:  # stored, and every vector in
                break
            if time.perf_counter() - t0 > args.timeout:
                raise RuntimeError("the upload did not finish")
            during.append(ask(client, qs[i % len(qs)])[0])
            i += 1
        if result.get("error"):
            raise RuntimeError(result["error"])
        report["upload"] = {"files": [p.name for p in args.upload], "seconds_to_ingested": round(result["seconds"], 1),
                            "passages_added": vector_counts(library)[1] - before}
        report["latency_seconds"] = {
            "one_user_alone": {"n": len(alone), "p50": pct(alone, .5), "p95": pct(alone, .95), "max": max(alone)},
            "during_upload": {"n": len(during), "p50": pct(during, .5), "p95": pct(during, .95), "max": max(during)},
        }
        lat = report["latency_seconds"]
        report["ratio_p50"] = round(lat["during_upload"]["p50"] / lat["one_user_alone"]["p50"], 2)
        report["ratio_p95"] = round(lat["during_upload"]["p95"] / lat["one_user_alone"]["p95"], 2)
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        report["load_after"] = load()
        shutil.rmtree(work, ignore_errors=True)
    lat = report["latency_seconds"]
    print("\n| | questions | p50 s | p95 s | max s |\n|---|---|---|---|---|")
    for name, key in (("one user alone", "one_user_alone"), ("during an upload", "during_upload")):
        row = lat[key]
        print(f"| {name} | {row['n']} | {row['p50']:.2f} | {row['p95']:.2f} | {row['max']:.2f} |")
    print(f"\nduring / alone: p50 x{report['ratio_p50']}, p95 x{report['ratio_p95']}; upload of "
          f"{len(args.upload)} files ({report['upload']['passages_added']} passages) stored and searchable after "
          f"{report['upload']['seconds_to_ingested']} s")
    return finish(report, args.json)


def finish(report: dict, path: Path) -> int:
    report.setdefault("load_after", load())
    print(f"load before {report['load_before']}, after {report['load_after']}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
