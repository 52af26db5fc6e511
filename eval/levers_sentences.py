"""Issue 8, the sentence-vector lever: does a per-sentence cosine pick the answering sentence better than
its passage's cosine? Measured on both development sets in one run, against the current answerer.

    nice -n 19 .venv/bin/python eval/levers_sentences.py --index demo --json eval/reports/levers_sentences.json
    nice -n 19 .venv/bin/python eval/levers_sentences.py --index demo --json eval/reports/levers_sentences.json \
        --diagnose-only   # the within-passage table alone, added to the same JSON

It prints two markdown tables (eval/reports/levers_sentences.md holds them with the reading).

The extractive answerer scores a sentence 0.6 * cosine(question, its PASSAGE) + 0.4 * term coverage
(``qa_bot.answer.extractive.score_candidates``), so inside one passage sentences compete on words
alone. Each variant below replaces that passage cosine, per candidate sentence, by:

* ``late``: the cosine with the sentence's *late-chunked* vector (Guenther et al. 2024, arXiv
  2409.04701): the passage is run through the model once, and the sentence vector is the mean of the
  passage's contextual token embeddings over the sentence's own tokens (found from the fast
  tokenizer's character offsets), L2-normalised. The passage vector is the mean over all its tokens,
  so this costs no forward pass beyond the one that embeds the passage.
* ``alone``: for reference, the cosine with the sentence embedded on its own (what the old answerer
  paid ~2 s per question for).
* ``... max`` / ``... mean``: the max / the mean of that sentence cosine and the passage cosine.

Nothing else changes: same retrieval (hybrid, k=10), same lexical term, weights, role terms, abstention
threshold (0.30) and selection. The variants keep the 0..1 cosine scale, but a sentence's cosine
is not distributed like its passage's; the run reports the best (pre-role) sentence score of answerable
and unanswerable questions per variant, so what a variant does to abstention is shown, not re-fitted.

Metrics come from ``qa_bot.evaluation.evaluate`` (answer_evidence_rate, lead_evidence_rate,
wrong_opinion_rate, abstain precision/recall, answered_rate). Only eval/sets/pena_dev.jsonl and
eval/sets/scotus_dev.jsonl are run: the held-out sets are not.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SETS = ("eval/sets/pena_dev.jsonl", "eval/sets/scotus_dev.jsonl")
VARIANTS = ("baseline (passage cosine)", "late", "late max", "late mean", "alone", "alone mean")
KEYS = ("answer_evidence_rate", "lead_evidence_rate", "wrong_opinion_rate", "abstain_precision", "abstain_recall",
        "answered_rate", "citation_precision", "pin_accuracy")


def token_spans(offsets, a: int, b: int) -> list[int]:
    """Indices of the tokens whose character span overlaps [a, b) (special tokens, at (0, 0), never)."""
    return [i for i, (s, e) in enumerate(offsets) if e > s and s < b and e > a]


class SentenceVectors:
    """Late-chunked and stand-alone sentence vectors from the library's own model, cached."""

    def __init__(self, embedder):
        self.embedder = embedder
        self.model = embedder.model
        self._tokens: dict[str, tuple[np.ndarray, list]] = {}
        self._alone: dict[str, np.ndarray] = {}
        self.passages_embedded = 0

    def _passage(self, text: str) -> tuple[np.ndarray, list]:
        if text not in self._tokens:
            doc = self.embedder.document_prompt + text
            emb = self.model.encode([doc], output_value="token_embeddings", convert_to_numpy=False,
                                    show_progress_bar=False)[0]
            enc = self.model.tokenizer(doc, return_offsets_mapping=True, truncation=True,
                                       max_length=self.model.max_seq_length)
            shift = len(self.embedder.document_prompt)
            offsets = [(max(0, s - shift), max(0, e - shift)) if e > s else (0, 0) for s, e in enc["offset_mapping"]]
            if len(offsets) != emb.shape[0]:
                raise AssertionError(f"{len(offsets)} offsets for {emb.shape[0]} token embeddings")
            self._tokens[text] = (emb.float().numpy(), offsets)
            self.passages_embedded += 1
        return self._tokens[text]

    def late(self, passage_text: str, a: int, b: int) -> np.ndarray | None:
        """The late-chunked vector of passage_text[a:b]; None when none of its tokens fit the model."""
        tokens, offsets = self._passage(passage_text)
        idx = token_spans(offsets, a, b)
        if not idx:
            return None
        v = tokens[idx].mean(axis=0)
        return v / max(float(np.linalg.norm(v)), 1e-12)

    def alone(self, text: str) -> np.ndarray:
        if text not in self._alone:
            self._alone[text] = self.embedder.encode_documents([text])[0]
        return self._alone[text]


def combine(kind: str, passage: float, sentence: float | None) -> float:
    if sentence is None:
        return passage
    if kind.endswith("max"):
        return max(passage, sentence)
    if kind.endswith("mean"):
        return (passage + sentence) / 2
    return sentence


