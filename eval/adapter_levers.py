"""The query adapter as a lever: both development sets, with and without it, in one run.

    .venv/bin/python eval/adapter_levers.py --index demo --adapter NAME=FILE.npz [--adapter NAME=FILE.npz ...] \
        [--json eval/reports/adapter_levers.json]

(FILE.npz: ``W``, ``b``, as eval/train_query_adapter.py writes them.)

For each adapter (and none): retrieval alone in dense and in hybrid mode (hit@5, hit@10, mrr@10) and the
extractive answerer in hybrid mode (answer_evidence_rate, lead_evidence_rate, wrong_opinion_rate,
answered_rate, abstain_recall), k=10, every other lever as shipped. The library's stored passage vectors
are used as they are: an adapter changes the question's vector only. Only eval/sets/pena_dev.jsonl and
eval/sets/scotus_dev.jsonl are run (no held-out set).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SETS = ("eval/sets/pena_dev.jsonl", "eval/sets/scotus_dev.jsonl")
RETRIEVAL = ("hit@5", "hit@10", "mrr@10")
ANSWERS = ("answer_evidence_rate", "lead_evidence_rate", "wrong_opinion_rate", "answered_rate", "abstain_recall")


def load_adapter(path: str | None):
    if not path:
        return None
    z = np.load(path)
    return z["W"].astype(np.float32), z["b"].astype(np.float32)


def install(adapter) -> None:
    """Every question vector of this process goes through ``adapter`` (None: as the model gives it)."""
    from qa_bot.index.embed import Embedder

    if not hasattr(Embedder, "_plain_encode_queries"):
        Embedder._plain_encode_queries = Embedder.encode_queries
    plain = Embedder._plain_encode_queries
    if adapter is None:
        Embedder.encode_queries = plain
        return
    W, b = adapter

    def encode_queries(self, texts):
        q = plain(self, texts)
        out = q + q @ W + b
        return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)

    Embedder.encode_queries = encode_queries


def measure(lib) -> dict:
    from qa_bot.evaluation.evalset import load_set
    from qa_bot.evaluation.evaluate import evaluate

    out = {}
    for s in SETS:
        es = load_set(ROOT / s)
        dense = evaluate(lib, es, mode="dense", k=10, answerer=None)["retrieval"]
        hyb = evaluate(lib, es, mode="hybrid", k=10, answerer="extractive")
        row = {f"dense {k}": dense.get(k) for k in RETRIEVAL}
        row.update({f"hybrid {k}": hyb["retrieval"].get(k) for k in RETRIEVAL})
        row.update({k: hyb["answers"].get(k) for k in ANSWERS})
        out[Path(s).stem] = row
    return out


def table(results: dict) -> str:
    cols = [f"dense {k}" for k in RETRIEVAL] + [f"hybrid {k}" for k in RETRIEVAL] + list(ANSWERS)
    short = {"answer_evidence_rate": "answer_evidence", "lead_evidence_rate": "lead_evidence",
             "wrong_opinion_rate": "wrong_opinion", "answered_rate": "answered"}
    rows = ["| query vector | set | " + " | ".join(short.get(c, c) for c in cols) + " |",
            "|" + "---|" * (2 + len(cols))]
    for name, by_set in results.items():
        for i, (s, m) in enumerate(by_set.items()):
            cells = ["-" if m.get(c) is None else f"{m[c]:.3f}" for c in cols]
            rows.append(f"| {name if i == 0 else ''} | {s} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", default="demo")
    ap.add_argument("--adapter", action="append", default=[], help="FILE or NAME=FILE (.npz with W and b)")
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    from qa_bot.errors import QaBotError
    from qa_bot.library import Library

    variants = [("none (as the model gives it)", None)]
    for a in args.adapter:
        name, _, path = a.rpartition("=")
        variants.append((name or f"adapter {Path(path).name}", path))
    results, seconds = {}, {}
    try:
        for name, path in variants:
            install(load_adapter(path))
            t0 = time.time()
            with Library.open(args.index) as lib:
                results[name] = measure(lib)
            seconds[name] = round(time.time() - t0, 1)
            print(name, json.dumps(results[name]), flush=True)
    except QaBotError as e:
        print(f"adapter_levers: {e}", file=sys.stderr)
        return 2
    print(table(results))
    if args.json:
        import os

        doc = {"index": args.index, "k": 10, "adapters": dict(variants), "results": results, "seconds": seconds,
               "load_average_end": os.getloadavg()}
        Path(args.json).write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
