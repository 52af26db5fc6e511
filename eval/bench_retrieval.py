"""Retrieval latency, BM25 vs dense vs hybrid, measured side by side in one run.

    .venv/bin/python eval/bench_retrieval.py --index scotus [--k 10] [--repeat 3]

Every question runs in all three modes in a rotating order (so warm caches and machine load fall on
all modes alike), after one warm-up round that loads the model and the indexes. Prints p50 and p95
milliseconds per query per mode and the ratios to BM25.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qa_bot.library import Library  # noqa: E402

QUESTIONS = [
    "Are officers entitled to qualified immunity when the right was not clearly established?",
    "state-created danger substantive due process",
    "42 U.S.C. § 1983 liability of a municipality",
    "Does the Commerce Clause allow Congress to regulate intrastate activity?",
    "warrantless search of an automobile under the Fourth Amendment",
    "equal protection strict scrutiny racial classification",
    "federal habeas corpus review of a state conviction",
    "prior restraint on the press and freedom of speech",
    "Can a state be sued by a citizen of another state in federal court?",
    "admiralty jurisdiction over navigable waters",
    "separation of powers and the appointment of officers",
    "When is a confession involuntary under the Due Process Clause?",
    "Rule 12(b)(6) motion to dismiss for failure to state a claim",
    "right to counsel for indigent defendants",
    "takings clause just compensation regulatory taking",
    "stare decisis and overruling precedent",
]


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", required=True)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    modes = ["bm25", "dense", "hybrid"]
    with Library.open(args.index) as lib:
        status = lib.retriever.status()
        print(f"index {args.index}: {status['passages']} passages, bm25 {status['bm25']}, "
              f"vectors {status['vectors']} ({status['vector_index']}), model {status['model']}")
        for mode in modes:  # warm-up: model load, index load
            lib.search(QUESTIONS[0], k=args.k, mode=mode)
        times: dict[str, list[float]] = {m: [] for m in modes}
        for r in range(args.repeat):
            for i, q in enumerate(QUESTIONS):
                shift = (i + r) % len(modes)
                for mode in modes[shift:] + modes[:shift]:
                    t = time.perf_counter()
                    lib.search(q, k=args.k, mode=mode)
                    times[mode].append((time.perf_counter() - t) * 1000)
    print(f"{len(QUESTIONS)} questions x {args.repeat} rounds, k={args.k}")
    print(f"{'mode':>8} {'p50 ms':>9} {'p95 ms':>9} {'p50/bm25':>9} {'p95/bm25':>9}")
    b50, b95 = pct(times["bm25"], 0.5), pct(times["bm25"], 0.95)
    for mode in modes:
        p50, p95 = pct(times[mode], 0.5), pct(times[mode], 0.95)
        print(f"{mode:>8} {p50:9.2f} {p95:9.2f} {p50 / b50:9.1f} {p95 / b95:9.1f}")
    print("mean ms: " + ", ".join(f"{m} {statistics.mean(times[m]):.2f}" for m in modes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
