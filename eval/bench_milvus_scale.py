"""Scale evidence for the Milvus backend: >= 1M passages through Milvus Lite, in one run.

What is simulated, and how (read this before quoting a figure):
  * texts: the demo library's real passages (4,814), repeated to N passages; each copy gets its own
    id, opinion id (one "opinion" per 100 passages), a court drawn from 50 court ids and a year drawn
    from 1950-2025, so the court / year filters select realistic fractions (~2% and ~13%);
  * BM25 weights: real, computed with qa-bot's tokeniser from each text (``backends.milvus_io``), with
    the library's document frequencies scaled to N;
  * vectors: SYNTHETIC -- each copy is its source passage's real all-MiniLM-L6-v2 vector plus Gaussian
    noise (sigma 0.05 per dimension, renormalised), so neighbours are realistic but no two vectors are
    equal. Embedding 1M passages for real would take ~8 CPU-hours here (35 passages/s).
  * queries: the questions of eval/sets/*.jsonl, embedded for real before the clock starts.

Steps, each timed and written to --json as soon as it is done (a run stopped half-way keeps its figures):
  insert   rows/s, client -> Milvus Lite, batches of --batch rows. The passage collection is released
           while inserting, so Milvus Lite builds no index in the background and the next step times
           the whole build;
  flush    the memtable written out;
  index    ``load_collection``: Milvus Lite builds each segment's HNSW (dense) and INVERTED (scalar)
           indexes here and keeps them on disk (a later open only reads them: ``--reuse``);
  count    one ``count(*)`` of the passages without a vector, which a search runs at most every
           ``COUNTS_SECONDS`` (a scan of every row on Milvus Lite; timed once here, not per query);
  search   per mode, in --modes order (dense first: it needs no sparse index): the first query alone
           (for bm25 it builds Milvus Lite's per-segment sparse postings, in Python), then p50 / p95
           over --queries questions without a filter, with a court, a year range, and both;
           the memory after each mode.

--server runs Milvus Lite as its own process (``python -m milvus_lite server``), reached over gRPC
(``milvus://127.0.0.1:PORT/sim``: the cluster's client path). Memory is then the server's RSS alone,
and a watchdog stops the server when its RSS passes --max-gb or the machine's available memory falls
under --min-free-gb: on a shared machine a step that does not fit is a measured "does not fit" instead
of the kernel's out-of-memory killer choosing a victim. Without --server, Milvus Lite runs in this
process (``milvus-lite://``, what ``qa-bot`` does) and memory is this process's RSS.

    nice -n 10 .venv/bin/python eval/bench_milvus_scale.py --passages 1000000 --server --db /tmp/sim.db \
        --json eval/reports/milvus_scale_1m.json
    nice -n 10 .venv/bin/python eval/bench_milvus_scale.py --reuse --server --db /tmp/sim.db --modes bm25
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qa_bot.backends import milvus as mv  # noqa: E402
from qa_bot.backends import milvus_io as mio  # noqa: E402
from qa_bot.backends.base import Filters  # noqa: E402
from qa_bot.backends.uri import parse  # noqa: E402
from qa_bot.index.manifest import embedding_entry  # noqa: E402

GB = 2**30


def rss_of(pid: int | str = "self", field: str = "VmRSS") -> float:
    """Resident memory of a process in bytes (``VmHWM``: its peak)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0.0


def mem_available() -> float:
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return 0.0


