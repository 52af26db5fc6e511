"""Abstention signals, each variant measured on both development sets and on an unseen check in one run.

    .venv/bin/python eval/levers_abstain.py [--index demo] [--unseen PATH] [--json eval/reports/levers_abstain.json]

Every question is asked once (extractive answerer, hybrid, k=10) with no signal abstaining, and the answer
records every signal that fired (``Answer.signals``, ``qa_bot.answer.abstain.SIGNALS``). A variant is a set
of signals that abstain: its answer to a question is the answer asked (or an abstention when one of its
signals fired), so one run gives every variant's abstain precision / recall, answered_rate and
answer_evidence_rate (an abstention cites no evidence), and the share of answered questions that carry
the weak-support note (some signal fired that did not abstain).

Sets: eval/sets/pena_dev.jsonl and eval/sets/scotus_dev.jsonl (development). The unseen check (not a
held-out set, and no figure here was tuned on it) is the synthetic question ``relevant_query_qstn`` of each
opinion of FLP's multicourt sample (``--unseen``: its ``4.finetune_val.csv``), asked against a library that
holds none of those opinions: each should abstain, or at least carry the note. No held-out set is run here.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SETS = ("eval/sets/pena_dev.jsonl", "eval/sets/scotus_dev.jsonl")
QUANTILES = (0.01, 0.02, 0.05)  # of the library's own best-other-opinion scores (abstain.score_floor)
CORE = ("unknown_case", "unknown_name", "figure", "low_score")
SHIPPED = CORE + ("absent_name", "low_retrieval")  # qa_bot.answer.abstain.ABSTAIN_ON
VARIANTS = (
    ("rules before this change: names, figure, score < 0.30, a topic the quoted opinion never uses",
     CORE + ("absent_topic",)),
    ("names (case, unknown word), figure, score < 0.30", CORE),
    ("+ a name the quoted opinion never mentions", CORE + ("absent_name",)),
    *((f"+ best score below the library's {q} quantile (question names no held case)"
       f"{' (shipped)' if q == 0.05 else ''}", CORE + ("absent_name", f"low_retrieval@{q}")) for q in QUANTILES),
    ("shipped (the 0.05 quantile) + no quoted sentence of the role the question asks for", SHIPPED + ("unfit_role",)),
    ("shipped + a topic no retrieved passage uses", SHIPPED + ("unretrieved_topic",)),
    ("shipped + a topic the quoted opinion never uses", SHIPPED + ("absent_topic",)),
    ("shipped + names a held case, quotes another", SHIPPED + ("other_opinion",)),
)


def unseen_questions(path: Path) -> list[tuple[str, str]]:
    """(opinion id, synthetic question) of each row of the multicourt sample's CSV."""
    csv.field_size_limit(1 << 30)
    with path.open(newline="", encoding="utf-8") as f:
        return [(r["opinion_id"], r["relevant_query_qstn"]) for r in csv.DictReader(f) if r["relevant_query_qstn"]]


def collect(lib, unseen: list[tuple[str, str]], floors: dict[str, float | None]) -> dict[str, list[dict]]:
    """Per set, one row per question: answerable, evidence cited, abstained anyway, signals fired (and
    ``low_retrieval@Q`` for each quantile Q of ``floors`` the question's best score is below)."""
    from qa_bot.answer.abstain import library_best
    from qa_bot.evaluation.evalset import load_set
    from qa_bot.evaluation.evaluate import abstained, run_mode

    from qa_bot.answer.abstain import library_case_names, named_opinions
    from qa_bot.answer.ask import library_intent

    names = library_case_names(lib)

    def below(question: str) -> list[str]:  # as the product's low_retrieval: not for a question naming a held case
        if library_intent(lib, question).opinions or named_opinions(question, names):
            return []
        top = library_best(lib, question)
        return [f"low_retrieval@{q}" for q, f in floors.items() if f is not None and top is not None and top < f]

    out: dict[str, list[dict]] = {}
    for s in SETS:
        rows = []
        for r in run_mode(lib, load_set(ROOT / s), "hybrid", 10, "extractive"):
            rows.append({"id": r.question.id, "answerable": r.question.answerable, "evidence": bool(r.evidence_cited),
                         "abstained": abstained(r.answer),
                         "signals": list(r.answer.signals) + below(r.question.question)})
        out[Path(s).stem] = rows
    if unseen:
        rows = []
        for oid, q in unseen:
            a = lib.ask(q, mode="hybrid", k=10)
            rows.append({"id": oid, "answerable": False, "evidence": False, "abstained": abstained(a),
                         "signals": list(a.signals) + below(q)})
        out["multicourt_unseen"] = rows
    return out


