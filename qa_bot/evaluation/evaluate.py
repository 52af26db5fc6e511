"""``qa-bot eval``: score retrieval modes (and answers) on an evaluation set, per ``eval-format.md``.

For each question the library is searched (``Library.search(question, k=, mode=)``) and every hit is
matched against the evidence items (``evalset.supports``); with an answerer, ``Library.ask`` is called
too and its sentences and citations are judged (``metrics.alce_answer``, pin accuracy, abstention).

Report (``--json``) for one mode: exactly the keys of eval-format.md plus a few added ones ("k",
"answerer", "errors", "retrieval_latency_ms_p50/p95", "per_tag"). Choices made where the format is open:

* ``--mode all`` writes ONE file: ``{"set", "questions", "index", "mode": "all", "k", "answerer",
  "modes": {"bm25": report, "dense": report, "hybrid": report}}``, each inner report complete.
* A metric with an empty denominator (e.g. ``abstain_recall`` when every question is answerable) is
  ``null``; with ``--answerer none`` every key of "answers" is ``null``.
* ``latency_ms_*`` is per question end to end: the ``ask`` call (which retrieves itself) when an
  answerer runs, else the ``search`` call; ``retrieval_latency_ms_*`` always times ``search`` alone.
  One untimed warm-up question runs first so model loading is not counted.
* ``pin_accuracy``: an answer citation supports an evidence item when its quoted span passes the
  matching rule for the item's quote, or (span of >= 20 characters) the quote passes it for the span
  (a citation of part of a long quote); pins compare ignoring spaces and case.
* ``citation_recall``/``citation_precision`` average over answers that did not abstain (all questions).
* per_tag breaks every metric down by tag (questions without tags are not in any tag).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

from .. import atomic
from ..errors import BadQuestion, QaBotError, choices
from ..ingest import roles
from ..text import normalize
from ..types import CANNOT_ANSWER, Answer, Citation, Hit
from .evalset import EvalSet, Evidence, Question, has_run, load_set, same_opinion
from .metrics import (Judge, QuoteJudge, abstention_metrics, alce_answer, percentile, pins_equal, ratio,
                      retrieval_metrics)

MODES = ("bm25", "dense", "hybrid")
ANSWERERS = ("extractive", "llm", "none")
ANSWER_KEYS = ("citation_recall", "citation_precision", "pin_accuracy", "abstain_precision", "abstain_recall",
               "answered_rate", "answer_evidence_rate", "lead_evidence_rate", "wrong_opinion_rate")
MIN_SPAN = 20  # a cited span this long that lies inside an evidence quote counts as citing it


@dataclass
class Record:
    """What one question produced in one mode."""

    question: Question
    hits: list[Hit] = field(default_factory=list)
    ranked: list[frozenset[int]] = field(default_factory=list)
    search_ms: float | None = None
    ask_ms: float | None = None
    answer: Answer | None = None
    alce: tuple[float, float] | None = None
    pin: tuple[int, int] = (0, 0)  # (correct, judged)
    citations: list[dict] = field(default_factory=list)
    evidence_cited: bool = False  # some citation's span supports a gold evidence item (in the right opinion)
    lead_evidence: bool = False  # the first cited sentence does
    wrong_opinion: bool | None = None  # the first citation is not in the one opinion the evidence is in
    searched: str = ""  # what the search actually ran (``Retrieval.label``: "hybrid", "BM25 (hybrid asked; ...)")
    searched_note: str = ""  # ``Retrieval.note`` when it was not the search asked for, or ran on part of the vectors
    error: str = ""

    @property
    def latency_ms(self) -> float | None:
        return self.ask_ms if self.ask_ms is not None else self.search_ms


class OpinionNames:
    """opinion_id -> (case name, citations incl. parallel ones), read from the store once, on demand."""

    def __init__(self, store=None):
        self.store = store
        self._names: dict[str, tuple[str, tuple[str, ...]]] | None = None

    def get(self, opinion_id: str, case_name: str = "", citation: str = "") -> tuple[str, tuple[str, ...]]:
        if self._names is None:
            self._names = {}
            if self.store is not None:
                for oid, meta, _ in self.store.opinions():
                    self._names[oid] = (meta.case_name, (meta.citation, *meta.parallel_citations))
        name, cites = self._names.get(opinion_id, ("", ()))
        return case_name or name, tuple(dict.fromkeys(c for c in (citation, *cites) if c))


def abstained(answer: Answer) -> bool:
    """The answer's flag, or an answer that starts with the ``CANNOT_ANSWER`` sentinel."""
    return answer.abstained or bool(answer.sentences) and answer.sentences[0].text.startswith(CANNOT_ANSWER)


