"""Extractive answer latency against retrieval, and the abstention-threshold calibration.

    .venv/bin/python eval/bench_answer.py --index pena [--set eval/sets/pena_dev.jsonl] [--calibrate]

For every question of the set: time ``lib.search`` (the retrieval step) and, on the same hits, the
extractive answer step alone (sentence split, embedding, scoring, selection, verification); print
p50/p95 of each and their ratio (answer / retrieval), measured in the same run, so the figures say how
much the answer step adds on this machine whatever its load.

``--calibrate``: the best sentence score of each question against its label (answerable or not);
for each candidate threshold, the errors it would make (answerable questions that abstain +
unanswerable ones that get answered) and the threshold with the fewest (ties: the lowest). Also the
share of answerable questions whose quoted sentences contain (a long run of) an evidence quote.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa_bot.answer import candidates, embedder, extractive, score_candidates  # noqa: E402
from qa_bot.evalset import load_set, supports  # noqa: E402
from qa_bot.library import Library  # noqa: E402
from qa_bot.verify import verify  # noqa: E402


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", required=True)
    ap.add_argument("--set", default=str(ROOT / "eval" / "sets" / "pena_dev.jsonl"))
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--mode", default=None)
    ap.add_argument("--calibrate", action="store_true")
    args = ap.parse_args()

    lib = Library.open(args.index)
    st = lib.settings.answer
    questions = load_set(args.set).questions if Path(args.set).exists() else ()
    if not questions:
        print(f"{args.set}: no questions; nothing to measure")
        return 1
    embed = embedder(lib)
    opts = {"k": args.k} | ({"mode": args.mode} if args.mode else {})
    cache = {}

    def opinion(oid):
        if oid not in cache:
            cache[oid] = lib.store.opinion(oid)
        return cache[oid]

    lib.search(questions[0].question, **opts)  # warm-up: load indexes and the model
    extractive(questions[0].question, lib.search(questions[0].question, **opts), opinion, embed, st)

    t_search, t_answer, rows = [], [], []
    for q in questions:
        t0 = time.perf_counter()
        hits = lib.search(q.question, **opts)
        t1 = time.perf_counter()
        ans = verify(extractive(q.question, hits, opinion, embed, st), opinion, st, embed=embed)
        t2 = time.perf_counter()
        t_search.append(t1 - t0)
        t_answer.append(t2 - t1)
        rows.append((q, hits, ans))

    p50s, p95s, p50a, p95a = pct(t_search, .5), pct(t_search, .95), pct(t_answer, .5), pct(t_answer, .95)
    print(f"questions: {len(questions)}  k={args.k}")
    print(f"retrieval step   p50 {p50s * 1000:7.1f} ms   p95 {p95s * 1000:7.1f} ms")
    print(f"answer step      p50 {p50a * 1000:7.1f} ms   p95 {p95a * 1000:7.1f} ms")
    print(f"answer/retrieval p50 x{p50a / p50s:.2f}   p95 x{p95a / p95s:.2f}")

    answerable = [(q, a) for q, _, a in rows if q.answerable]
    quoted = sum(1 for q, a in answerable if not a.abstained and any(
        supports(e, " ".join(c.quote for c in a.citations), case_name=e.case) or
        supports(e, " ".join(c.quote for c in a.citations)) for e in q.evidence))
    abst_ok = sum(1 for q, _, a in rows if not q.answerable and a.abstained)
    n_un = sum(1 for q in questions if not q.answerable)
    print(f"at threshold {st.abstain_threshold:.2f}: answerable answered {sum(not a.abstained for _, a in answerable)}"
          f"/{len(answerable)}, quoting an evidence sentence {quoted}/{len(answerable)}; "
          f"unanswerable abstained {abst_ok}/{n_un}")

    if args.calibrate:
        best = []
        for q, hits, _ in rows:
            cands = candidates(hits, opinion)
            if cands:
                score_candidates(q.question, cands, embed)
            best.append((q.answerable, max((c.score for c in cands), default=0.0)))
        print("\nthreshold  answerable-abstained  unanswerable-answered  errors")
        results = []
        for i in range(10, 71, 2):
            t = i / 100
            fa = sum(1 for ok, s in best if ok and s < t)
            fu = sum(1 for ok, s in best if not ok and s >= t)
            results.append((fa + fu, t, fa, fu))
            print(f"   {t:.2f}          {fa:3d}                   {fu:3d}            {fa + fu:3d}")
        err, t, fa, fu = min(results)
        print(f"best threshold {t:.2f} ({err} errors: {fa} answerable abstained, {fu} unanswerable answered)")
        ranked = sorted(best, key=lambda b: b[1])
        print("unanswerable best scores:", ", ".join(f"{s:.2f}" for ok, s in ranked if not ok))
        print("answerable lowest scores:", ", ".join([f"{s:.2f}" for ok, s in ranked if ok][:8]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