class Engine:
    """Where Milvus Lite runs: this process, or a ``milvus_lite server`` process with a memory watchdog."""

    def __init__(self, db: Path, server: bool, max_gb: float, min_free_gb: float):
        self.db, self.server = db, server
        self.max_bytes, self.min_free = max_gb * GB, min_free_gb * GB
        self.proc: subprocess.Popen | None = None
        self.peak = 0.0
        self.killed = ""
        self.uri = f"milvus-lite://{db}#sim"
        if server:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
            self.proc = subprocess.Popen([sys.executable, "-m", "milvus_lite", "server", "--data-dir", str(db),
                                          "--host", "127.0.0.1", "--port", str(port)],
                                         stdout=subprocess.DEVNULL, stderr=open(str(db) + ".server.log", "ab"))
            self.uri = f"milvus://127.0.0.1:{port}/sim"
            deadline = time.monotonic() + 600
            while True:
                try:
                    mio.connect(parse(self.uri)).close()
                    break
                except mio.BackendUnavailable:
                    if time.monotonic() > deadline or self.proc.poll() is not None:
                        raise
                    time.sleep(0.5)
        self._stop = threading.Event()
        threading.Thread(target=self._watch, daemon=True).start()

    @property
    def pid(self) -> int | str:
        return self.proc.pid if self.proc else "self"

    def rss(self) -> float:
        return rss_of(self.pid)

    def _watch(self) -> None:
        while not self._stop.wait(0.5):
            r = self.rss()
            self.peak = max(self.peak, r)
            if self.proc is None or self.proc.poll() is not None:
                continue
            free = mem_available()
            if r > self.max_bytes or free < self.min_free:
                self.killed = (f"stopped by the benchmark's watchdog: server RSS {r / GB:.1f} GB (cap {self.max_bytes / GB:.1f}), "
                               f"machine's available memory {free / GB:.1f} GB (floor {self.min_free / GB:.1f})")
                print("  " + self.killed, flush=True)
                self.proc.send_signal(signal.SIGKILL)

    def close(self) -> None:
        self._stop.set()
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(120)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def load_source(index: Path):
    """The demo library's passages and their real vectors."""
    import faiss

    from qa_bot.ingest.store import Store

    store = Store(index, create=False)
    passages = store.passages()
    m = json.loads((index / "manifest.json").read_text())
    vec_index = faiss.read_index(str(index / m["vectors"]["file"]))
    vecs = np.stack([vec_index.reconstruct(int(p.id)) for p in passages]).astype(np.float32)
    store.close()
    return passages, vecs