# -- judging one question ---------------------------------------------------------------------------
def judge_hits(question: Question, hits: Sequence[Hit], names: OpinionNames | None = None) -> list[frozenset[int]]:
    """For each hit in rank order, the indices of the evidence items its passage supports."""
    need_names = any(ev.citation for ev in question.evidence)
    out = []
    for h in sorted(hits, key=lambda h: h.rank):
        p = h.passage
        cites: tuple[str, ...] = (p.citation,)
        if need_names and names is not None:
            _, cites = names.get(p.opinion_id, p.case_name, p.citation)
        text = normalize(p.text)
        out.append(frozenset(i for i, ev in enumerate(question.evidence)
                             if same_opinion(ev, p.case_name, cites) and has_run(ev.norm_quote, text)))
    return out


def citation_supports(item: Evidence, cit: Citation, case_name: str, cites: Iterable[str]) -> bool:
    """Does this answer citation's span cite the evidence item (see module docstring)?"""
    if not same_opinion(item, case_name, cites):
        return False
    span = normalize(cit.quote)
    if not span:
        return False
    return has_run(item.norm_quote, span) or (len(span) >= MIN_SPAN and has_run(span, item.norm_quote))


def judge_answer(question: Question, answer: Answer, judge: Judge, names: OpinionNames | None = None):
    """-> (alce (recall, precision) or None when abstained, (pins correct, pins judged), citation rows)."""
    by_number = {c.number: c for c in answer.citations}
    passages = {h.passage.id: h.passage for h in answer.hits}

    def cited_text(n: int) -> str | None:
        c = by_number.get(n)
        if c is None:
            return None
        if c.quote:
            return c.quote
        p = passages.get(c.passage_id)
        return p.text if p is not None else None

    alce = None
    if not abstained(answer) and answer.sentences:
        alce = alce_answer([(s.text, [cited_text(n) for n in s.citations]) for s in answer.sentences], judge)
    correct = judged = 0
    rows = []
    for c in answer.citations:
        p = passages.get(c.passage_id)
        case_name, cites = (p.case_name, (p.citation,)) if p is not None else ("", ())
        if names is not None:
            case_name, cites = names.get(c.opinion_id, case_name, cites[0] if cites else "")
        supported = [ev for ev in question.evidence if citation_supports(ev, c, case_name, cites)]
        pinned = [ev for ev in supported if ev.pin]
        ok = None
        if pinned:
            ok = any(pins_equal(c.pin, ev.pin) for ev in pinned)
            judged += 1
            correct += ok
        rows.append({"number": c.number, "passage_id": c.passage_id, "opinion_id": c.opinion_id, "pin": c.pin,
                     "supports_evidence": bool(supported), "pin_correct": ok, "case": case_name, "cites": list(cites)})
    return alce, (correct, judged), rows


def lead_citation(answer: Answer) -> int | None:
    """The number of the first citation of the answer's first cited sentence (reading order)."""
    return next((s.citations[0] for s in answer.sentences if s.citations), None)


def correctness(question: Question, answer: Answer, rows: Sequence[dict]) -> tuple[bool, bool, bool | None]:
    """(evidence cited, lead evidence, wrong opinion) for one answer, from ``judge_answer``'s rows.

    * evidence cited: some citation's span supports a gold evidence item (``citation_supports``: the
      right opinion, and the span covers the quote or lies inside it);
    * lead evidence: the first cited sentence's first citation does;
    * wrong opinion: the evidence is in one opinion (every item names the same case/citation) and the
      first citation is in another; None when that is not defined (no evidence, several opinions,
      abstained)."""
    if abstained(answer) or not rows:
        return False, False, None
    by_number = {r["number"]: r for r in rows}
    lead = by_number.get(lead_citation(answer))
    cited = any(r["supports_evidence"] for r in rows)
    lead_ok = bool(lead and lead["supports_evidence"])
    wrong = None
    opinions = {(ev.case, ev.citation) for ev in question.evidence}
    if question.answerable and len(opinions) == 1 and any(next(iter(opinions))) and lead is not None:
        wrong = not same_opinion(question.evidence[0], lead["case"], lead["cites"])
    return cited, lead_ok, wrong