def patch(variant: str, lib, sv: SentenceVectors, best: dict):
    """Wrap ``extractive.score_candidates``: after it, replace each candidate's passage cosine by the
    variant's. Records the best (pre-role) score per question in ``best``."""
    from qa_bot.answer import extractive as A

    original = A.score_candidates

    def scored(question, cands, embed, idf=None, dense=None, similarity=None):
        original(question, cands, embed, idf, dense, similarity)
        if variant.startswith("baseline") or not cands:
            best[question] = max(c.score for c in cands) if cands else None
            return
        qv = lib.retriever._query_vector(question)
        dense_w = A.DENSE_WEIGHT if any(c.dense for c in cands) else 0.0
        ends: dict[tuple, int] = {}
        for c in cands:  # a sentence split at a page break: its pieces share the group (= its start)
            key = (c.op.id, c.group, id(c.hit))
            ends[key] = max(ends.get(key, 0), c.end)
        for c in cands:
            a, b = c.group, ends[(c.op.id, c.group, id(c.hit))]
            if variant.startswith("late"):
                p = c.hit.passage
                base = p.start if c.op.text[p.start:p.end] == p.text else c.op.text.find(p.text)
                v = sv.late(p.text, a - base, b - base)
            else:
                v = sv.alone(c.op.text[a:b])
            s = None if v is None else float(v @ qv)
            new = combine(variant, c.dense, s)
            c.score += dense_w * (max(0.0, new) - max(0.0, c.dense))
            c.dense = new
        best[question] = max(c.score for c in cands)

    A.score_candidates = scored
    return lambda: setattr(A, "score_candidates", original)


def run(index: str) -> dict:
    from qa_bot.evaluation.evalset import load_set
    from qa_bot.evaluation.evaluate import evaluate
    from qa_bot.library import Library

    out: dict = {}
    with Library.open(index) as lib:
        sv = SentenceVectors(lib.retriever.embedder)
        threshold = lib.settings.answer.abstain_threshold
        for variant in VARIANTS:
            out[variant] = {}
            for s in SETS:
                evalset = load_set(ROOT / s)
                best: dict = {}
                undo = patch(variant, lib, sv, best)
                t0 = time.perf_counter()
                try:
                    r = evaluate(lib, evalset, mode="hybrid", k=10, answerer="extractive")
                finally:
                    undo()
                row = {k: r["answers"].get(k) for k in KEYS}
                row["hit@10"] = r["retrieval"]["hit@10"]
                answerable = {q.question: q.answerable for q in evalset.questions}
                for label, want in (("answerable", True), ("unanswerable", False)):
                    xs = [v for q, v in best.items() if v is not None and answerable.get(q) is want]
                    row[f"best_score_median_{label}"] = statistics.median(xs) if xs else None
                    row[f"below_threshold_{label}"] = sum(x < threshold for x in xs)
                pq = [p for p in r["per_question"] if p["answerable"]]
                row["evidence_cited"] = sorted(p["id"] for p in pq if p.get("evidence_cited"))
                row["lead_evidence"] = sorted(p["id"] for p in pq if p.get("lead_evidence"))
                row["counts"] = {"answerable": len(pq), "cited": len(row["evidence_cited"]),
                                 "lead": len(row["lead_evidence"]),
                                 "retrieved": sum(p["first_hit_rank"] is not None for p in pq)}
                row["seconds"] = round(time.perf_counter() - t0, 1)
                out[variant][Path(s).stem] = row
                print(variant, Path(s).stem, json.dumps({k: row[k] for k in (*KEYS, "counts")}), flush=True)
        out["_passages_token_embedded"] = sv.passages_embedded
    return out


