"""Extractive answer latency against retrieval, and the abstention calibration.

    .venv/bin/python eval/bench_answer.py --index demo [--set eval/sets/pena_dev.jsonl] [--calibrate]
                                          [--sentence-embedding]

For every question of the set: time ``lib.search`` (the retrieval step) and, on the same hits, the
extractive answer step alone (sentence split, scoring, abstention signals, selection, verification);
print p50/p95 of each and their ratio (answer / retrieval), measured in the same run, with the load
average, so the figures say how much the answer step adds on this machine whatever its load.

``--sentence-embedding``: also time, on the same hits, what the previous answerer paid for: embedding
the question and every candidate sentence with the library's model (side by side, same run).

``--calibrate``: per question, its label and the abstention signals (best sentence score, the topic
terms the best sentence's opinion never uses, unknown named cases); then, for a grid of
``SALIENT_IDF`` x ``TOPIC_BURST`` x threshold, the errors (answerable questions that abstain +
unanswerable ones that get answered), best first (ties: fewest answerable abstentions).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa_bot.answer import abstain as AB  # noqa: E402
from qa_bot.answer import extractive as A  # noqa: E402
from qa_bot.answer.ask import embedder  # noqa: E402
from qa_bot.answer.verify import verify  # noqa: E402
from qa_bot.evaluation.evalset import load_set, supports  # noqa: E402
from qa_bot.index.lexical import bm25_idf  # noqa: E402
from qa_bot.library import Library  # noqa: E402


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
    ap.add_argument("--sentence-embedding", action="store_true")
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

    def answer_step(question, hits):  # as Library.ask does it after retrieval (answer/ask.py)
        draft = A.extractive(question, hits, opinion, embed, st, idf=AB.library_idf(lib),
                             case_names=AB.library_case_names(lib), intent=lib.retriever.intent(question),
                             similarity=lib.retriever.similarity)
        return verify(draft, opinion, st, embed=embed)

    q0 = questions[0].question
    answer_step(q0, lib.search(q0, **opts))  # warm-up: load indexes and the model
    cache.clear()  # opinions are read inside the timed step, as Library.ask does per question

    load0 = os.getloadavg()
    t_search, t_answer, t_sent, rows = [], [], [], []
    for q in questions:
        t0 = time.perf_counter()
        hits = lib.search(q.question, **opts)
        t1 = time.perf_counter()
        ans = answer_step(q.question, hits)
        t2 = time.perf_counter()
        cache.clear()
        t_search.append(t1 - t0)
        t_answer.append(t2 - t1)
        if args.sentence_embedding:
            cands = A.candidates(hits, opinion)
            t3 = time.perf_counter()
            embed([q.question] + [c.text for c in cands if c.text not in ()])
            t_sent.append(time.perf_counter() - t3)
            cache.clear()
        rows.append((q, hits, ans))
    load1 = os.getloadavg()

    p50s, p95s, p50a, p95a = pct(t_search, .5), pct(t_search, .95), pct(t_answer, .5), pct(t_answer, .95)
    print(f"questions: {len(questions)}  k={args.k}  load average {load0[0]:.2f} -> {load1[0]:.2f} (1 min)")
    print(f"retrieval step   p50 {p50s * 1000:7.1f} ms   p95 {p95s * 1000:7.1f} ms")
    print(f"answer step      p50 {p50a * 1000:7.1f} ms   p95 {p95a * 1000:7.1f} ms")
    print(f"answer/retrieval p50 x{p50a / p50s:.2f}   p95 x{p95a / p95s:.2f}")
    if t_sent:
        p50e, p95e = pct(t_sent, .5), pct(t_sent, .95)
        print(f"sentence embedding (previous answerer's cost, same hits) p50 {p50e * 1000:7.1f} ms   "
              f"p95 {p95e * 1000:7.1f} ms   (x{p50e / p50a:.1f} / x{p95e / p95a:.1f} the answer step)")

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
        calibrate(lib, rows, opinion, embed)
    return 0


def calibrate(lib, rows, opinion, embed) -> None:
    """Abstention signals per question, then the grid (see the module docstring)."""
    idf = AB.library_idf(lib)
    names = AB.library_case_names(lib)
    feats = []  # (id, answerable, best score, unknown cases, question terms, best opinion id)
    for q, hits, _ in rows:
        named = AB.named_opinions(q.question, names)
        use = [h for h in hits if h.passage.opinion_id in named] or list(hits)
        cands = A.candidates(use, opinion)
        best, op = 0.0, None
        if cands:
            A.score_candidates(q.question, cands, embed, idf)
            c = max(cands, key=lambda c: c.score)
            best, op = c.score, c.op
        unknown = AB.unknown_cases(q.question, hits, [n for _, n in names])
        feats.append((q.id, q.answerable, best, unknown, q.question, op))

    def missing(question, op, salient, burst):
        saved = AB.SALIENT_IDF, AB.TOPIC_BURST
        AB.SALIENT_IDF, AB.TOPIC_BURST = salient, burst
        try:
            return AB.missing_topics(question, op, idf) if op is not None else []
        finally:
            AB.SALIENT_IDF, AB.TOPIC_BURST = saved

    print(f"\nper question (SALIENT_IDF={AB.SALIENT_IDF}, TOPIC_BURST={AB.TOPIC_BURST}):")
    for qid, ok, best, unknown, question, op in sorted(feats, key=lambda f: (f[1], f[2])):
        m = missing(question, op, AB.SALIENT_IDF, AB.TOPIC_BURST)
        name = (op.meta.case_name if op is not None else "")[:24]
        print(f"  {qid:12s} {'ans  ' if ok else 'UNANS'}  best {best:.2f}  from {name:24s}  missing topics {m}"
              f"{'  unknown case ' + str(unknown) if unknown else ''}")
    results = []
    for salient in (3.5, 4.0, 4.5, 5.0, 5.5, 6.0):
        for burst in (1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0):
            miss = [bool(missing(question, op, salient, burst)) for _, _, _, _, question, op in feats]
            for i in range(20, 51, 2):
                t = i / 100
                fa = fu = 0
                for (_, ok, best, unknown, _, _), m in zip(feats, miss):
                    answered = not unknown and not m and best >= t
                    fa += ok and not answered
                    fu += (not ok) and answered
                results.append((fa + fu, fa, t, salient, burst, fu))
    results.sort()
    print("\nbest settings:")
    for err, fa, t, salient, burst, fu in results[:12]:
        print(f"  errors {err}  answerable-abstained {fa}  unanswerable-answered {fu}  threshold {t:.2f}  "
              f"SALIENT_IDF {salient:.1f}  TOPIC_BURST {burst:.1f}")
    now = [r for r in results if (r[2], r[3], r[4]) == (lib.settings.answer.abstain_threshold, AB.SALIENT_IDF,
                                                       AB.TOPIC_BURST)]
    if now:
        err, fa, t, salient, burst, fu = now[0]
        print(f"current settings: errors {err} ({fa} answerable abstained, {fu} unanswerable answered)")
    print(f"library: {idf.n} passages; IDF of a term in 1% of passages: {bm25_idf(idf.n, max(1, idf.n // 100)):.2f}, "
          f"in 0.5%: {bm25_idf(idf.n, max(1, idf.n // 200)):.2f}")


if __name__ == "__main__":
    sys.exit(main())