# -- running ----------------------------------------------------------------------------------------
def run_mode(lib, evalset: EvalSet, mode: str, k: int = 10, answerer: str | None = None,
             judge: Judge | None = None, progress: Callable[[str, int, int], None] | None = None) -> list[Record]:
    """Search (and ask) every question in one mode; returns one judged ``Record`` per question."""
    judge = judge or QuoteJudge()
    names = OpinionNames(getattr(lib, "store", None))
    if evalset.questions:  # warm-up: load models and indexes outside the timings
        q0 = evalset.questions[0].question
        try:
            lib.search(q0, k=k, mode=mode)
            if answerer:
                lib.ask(q0, answerer=answerer, k=k, mode=mode)
        except QaBotError:
            pass
    records = []
    total = len(evalset.questions)
    for i, q in enumerate(evalset.questions, 1):
        rec = Record(q)
        try:
            t0 = time.perf_counter()
            hits = lib.search(q.question, k=k, mode=mode)
            rec.search_ms = (time.perf_counter() - t0) * 1000.0
            rec.hits = list(hits)
            ran = getattr(hits, "retrieval", None)
            if ran is not None:
                rec.searched, rec.searched_note = ran.label(), ran.note()
            rec.ranked = judge_hits(q, rec.hits, names)
            if answerer:
                t0 = time.perf_counter()
                rec.answer = lib.ask(q.question, answerer=answerer, k=k, mode=mode)
                rec.ask_ms = (time.perf_counter() - t0) * 1000.0
                rec.alce, rec.pin, rec.citations = judge_answer(q, rec.answer, judge, names)
                rec.evidence_cited, rec.lead_evidence, rec.wrong_opinion = correctness(q, rec.answer, rec.citations)
        except QaBotError as e:
            rec.error = f"{type(e).__name__}: {e}"
        records.append(rec)
        if progress:
            progress(f"eval {mode}", i, total)
    return records


def summarize(records: Sequence[Record], answers: bool) -> dict:
    """The metric blocks for a group of records (all questions, or one tag)."""
    answerable = [r for r in records if r.question.answerable]
    retrieval = retrieval_metrics([(r.ranked, len(r.question.evidence)) for r in answerable])
    block: dict[str, float | None] = {key: None for key in ANSWER_KEYS}
    if answers:
        done = [r for r in records if r.answer is not None]
        alce = [r.alce for r in done if r.alce is not None]
        if alce:
            block["citation_recall"] = sum(a[0] for a in alce) / len(alce)
            block["citation_precision"] = sum(a[1] for a in alce) / len(alce)
        judged = sum(r.pin[1] for r in done)
        block["pin_accuracy"] = sum(r.pin[0] for r in done) / judged if judged else None
        block.update(abstention_metrics([(r.question.answerable, abstained(r.answer)) for r in done]))
        answerable_done = [r for r in done if r.question.answerable]
        block["answer_evidence_rate"] = ratio(sum(r.evidence_cited for r in answerable_done), len(answerable_done))
        block["lead_evidence_rate"] = ratio(sum(r.lead_evidence for r in answerable_done), len(answerable_done))
        judged_op = [r.wrong_opinion for r in done if r.wrong_opinion is not None]
        block["wrong_opinion_rate"] = ratio(sum(judged_op), len(judged_op))
    lat = [r.latency_ms for r in records if r.latency_ms is not None]
    slat = [r.search_ms for r in records if r.search_ms is not None]
    return {"retrieval": retrieval, "answers": block,
            "latency_ms_p50": percentile(lat, 50), "latency_ms_p95": percentile(lat, 95),
            "retrieval_latency_ms_p50": percentile(slat, 50), "retrieval_latency_ms_p95": percentile(slat, 95)}