def questions() -> list[str]:
    out = []
    for f in sorted((ROOT / "eval" / "sets").glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                q = json.loads(line).get("question")
                if q:
                    out.append(q)
    return out


class _Precomputed:
    """The embedder, with the benchmark's questions embedded ahead of time."""

    def __init__(self, emb, questions: list[str]):
        self.name, self.identity, self.dim = emb.name, emb.identity, emb.dim
        self.query_prompt, self.document_prompt, self.normalize = emb.query_prompt, emb.document_prompt, emb.normalize
        for attr in ("encoder", "precision"):
            if hasattr(emb, attr):
                setattr(self, attr, getattr(emb, attr))
        self.vectors = dict(zip(questions, emb.encode_queries(questions)))

    def encode_queries(self, texts):
        return np.stack([self.vectors[t] for t in texts])


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


FILTERS = {"none": Filters(), "court": Filters(courts=("court07",)), "years": Filters(years=(1990, 1999)),
           "court+years": Filters(courts=("court07",), years=(1970, None))}


def run_queries(lib, eng: Engine, args, out: dict, save) -> None:
    from qa_bot.index.embed import Embedder
    from qa_bot.settings import EmbedSettings

    emb = Embedder(EmbedSettings())
    if not lib.meta().get("embedding"):
        lib._put_meta({**lib.meta(), "embedding": embedding_entry(emb)})
    qs = questions()[: args.queries]
    pre = _Precomputed(emb, qs)  # the questions are embedded once, before the clock starts
    weights = {"bm25": 1.0, "dense": 1.0}

    t = time.perf_counter()
    lib._counts_cache = None
    lib._counts()
    out["count_scan_seconds"] = round(time.perf_counter() - t, 2)
    mv.COUNTS_SECONDS = float("inf")  # timed once above; a search repeats it at most every 30 s
    print(f"  count(*) of passages without a vector: {out['count_scan_seconds']} s", flush=True)

    out.setdefault("search", {})
    for mode in args.modes.split(","):
        rec: dict = {}
        out["search"][mode] = rec
        try:
            t = time.perf_counter()
            lib.candidates(qs[0], 100, mode, Filters(), pre, 10, weights)
            rec["first_query_seconds"] = round(time.perf_counter() - t, 2)
            rec["memory_gb_after_first_query"] = round(eng.rss() / GB, 2)
            print(f"  {mode:<6} first query {rec['first_query_seconds']} s, memory {rec['memory_gb_after_first_query']} GB",
                  flush=True)
            for fname, f in FILTERS.items():
                xs = []
                for q in qs:
                    t = time.perf_counter()
                    lib.candidates(q, 100, mode, f, pre, 10, weights)
                    xs.append((time.perf_counter() - t) * 1000)
                rec[fname] = {"p50_ms": round(pct(xs, 50), 1), "p95_ms": round(pct(xs, 95), 1), "queries": len(xs)}
                print(f"  {mode:<6} filter={fname:<12} p50 {pct(xs, 50):8.1f} ms  p95 {pct(xs, 95):8.1f} ms", flush=True)
            rec["memory_gb_after"] = round(eng.rss() / GB, 2)
            rec["load_after"] = round(os.getloadavg()[0], 1)
            save()
        except Exception as e:  # noqa: BLE001 - the server was stopped (watchdog) or failed: record it
            rec["failed"] = eng.killed or f"{type(e).__name__}: {e}"[:500]
            rec["memory_gb_at_failure"] = round(eng.peak / GB, 2)
            print(f"  {mode}: FAILED: {rec['failed']}", flush=True)
            save()
            return


def build(db: Path, eng: Engine, args, out: dict, save):
    passages, vecs = load_source(Path(args.source))
    S, dim, N = len(passages), vecs.shape[1], args.passages
    rng = np.random.default_rng(0)
    courts = [f"court{i:02d}" for i in range(50)]

    # BM25 term frequencies of the source texts (real tokeniser); df scaled to N
    tfs, dls, df_src = [], [], Counter()
    for p in passages:
        terms = mio.doc_terms(p.text, mio.lexical_header(p))
        tf = Counter(terms)
        tfs.append(tf)
        dls.append(len(terms))
        df_src.update({mio.term_id(t) for t in tf})
    reps = N / S
    avgdl = float(np.mean(dls))
    weights = [mio.doc_weights(tf, dl, avgdl) or dict(mio.EMPTY_SPARSE) for tf, dl in zip(tfs, dls)]
    out.update({"source_passages": S, "dim": dim, "texts": "real demo passages, repeated",
                "vectors": f"synthetic: real vectors + N(0, {args.sigma}) noise",
                "sparse_terms_per_passage": round(float(np.mean([len(w) for w in weights])), 1)})

    lib = mv.MilvusBackend(parse(eng.uri), dim=dim)
    lib._ensure_passages()
    c = lib.client
    c.release_collection(lib.name)  # no background index builds while inserting: the load below times them all
    t0 = time.perf_counter()
    curve = []
    for lo in range(0, N, args.batch):
        hi = min(N, lo + args.batch)
        idx = np.arange(lo, hi) % S
        noise = rng.normal(0, args.sigma, size=(hi - lo, dim)).astype(np.float32)
        v = vecs[idx] + noise
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        court = rng.integers(0, 50, size=hi - lo)
        year = rng.integers(1950, 2026, size=hi - lo)
        rows = []
        for j, i in enumerate(range(lo, hi)):
            p = passages[idx[j]]
            cid = courts[court[j]]
            rows.append({"id": i + 1, "opinion_id": f"op{i // 100}", "ordinal": i % 100, "text": p.text,
                         "start": p.start, "end": p.end, "section": p.section, "part": p.part, "author": p.author,
                         "page_start": p.page_start, "page_end": p.page_end, "footnote": p.footnote,
                         "n_tokens": p.n_tokens, "case_name": p.case_name, "citation": p.citation, "court": cid,
                         "court_id": cid, "court_lc": cid, "court_id_lc": cid, "year": int(year[j]),
                         "dl": dls[idx[j]], "seq": i + 1, "embedded": True, "dense": v[j].tolist(),
                         "lex": weights[idx[j]]})
        c.insert(lib.name, rows)
        if (hi // args.batch) % 20 == 0 or hi == N:
            el = time.perf_counter() - t0
            curve.append({"rows": hi, "seconds": round(el), "memory_gb": round(eng.rss() / GB, 2),
                          "load": round(os.getloadavg()[0], 1)})
            print(f"  inserted {hi:,} rows in {el:.0f} s ({hi / el:,.0f} rows/s), memory {eng.rss() / GB:.2f} GB, "
                  f"load {os.getloadavg()[0]:.1f}", flush=True)
            out["insert_curve"] = curve
            save()
    t_insert = time.perf_counter() - t0
    out.update({"insert_seconds": round(t_insert, 1), "insert_rows_per_s": round(N / t_insert)})
    t = time.perf_counter()
    c.flush(lib.name)
    out["flush_seconds"] = round(time.perf_counter() - t, 1)
    df_rows = [{"id": k, "df": int(round(v * reps)), "v": [0.0, 0.0]} for k, v in df_src.items()]
    for lo in range(0, len(df_rows), 5000):
        c.upsert(lib.terms_name, df_rows[lo : lo + 5000])
    lib._put_meta({**lib.meta(), "n": N, "total_len": int(avgdl * N), "avgdl_weights": avgdl, "seq": N})
    out["memory_gb_after_insert"] = round(eng.rss() / GB, 2)
    print(f"  flushed in {out['flush_seconds']} s; memory {out['memory_gb_after_insert']} GB", flush=True)
    save()

    t = time.perf_counter()
    c.load_collection(lib.name)
    out["index_build_seconds"] = round(time.perf_counter() - t, 1)
    out["memory_gb_after_index"] = round(eng.rss() / GB, 2)
    out["load_after_index"] = round(os.getloadavg()[0], 1)
    print(f"  indexes built (load_collection) in {out['index_build_seconds']} s; memory {out['memory_gb_after_index']} GB",
          flush=True)
    save()
    return lib


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--passages", type=int, default=1_000_000)
    ap.add_argument("--db", default="/tmp/qa-bot-scale-sim.db")
    ap.add_argument("--source", default=str(ROOT / "embeddings" / "demo"))
    ap.add_argument("--batch", type=int, default=5000)
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--modes", default="dense,bm25,hybrid", help="search modes, measured in this order")
    ap.add_argument("--sigma", type=float, default=0.05)
    ap.add_argument("--server", action="store_true", help="run Milvus Lite as its own process (see above)")
    ap.add_argument("--max-gb", type=float, default=14.0, help="--server: stop the server past this RSS")
    ap.add_argument("--min-free-gb", type=float, default=3.0,
                    help="--server: stop the server when the machine's available memory falls under this")
    ap.add_argument("--json", default="")
    ap.add_argument("--reuse", action="store_true",
                    help="search an existing --db built by an earlier run (measures opening + index load and search)")
    args = ap.parse_args()

    db = Path(args.db)
    out: dict = {"engine": "milvus-lite server process (gRPC)" if args.server else "milvus-lite in-process",
                 "load_before": [round(x, 1) for x in os.getloadavg()],
                 "memory_available_gb_before": round(mem_available() / GB, 1), "queries": args.queries}

    def save() -> None:
        out["load_now"] = [round(x, 1) for x in os.getloadavg()]
        if args.json:
            tmp = Path(args.json + ".tmp")
            tmp.write_text(json.dumps(out, indent=1) + "\n")
            tmp.replace(args.json)

    if not args.reuse:
        shutil.rmtree(db, ignore_errors=True)
    eng = Engine(db, args.server, args.max_gb, args.min_free_gb)
    try:
        if args.reuse:
            t = time.perf_counter()
            lib = mv.MilvusBackend(parse(eng.uri), create=False)
            out["open_load_seconds"] = round(time.perf_counter() - t, 1)
            out["memory_gb_after_open"] = round(eng.rss() / GB, 2)
            print(f"  opened (collections loaded, stored indexes read) in {out['open_load_seconds']} s, "
                  f"memory {out['memory_gb_after_open']} GB", flush=True)
        else:
            lib = build(db, eng, args, out, save)
        out["passages"] = int(lib.meta().get("n", 0))
        run_queries(lib, eng, args, out, save)
        out["disk_gb"] = round(sum(f.stat().st_size for f in db.rglob("*") if f.is_file()) / GB, 2)
        out["peak_memory_gb"] = round(max(eng.peak, rss_of(eng.pid, "VmHWM")) / GB, 2)
        if not args.server:
            out["peak_memory_gb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2)
        save()
        print(json.dumps(out, indent=1))
        try:
            lib.close()
        except Exception:  # noqa: BLE001 - a server the watchdog stopped
            pass
    finally:
        eng.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
