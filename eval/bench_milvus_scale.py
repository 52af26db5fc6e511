"""Scale evidence for the Milvus backend: >= 1M passages through Milvus Lite, in one run.

What is simulated, and how (read this before quoting a figure):
  * texts: the demo library's real passages (4,814), repeated to N passages; each copy gets its own
    id, opinion id (one "opinion" per 100 passages), a court drawn from 50 court ids and a year drawn
    from 1950-2025, so the court / year filters select realistic fractions (~2% and ~13%);
  * BM25 weights: real, computed with qa-bot's tokeniser from each text (``backends.milvus``), with the
    library's document frequencies scaled to N;
  * vectors: SYNTHETIC -- each copy is its source passage's real all-MiniLM-L6-v2 vector plus Gaussian
    noise (sigma 0.05 per dimension, renormalised), so neighbours are realistic but no two vectors are
    equal. Embedding 1M passages for real would take ~8 CPU-hours here (35 passages/s).
  * queries: the questions of eval/sets/*.jsonl, embedded for real.

Measured: insert rate (rows/s, client -> Milvus Lite, batches of --batch rows, flushed), index build
(release + load: Milvus Lite builds each segment's HNSW and sparse index at load), search latency
p50/p95 per mode (bm25 / dense / hybrid RRF) without and with filters, and the process's peak and
current memory (Milvus Lite runs in-process).

    nice -n 10 .venv/bin/python eval/bench_milvus_scale.py --passages 1000000 --db /tmp/sim.db \
        --json eval/reports/milvus_scale_1m.json
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qa_bot.backends import milvus as mv  # noqa: E402
from qa_bot.backends.base import Filters  # noqa: E402
from qa_bot.index.manifest import embedding_entry  # noqa: E402
from qa_bot.backends.uri import parse  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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
        self.vectors = dict(zip(questions, emb.encode_queries(questions)))

    def encode_queries(self, texts):
        return np.stack([self.vectors[t] for t in texts])


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def run_queries(lib, queries: int) -> dict:
    from qa_bot.index.embed import Embedder
    from qa_bot.settings import EmbedSettings

    emb = Embedder(EmbedSettings())
    if not lib.meta().get("embedding"):
        lib._put_meta({**lib.meta(), "embedding": embedding_entry(emb)})
    qs = questions()[:queries]
    pre = _Precomputed(emb, qs)  # the questions are embedded once, before the clock starts
    filters = {"none": Filters(), "court": Filters(courts=("court07",)), "years": Filters(years=(1990, 1999)),
               "court+years": Filters(courts=("court07",), years=(1970, None))}
    lat: dict[str, dict[str, list[float]]] = {}
    for mode in ("bm25", "dense", "hybrid"):
        for fname, f in filters.items():
            xs = []
            for q in qs:
                t = time.perf_counter()
                lib.candidates(q, 100, mode, f, pre, 10, {"bm25": 1.0, "dense": 1.0})
                xs.append((time.perf_counter() - t) * 1000)
            lat.setdefault(mode, {})[fname] = xs
            print(f"  {mode:<6} filter={fname:<12} p50 {pct(xs, 50):7.1f} ms  p95 {pct(xs, 95):7.1f} ms", flush=True)
    return {m: {f: {"p50": round(pct(x, 50), 1), "p95": round(pct(x, 95), 1)} for f, x in d.items()}
            for m, d in lat.items()}


def _any_schema(self) -> None:
    self._fields = {f["name"] for f in self.client.describe_collection(self.name).get("fields", [])}


def search_only(db: Path, args) -> int:
    t = time.perf_counter()
    mv.MilvusBackend._check_passage_schema = _any_schema  # a --db from an older run may lack newer fields
    lib = mv.MilvusBackend(parse(f"milvus-lite://{db}#sim"), create=False)
    t_open = time.perf_counter() - t
    n = lib.client.query(lib.name, filter="", output_fields=["count(*)"])[0]["count(*)"]
    print(f"  opened {n:,} passages (collections loaded, indexes read) in {t_open:.0f} s, rss {rss_mb():,.0f} MB",
          flush=True)
    out = {"passages": int(n), "open_load_seconds": round(t_open, 1), "rss_mb_after_open": round(rss_mb())}
    out["latency_ms"] = run_queries(lib, args.queries)
    disk = sum(f.stat().st_size for f in db.rglob("*") if f.is_file())
    out.update({"queries": args.queries, "peak_rss_mb": round(peak_mb()), "disk_mb": round(disk / 2**20),
                "load": os.getloadavg()})
    print(json.dumps(out, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1) + "\n")
    lib.close()
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--passages", type=int, default=1_000_000)
    ap.add_argument("--db", default="/tmp/qa-bot-scale-sim.db")
    ap.add_argument("--source", default=str(ROOT / "embeddings" / "demo"))
    ap.add_argument("--batch", type=int, default=5000)
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--sigma", type=float, default=0.05)
    ap.add_argument("--json", default="")
    ap.add_argument("--reuse", action="store_true",
                    help="search an existing --db built by an earlier run (measures opening + index load and search)")
    args = ap.parse_args()

    db = Path(args.db)
    if args.reuse:
        return search_only(db, args)
    shutil.rmtree(db, ignore_errors=True)
    passages, vecs = load_source(Path(args.source))
    S, dim, N = len(passages), vecs.shape[1], args.passages
    rng = np.random.default_rng(0)
    courts = [f"court{i:02d}" for i in range(50)]

    # BM25 term frequencies of the source texts (real tokeniser); df scaled to N
    tfs, dls, df_src = [], [], Counter()
    for p in passages:
        terms = mv.doc_terms(p.text, mv.lexical_header(p))
        tf = Counter(terms)
        tfs.append(tf)
        dls.append(len(terms))
        df_src.update({mv.term_id(t) for t in tf})
    reps = N / S
    avgdl = float(np.mean(dls))
    weights = [mv.doc_weights(tf, dl, avgdl) or {2**32 - 2: 1e-9} for tf, dl in zip(tfs, dls)]

    lib = mv.MilvusBackend(parse(f"milvus-lite://{db}#sim"), dim=dim)
    lib._ensure_passages()
    c = lib.client
    start_rss = rss_mb()
    t0 = time.perf_counter()
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
                         "dl": dls[idx[j]], "embedded": True, "dense": v[j].tolist(), "lex": weights[idx[j]]})
        c.insert(lib.name, rows)
        if (hi // args.batch) % 20 == 0 or hi == N:
            el = time.perf_counter() - t0
            print(f"  inserted {hi:,} rows in {el:.0f} s ({hi / el:,.0f} rows/s), rss {rss_mb():,.0f} MB", flush=True)
    c.flush(lib.name)
    t_insert = time.perf_counter() - t0
    df_rows = [{"id": k, "df": int(round(v * reps)), "v": [0.0, 0.0]} for k, v in df_src.items()]
    for lo in range(0, len(df_rows), 5000):
        c.upsert(lib.terms_name, df_rows[lo : lo + 5000])
    lib._put_meta({**lib.meta(), "n": N, "total_len": int(avgdl * N), "avgdl_weights": avgdl})

    t1 = time.perf_counter()
    c.release_collection(lib.name)
    c.load_collection(lib.name)
    t_load = time.perf_counter() - t1
    load_rss = rss_mb()

    lat = run_queries(lib, args.queries)
    disk = sum(f.stat().st_size for f in db.rglob("*") if f.is_file())
    out = {
        "passages": N, "source_passages": S, "dim": dim, "vectors": f"synthetic: real vectors + N(0, {args.sigma}) noise",
        "texts": "real demo passages, repeated", "insert_seconds": round(t_insert, 1),
        "insert_rows_per_s": round(N / t_insert), "index_build_load_seconds": round(t_load, 1),
        "rss_mb_before": round(start_rss), "rss_mb_after_load": round(load_rss), "peak_rss_mb": round(peak_mb()),
        "disk_mb": round(disk / 2**20), "queries": args.queries,
        "latency_ms": lat,
        "load": os.getloadavg(),
    }
    print(json.dumps(out, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1) + "\n")
    lib.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