def _per_question(r: Record, k: int) -> dict:
    row = {
        "id": r.question.id,
        "first_hit_rank": next((i for i, s in enumerate(r.ranked, 1) if s), None),
        "abstained": abstained(r.answer) if r.answer is not None else None,
        "signals": list(getattr(r.answer, "signals", ())) if r.answer is not None else None,
        "citations": r.citations,
        "answerable": r.question.answerable,
        "tags": list(r.question.tags),
        "evidence_found": [any(i in s for s in r.ranked[:k]) for i in range(len(r.question.evidence))],
        "hits": [h.passage.id for h in sorted(r.hits, key=lambda h: h.rank)],
        "latency_ms": r.latency_ms,
    }
    if r.alce is not None:
        row["citation_recall"], row["citation_precision"] = r.alce
    if r.answer is not None and r.question.answerable:
        row["evidence_cited"], row["lead_evidence"] = r.evidence_cited, r.lead_evidence
        row["wrong_opinion"] = r.wrong_opinion
    if r.error:
        row["error"] = r.error
    return row


def searched(records: Sequence[Record]) -> tuple[dict[str, int], str]:
    """How many questions each search that actually ran served, and a note for the reader when any of them
    was not the search asked for (a library whose vectors are missing or still filling in answers from BM25
    alone: its "hybrid" figures are then BM25's, and must not be read as hybrid's)."""
    counts: dict[str, int] = {}
    for r in records:
        if r.searched:
            counts[r.searched] = counts.get(r.searched, 0) + 1
    notes = [r.searched_note for r in records if r.searched_note]
    if not notes:
        return counts, ""
    return counts, (f"{len(notes)} of {len(records)} questions were not searched as asked: {notes[-1]} "
                    "Run qa-bot sync (embeds what is missing) before reading these figures as the mode's.")


def build_report(evalset: EvalSet, index: str, mode: str, k: int, answerer: str | None,
                 records: Sequence[Record]) -> dict:
    answers = answerer is not None
    summary = summarize(records, answers)
    ran, note = searched(records)
    tags = sorted({t for r in records for t in r.question.tags})
    per_tag = {}
    for tag in tags:
        group = [r for r in records if tag in r.question.tags]
        per_tag[tag] = {"questions": len(group), **summarize(group, answers)}
    return {
        "set": evalset.name, "questions": len(evalset), "index": index, "mode": mode, "k": k,
        "answerer": answerer or "none",
        "retrieval": summary["retrieval"], "answers": summary["answers"],
        "latency_ms_p50": summary["latency_ms_p50"], "latency_ms_p95": summary["latency_ms_p95"],
        "retrieval_latency_ms_p50": summary["retrieval_latency_ms_p50"],
        "retrieval_latency_ms_p95": summary["retrieval_latency_ms_p95"],
        "errors": sum(bool(r.error) for r in records),
        "searched": ran, "note": note,
        "per_tag": per_tag,
        "per_question": [_per_question(r, k) for r in records],
    }


def evaluate(lib, evalset: EvalSet, mode: str = "hybrid", k: int = 10, answerer: str | None = None,
             index: str = "", judge: Judge | None = None, progress=None) -> dict:
    """One report (``mode`` in bm25|dense|hybrid) or, for ``mode="all"``, ``{"modes": {...}}`` + shared keys."""
    if mode not in (*MODES, "all"):
        raise choices("mode", mode, [*MODES, "all"])
    if k <= 0:
        raise BadQuestion(f"--k must be a positive number of passages, not {k}")
    if mode != "all":
        records = run_mode(lib, evalset, mode, k, answerer, judge, progress)
        return build_report(evalset, index, mode, k, answerer, records)
    reports = {m: evaluate(lib, evalset, m, k, answerer, index, judge, progress) for m in MODES}
    return {"set": evalset.name, "questions": len(evalset), "index": index, "mode": "all", "k": k,
            "answerer": answerer or "none", "modes": reports}


