"""Retrieval levers: opinion evidence (the one kept) at three weights against it off, each measured on both
development sets in one run (the table: eval/reports/README.md, "Retrieval levers").

    nice -n 10 .venv/bin/python eval/levers_retrieval.py [--index demo] [--json eval/reports/levers_retrieval.json]

The table's other rows (BM25 and dense pseudo-relevance feedback, neighbour smoothing) were measured with
this script at commit 9ab66fe and not kept; their code was removed after (check out 9ab66fe to reproduce
them). eval/reports/levers_retrieval.json is the record of that run: give a new run another --json path.

Every row is the default settings with opinion evidence off (``RetrieveSettings.opinion_weight``) but
for the weight it names, over the demo
library (k=10), whatever the defaults are: hit@1/5/10
and mrr@10 in hybrid and in bm25 mode, and the extractive answer's answer_evidence_rate,
lead_evidence_rate and answered_rate in hybrid mode (``qa_bot.evaluation.evaluate.evaluate``).
``--only NAME`` runs the baseline and the rows whose name contains NAME; ``--no-answers`` skips the
answers (retrieval only, for a quick look).

Only eval/sets/pena_dev.jsonl and eval/sets/scotus_dev.jsonl are used; no held-out set is run here.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SETS = ("eval/sets/pena_dev.jsonl", "eval/sets/scotus_dev.jsonl")
OFF = {"opinion_weight": 0.0}
LEVERS = (  # each row: the lever off (OFF) but for the weight it names
    ("none (the levers off)", {}),
    ("opinion evidence 0.2", {"opinion_weight": 0.2}),
    ("opinion evidence 0.3", {"opinion_weight": 0.3}),
    ("opinion evidence 0.5", {"opinion_weight": 0.5}),
)
HIT_KEYS = ("hit@1", "hit@5", "hit@10", "mrr@10")
ANSWER_KEYS = ("answer_evidence_rate", "lead_evidence_rate", "answered_rate")


def measure(lib, answers: bool = True) -> dict:
    """Per set: hybrid and bm25 retrieval figures, and (``answers``) the hybrid extractive answer's."""
    from qa_bot.evaluation.evalset import load_set
    from qa_bot.evaluation.evaluate import evaluate

    out = {}
    for s in SETS:
        evalset = load_set(ROOT / s)
        row = {}
        hybrid = evaluate(lib, evalset, mode="hybrid", k=10, answerer="extractive" if answers else None)
        row.update({f"hybrid {k}": hybrid["retrieval"].get(k) for k in HIT_KEYS})
        if answers:
            row.update({k: hybrid["answers"].get(k) for k in ANSWER_KEYS})
            row["answer p95 ms"] = hybrid.get("latency_ms_p95")
        row["search p95 ms"] = hybrid.get("retrieval_latency_ms_p95")
        bm25 = evaluate(lib, evalset, mode="bm25", k=10)
        row.update({f"bm25 {k}": bm25["retrieval"].get(k) for k in HIT_KEYS})
        row["hybrid misses@5"] = [q["id"] for q in hybrid["per_question"]
                                  if q["answerable"] and not (q["first_hit_rank"] or 99) <= 5]
        out[Path(s).stem] = row
    return out


COLUMNS = ("hybrid hit@1", "hybrid hit@5", "hybrid hit@10", "hybrid mrr@10", "bm25 hit@5", "bm25 mrr@10",
           "answer_evidence_rate", "lead_evidence_rate", "answered_rate")


def table(results: dict) -> str:
    short = {"answer_evidence_rate": "evidence", "lead_evidence_rate": "lead", "answered_rate": "answered"}
    head = "| lever | set | " + " | ".join(short.get(c, c) for c in COLUMNS) + " |"
    rows = [head, "|" + "---|" * (2 + len(COLUMNS))]
    for name, by_set in results.items():
        for i, (s, m) in enumerate(by_set.items()):
            cells = ["-" if m.get(c) is None else f"{m[c]:.3f}" for c in COLUMNS]
            rows.append(f"| {name if i == 0 else ''} | {s} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", default="demo")
    ap.add_argument("--json", default=None)
    ap.add_argument("--only", default=None, help="the baseline and the rows whose name contains this")
    ap.add_argument("--no-answers", action="store_true", help="retrieval figures only")
    args = ap.parse_args(argv)
    from qa_bot.errors import QaBotError
    from qa_bot.library import Library
    from qa_bot.settings import Settings

    levers = [(n, c) for i, (n, c) in enumerate(LEVERS) if i == 0 or not args.only or args.only in n]
    results = {}
    started = time.time()
    try:
        for name, change in levers:
            with Library.open(args.index, settings=Settings.preset().with_(retrieve={**OFF, **change})) as lib:
                results[name] = measure(lib, answers=not args.no_answers)
            print(name, json.dumps({s: {k: v for k, v in m.items() if "misses" not in k}
                                    for s, m in results[name].items()}), flush=True)
    except QaBotError as e:
        print(f"levers_retrieval: {e}", file=sys.stderr)
        return 2
    print(table(results))
    print(f"{time.time() - started:.0f} s")
    if args.json:
        payload = {"settings": {n: {**OFF, **c} for n, c in levers}, "results": results}
        Path(args.json).write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
