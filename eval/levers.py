"""Issue 8's levers, each measured on both development sets in one run (the table: eval/reports/README.md).

    .venv/bin/python eval/levers.py [--index demo] [--header] [--json eval/reports/levers.json]

Every row is the extractive answerer over the demo library in hybrid mode (k=10), with one more lever
switched on than the row above it (``RetrieveSettings.route_named``, ``RetrieveSettings.prefer_roles``,
``AnswerSettings.compose_by_role``). ``--header`` also measures retrieval with every passage embedded
together with its context header (case, court, year, section): it copies the library to a temporary
folder and re-embeds it there (minutes), because a header changes every stored vector.

Only eval/sets/pena_dev.jsonl and eval/sets/scotus_dev.jsonl are used: the held-out set
(answers_heldout.jsonl) is not run here.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SETS = ("eval/sets/pena_dev.jsonl", "eval/sets/scotus_dev.jsonl")
LEVERS = (
    ("none (best sentence first)", {"retrieve": {"prefer_roles": False, "route_named": False},
                                    "answer": {"compose_by_role": False}}),
    ("+ route a named case first", {"retrieve": {"prefer_roles": False, "route_named": True},
                                    "answer": {"compose_by_role": False}}),
    ("+ rank by roles and parts", {"retrieve": {"prefer_roles": True, "route_named": True},
                                   "answer": {"compose_by_role": False}}),
    ("+ compose by role (all)", {}),
)
KEYS = ("hit@5", "hit@10", "mrr@10", "answer_evidence_rate", "lead_evidence_rate", "wrong_opinion_rate",
        "answered_rate", "abstain_recall")


def measure(lib, answerer: str | None = "extractive") -> dict:
    from qa_bot.evaluation.evalset import load_set
    from qa_bot.evaluation.evaluate import evaluate

    out = {}
    for s in SETS:
        r = evaluate(lib, load_set(ROOT / s), mode="hybrid", k=10, answerer=answerer)
        out[Path(s).stem] = {k: (r["retrieval"].get(k) if k in r["retrieval"] else r["answers"].get(k)) for k in KEYS}
    return out


def header_library(index: str, tmp: Path) -> Path:
    """A copy of the library whose vectors embed each passage with its header."""
    from qa_bot.index import sync
    from qa_bot.library import Library
    from qa_bot.paths import resolve_index

    def doc_text(p) -> str:
        head = ", ".join(x for x in (p.case_name, p.court, str(p.year or "")) if x)
        return f"{head}{f' ({p.section})' if p.section else ''}: {p.text}"

    dest = tmp / "header"
    shutil.copytree(resolve_index(index), dest)
    sync.doc_text = doc_text  # this process only: the experiment, not the product
    with Library.open(dest) as lib:
        lib.sync(rebuild=True)
    return dest


def table(results: dict) -> str:
    sets = [Path(s).stem for s in SETS]
    head = "| lever | " + " | ".join(f"{s} {k}" for s in sets for k in ("hit@5", "ev", "lead", "wrong", "answered",
                                                                            "abstain")) + " |"
    rows = [head, "|" + "---|" * (1 + 6 * len(sets))]
    for name, by_set in results.items():
        cells = []
        for s in sets:
            m = by_set[s]
            for k in ("hit@5", "answer_evidence_rate", "lead_evidence_rate", "wrong_opinion_rate", "answered_rate",
                      "abstain_recall"):
                v = m.get(k)
                cells.append("-" if v is None else f"{v:.3f}")
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", default="demo")
    ap.add_argument("--header", action="store_true", help="also measure header-embedded vectors (re-embeds a copy)")
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    from qa_bot.errors import QaBotError
    from qa_bot.library import Library
    from qa_bot.settings import Settings

    results = {}
    try:
        for name, change in LEVERS:
            with Library.open(args.index, settings=Settings.preset().with_(**change)) as lib:
                results[name] = measure(lib)
                print(name, json.dumps(results[name]), flush=True)
        if args.header:
            with tempfile.TemporaryDirectory() as tmp:
                folder = header_library(args.index, Path(tmp))
                with Library.open(folder) as lib:
                    results["+ header embedded with the passage"] = measure(lib)
                with Library.open(folder, settings=Settings.preset().with_(**LEVERS[0][1])) as lib:
                    results["header embedded, no other lever"] = measure(lib)
    except QaBotError as e:
        print(f"levers: {e}", file=sys.stderr)
        return 2
    print(table(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