# -- output -----------------------------------------------------------------------------------------
def _fmt(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.3f}" if abs(v) < 100 else f"{v:.0f}"
    return str(v)


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows)]
    line = lambda cells: "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)  # noqa: E731
                                   for i, (c, w) in enumerate(zip(cells, widths)))
    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def format_report(report: dict) -> str:
    """A plain-text table: metrics x modes, then a per-tag breakdown."""
    reports = report["modes"] if report.get("mode") == "all" else {report["mode"]: report}
    modes = list(reports)
    first = next(iter(reports.values()))
    answers = report.get("answerer", "none") != "none"
    keys = [("retrieval", k) for k in first["retrieval"]]
    if answers:
        keys += [("answers", k) for k in first["answers"]]
    keys += [(None, "latency_ms_p50"), (None, "latency_ms_p95")]
    rows = [[name, *(_fmt(reports[m][block][name] if block else reports[m][name]) for m in modes)]
            for block, name in keys]
    out = [f"set {report['set']} ({report['questions']} questions), index {report['index'] or '-'}, "
           f"k={report['k']}, answerer {report['answerer']}", "", _table(["metric", *modes], rows)]
    out += [f"note ({m}): {reports[m]['note']}" for m in modes if reports[m].get("note")]
    errors = {m: reports[m]["errors"] for m in modes if reports[m]["errors"]}
    if errors:
        out.append("errors (question counted as a miss): " + ", ".join(f"{m} {n}" for m, n in errors.items()))
    tags = sorted({t for r in reports.values() for t in r["per_tag"]})
    if tags:
        answer_cols = ["answer_evidence_rate", "lead_evidence_rate", "wrong_opinion_rate", "answered_rate"]
        cols = ["hit@5", "hit@10", "mrr@10"] + (answer_cols if answers else [])

        def cell(m: str, t: str, c: str) -> str:
            pt = reports[m]["per_tag"].get(t)
            return _fmt(pt["answers" if c in answer_cols else "retrieval"][c]) if pt else "-"

        count = lambda t: str(first["per_tag"].get(t, {}).get("questions", 0))  # noqa: E731
        if len(modes) == 1:
            out += ["", "per tag:", _table(["tag", "n", *cols], [[t, count(t), *(cell(modes[0], t, c) for c in cols)]
                                                                 for t in tags])]
        else:  # one small table per metric, modes side by side
            for c in cols:
                out += ["", f"per tag, {c}:",
                        _table(["tag", "n", *modes], [[t, count(t), *(cell(m, t, c) for m in modes)] for t in tags])]
    return "\n".join(out)


def write_json(report: dict, path: str | Path) -> None:
    """Atomic write: temp file in the same folder, fsync, os.replace."""
    atomic.write_json(path, report, indent=2)


# -- command line -----------------------------------------------------------------------------------
def default_answerer() -> str:
    import importlib.util

    return "extractive" if importlib.util.find_spec("qa_bot.answer.extractive") is not None else "none"


def add_arguments(sp) -> None:
    sp.add_argument("set", help="evaluation set (JSONL, see eval-format.md)")
    sp.add_argument("--mode", default="hybrid", choices=[*MODES, "all"], help="retrieval mode; all = side by side")
    sp.add_argument("--k", type=int, default=10, help="passages retrieved per question (default 10)")
    sp.add_argument("--answerer", choices=ANSWERERS, default=None,
                    help="answer metrics with this answerer (default extractive when available); none skips")
    sp.add_argument("--json", dest="json_out", default=None, metavar="OUT", help="write the report here")


def cli_eval(args) -> int:
    from ..library import Library
    from ..progress import progress_printer

    evalset = load_set(args.set)  # validate before opening anything
    answerer = args.answerer or default_answerer()
    if args.k <= 0:
        raise BadQuestion(f"--k must be a positive number of passages, not {args.k}")
    lib = Library.open(args.index, progress=progress_printer(args.quiet))
    try:
        report = evaluate(lib, evalset, mode=args.mode, k=args.k,
                          answerer=None if answerer == "none" else answerer,
                          index=str(args.index or "demo"), progress=progress_printer(args.quiet))
        # the figures depend on the sentence roles: say when they are an older tagger's
        stale = roles.stale(lib.store) if getattr(lib, "store", None) is not None else ""
    finally:
        lib.close()
    if stale:
        report["roles_note"] = stale
        print(f"note: {stale}", file=sys.stderr)
    print(format_report(report))
    if args.json_out:
        write_json(report, args.json_out)
        print(f"report written to {args.json_out}", file=sys.stderr)
    return 0