def figures(rows: list[dict], abstain_on: tuple[str, ...]) -> dict:
    """One variant's figures over one set's rows."""
    def abst(r):
        return r["abstained"] or any(s in abstain_on for s in r["signals"])

    def noted(r):  # the note comes from the product's signals (not the measured low_retrieval@Q variants)
        return not abst(r) and any(s not in abstain_on and "@" not in s for s in r["signals"])

    ans = [r for r in rows if r["answerable"]]
    una = [r for r in rows if not r["answerable"]]
    out_abst = [r for r in rows if abst(r)]

    def ratio(a, b):
        return round(a / b, 3) if b else None

    return {
        "abstain_precision": ratio(sum(not r["answerable"] for r in out_abst), len(out_abst)),
        "abstain_recall": ratio(sum(abst(r) for r in una), len(una)),
        "abstained": f"{sum(abst(r) for r in una)}/{len(una)}",
        "answered_rate": ratio(sum(not abst(r) for r in ans), len(ans)),
        "answer_evidence_rate": ratio(sum(r["evidence"] and not abst(r) for r in ans), len(ans)),
        "noted_rate": ratio(sum(noted(r) for r in rows if not abst(r)), sum(not abst(r) for r in rows)),
        "abstain_or_note": ratio(sum(abst(r) or noted(r) for r in una), len(una)),
    }


def table(results: dict) -> str:
    sets = list(next(iter(results.values())))
    head = ["variant (signals that abstain)"]
    for s in sets:
        head += [f"{s} abstain P / R", f"{s} answered (noted)", f"{s} evidence"] if s != "multicourt_unseen" else \
            [f"{s} abstained", f"{s} abstained or noted"]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    fmt = lambda v: "-" if v is None else f"{v:.3f}"  # noqa: E731
    for name, by_set in results.items():
        cells = [name]
        for s in sets:
            m = by_set[s]
            if s == "multicourt_unseen":
                cells += [f"{m['abstained']} ({fmt(m['abstain_recall'])})", fmt(m["abstain_or_note"])]
            else:
                cells += [f"{fmt(m['abstain_precision'])} / {fmt(m['abstain_recall'])} ({m['abstained']})",
                          f"{fmt(m['answered_rate'])} ({fmt(m['noted_rate'])})", fmt(m["answer_evidence_rate"])]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", default="demo")
    ap.add_argument("--unseen", default="../shared/corpora/multicourt-sample/4.finetune_val.csv",
                    help="the multicourt sample's 4.finetune_val.csv ('' to skip)")
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    from qa_bot.answer import abstain
    from qa_bot.errors import QaBotError
    from qa_bot.library import Library

    unseen = unseen_questions(Path(args.unseen)) if args.unseen else []
    shipped = abstain.ABSTAIN_ON
    assert shipped == frozenset(SHIPPED), "SHIPPED must be the product's ABSTAIN_ON"
    abstain.ABSTAIN_ON = frozenset()  # this process only: ask once, every signal recorded, none abstaining
    try:
        with Library.open(args.index) as lib:
            floor = abstain.retrieval_floor(lib)
            vectors = lib.retriever.snapshot().vectors
            owner = {pid: oid for pid, oid, _ in lib.store.passage_owners()}
            floors = {q: abstain.score_floor(vectors, owner, q) for q in QUANTILES}
            rows = collect(lib, unseen, floors)
    except QaBotError as e:
        print(f"levers_abstain: {e}", file=sys.stderr)
        return 2
    finally:
        abstain.ABSTAIN_ON = shipped
    results = {name: {s: figures(r, on) for s, r in rows.items()} for name, on in VARIANTS}
    text = table(results)
    print(text)
    fired = {s: {sig: sum(sig in r["signals"] for r in rs if not r["answerable"]) for sig in abstain.SIGNALS}
             | {f"{sig} (answerable)": sum(sig in r["signals"] for r in rs if r["answerable"]) for sig in abstain.SIGNALS}
             for s, rs in rows.items()}
    if args.json:
        load = os.getloadavg()
        Path(args.json).write_text(json.dumps({
            "index": args.index, "mode": "hybrid", "k": 10, "answerer": "extractive",
            "shipped": sorted(shipped), "retrieval_floor": floor, "floor_quantile": abstain.FLOOR_QUANTILE,
            "floors": floors,
            "load_at_end": [round(x, 2) for x in load], "variants": {n: list(on) for n, on in VARIANTS},
            "results": results, "signals_fired": fired, "per_question": rows}, indent=1) + "\n", encoding="utf-8")
        Path(args.json).with_suffix(".md").write_text(
            f"# Abstention signals (eval/levers_abstain.py --index {args.index})\n\n"
            f"Load average at the end: {' '.join(f'{x:.2f}' for x in load)}. Library score floor "
            f"(quantile {abstain.FLOOR_QUANTILE}): {floor if floor is None else round(floor, 3)}.\n\n{text}\n",
            encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