def diagnose(index: str) -> dict:
    """The mechanism alone: inside each retrieved passage that holds a gold quote (and has >= 2
    sentences), how often does each signal rank a gold sentence (one whose span covers a gold quote, or
    lies inside one, as ``evaluate.citation_supports`` judges a citation) first among the passage's
    sentences? Within one passage the shipped score orders sentences by the lexical term alone (the
    passage cosine is shared), so "lexical" is today's rule there."""
    from qa_bot.answer.abstain import library_idf
    from qa_bot.answer.extractive import _terms, term_coverage
    from qa_bot.evaluation.evalset import has_run, load_set, same_opinion
    from qa_bot.evaluation.evaluate import MIN_SPAN, OpinionNames
    from qa_bot.ingest.sentences import opinion_sentences
    from qa_bot.library import Library
    from qa_bot.text import normalize

    signals = ("lexical (today)", "late", "alone", "0.6 late + 0.4 lexical", "0.6 alone + 0.4 lexical")
    out: dict = {}
    with Library.open(index) as lib:
        sv = SentenceVectors(lib.retriever.embedder)
        idf = library_idf(lib)
        names = OpinionNames(lib.store)
        for s in SETS:
            top1 = {k: 0 for k in signals}
            rr = {k: 0.0 for k in signals}
            chance = 0.0
            n = 0
            for q in load_set(ROOT / s).questions:
                if not q.answerable:
                    continue
                qv = lib.retriever._query_vector(q.question)
                qt = _terms(q.question)
                for h in lib.search(q.question, k=10, mode="hybrid"):
                    p = h.passage
                    case, cites = names.get(p.opinion_id, p.case_name, p.citation)
                    items = [ev for ev in q.evidence if same_opinion(ev, case, cites)
                             and has_run(ev.norm_quote, normalize(p.text))]
                    if not items:
                        continue
                    op = lib.store.opinion(p.opinion_id)
                    base = p.start if op.text[p.start:p.end] == p.text else op.text.find(p.text)
                    spans = opinion_sentences(op, base, base + len(p.text))
                    if len(spans) < 2:
                        continue
                    texts = [op.text[a:b] for a, b in spans]
                    gold = []
                    for t in texts:
                        nt = normalize(t)
                        gold.append(any(has_run(ev.norm_quote, nt) or len(nt) >= MIN_SPAN and has_run(nt, ev.norm_quote)
                                        for ev in items))
                    if not any(gold) or all(gold):
                        continue
                    lex = np.array([term_coverage(qt, set(_terms(t)), idf) for t in texts])
                    late = np.array([float(v @ qv) if (v := sv.late(p.text, a - base, b - base)) is not None
                                     else -1.0 for a, b in spans])
                    alone = np.array([float(sv.alone(t) @ qv) for t in texts])
                    scores = {"lexical (today)": lex, "late": late, "alone": alone,
                              "0.6 late + 0.4 lexical": 0.6 * late + 0.4 * lex,
                              "0.6 alone + 0.4 lexical": 0.6 * alone + 0.4 * lex}
                    g = np.array(gold)
                    for k, sc in scores.items():
                        order = np.argsort(-sc, kind="stable")
                        first_gold = int(np.flatnonzero(g[order])[0]) + 1
                        top1[k] += first_gold == 1
                        rr[k] += 1.0 / first_gold
                    chance += g.sum() / len(g)
                    n += 1
            out[Path(s).stem] = {"passages": n, "chance_top1": chance / n if n else None,
                                 "top1": {k: top1[k] / n if n else None for k in signals},
                                 "mrr": {k: rr[k] / n if n else None for k in signals}}
            print("diagnose", Path(s).stem, json.dumps(out[Path(s).stem]), flush=True)
    return out


def diagnosis_table(diag: dict) -> str:
    sets = [Path(s).stem for s in SETS]
    signals = list(diag[sets[0]]["top1"])
    rows = ["| signal | " + " | ".join(f"{s} top-1 | {s} MRR" for s in sets) + " |",
            "|---|" + "---|---|" * len(sets)]
    for k in signals:
        rows.append(f"| {k} | " + " | ".join(f"{diag[s]['top1'][k]:.3f} | {diag[s]['mrr'][k]:.3f}" for s in sets) + " |")
    rows.append("| chance (gold share) | " + " | ".join(f"{diag[s]['chance_top1']:.3f} | -" for s in sets) + " |")
    rows.append("| passages judged | " + " | ".join(f"{diag[s]['passages']} | -" for s in sets) + " |")
    return "\n".join(rows)


def table(results: dict) -> str:
    sets = [Path(s).stem for s in SETS]
    cols = ("answer_evidence_rate", "lead_evidence_rate", "wrong_opinion_rate", "abstain_precision",
            "abstain_recall", "answered_rate")
    short = ("evidence", "lead", "wrong_op", "abst P", "abst R", "answered", "best ans / unans")
    rows = ["| variant | set | " + " | ".join(short) + " |", "|---|---|" + "---|" * len(short)]
    for v in VARIANTS:
        for s in sets:
            m = results[v][s]
            cells = ["-" if m[c] is None else f"{m[c]:.3f}" for c in cols]
            cells.append(f"{m['best_score_median_answerable']:.2f} / {m['best_score_median_unanswerable']:.2f}")
            n = m["counts"]
            cells[0] += f" ({n['cited']}/{n['answerable']})"
            cells[1] += f" ({n['lead']})"
            rows.append(f"| {v if s == sets[0] else ''} | {s} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", default="demo")
    ap.add_argument("--json", default=None)
    ap.add_argument("--diagnose-only", action="store_true",
                    help="only the within-passage ranking of gold sentences (no answers); adds it to --json")
    args = ap.parse_args(argv)
    from qa_bot.errors import QaBotError

    load_before = os.getloadavg()
    t0 = time.time()
    try:
        if args.diagnose_only:
            results = json.loads(Path(args.json).read_text(encoding="utf-8")) if args.json and Path(args.json).exists() else {}
        else:
            results = run(args.index)
        results["_within_passage"] = diagnose(args.index)
    except QaBotError as e:
        print(f"levers_sentences: {e}", file=sys.stderr)
        return 2
    key = "_diagnose_run" if args.diagnose_only else "_run"
    results[key] = {"load_before": load_before, "load_after": os.getloadavg(),
                       "minutes": round((time.time() - t0) / 60, 1),
                       "command": "nice -n 19 .venv/bin/python eval/levers_sentences.py --index " + args.index
                   + (" --diagnose-only" if args.diagnose_only else "")}
    text = (table(results) + "\n\n" if "_run" in results else "") + diagnosis_table(results["_within_passage"])
    print(text)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
