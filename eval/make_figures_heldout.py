"""Build eval/sets/figures_heldout.jsonl: questions that ask for a figure (a duration, a sum, a count, an
age), over the Supreme Court opinions of the demo library, written to check the extractive answerer's
figure check on questions it was not designed on.

The check (``qa_bot.answer.abstain.figure_asked`` / ``states_figure``) was written after looking at two
pena_dev misses (a limitations period, a blood alcohol concentration). These questions were written
afterwards, in one sitting, before the answerer was run on any of them: answerable ones whose figure an
opinion states, and unanswerable ones about a party or topic the library discusses at length but whose
figure it never states. While they were being written, three forms they use were added to the check
("how many years" as a duration, "how much ... worth" as money, "a 22-year-old" as an age), before
any run; nothing was changed after the first run (eval/reports/README.md says what it found).

Each quote is checked verbatim against the demo library's clean text (``qa-bot info --index demo``
builds it) and its pin is the page where it starts.

    .venv/bin/python eval/make_figures_heldout.py [--index demo] [--out eval/sets/figures_heldout.jsonl]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_OUT = ROOT / "eval" / "sets" / "figures_heldout.jsonl"

# (id, question, case, quote or None when the library holds no answer, tags)
QUESTIONS = [
    ("fig-01", "How long was Gideon sentenced to serve in state prison?", "Gideon v. Wainwright",
     "petitioner was sentenced to serve five years in the state prison", ["duration"]),
    ("fig-02", "How long did the search of Chimel's house take?", "Chimel v. California",
     "The entire search took between 45 minutes and an hour.", ["duration"]),
    ("fig-03", "How many licks with a paddle was Ingraham subjected to?", "Ingraham v. Wright",
     "Ingraham was subjected to more than 20 licks with a paddle", ["count"]),
    ("fig-04", "How many years had the detective in Terry v. Ohio been a policeman?", "Terry v. Ohio",
     "he had been a policeman for 39 years and a detective for 35", ["duration"]),
    ("fig-05", "How long was Rochin sentenced to imprisonment?", "Rochin v. California",
     "Rochin was convicted and sentenced to sixty days' imprisonment", ["duration"]),
    ("fig-06", "How much were the hobby materials the inmate ordered in Parratt v. Taylor worth?",
     "Parratt v. Taylor", "hobby materials valued at $23.50", ["money"]),
    ("fig-07", "How long was Monroe detained at the police station?", "Monroe v. Pape",
     "charges for 10 hours, while he was interrogated", ["duration"]),
    ("fig-08", "How old was Escobedo when the police interrogated him?", "Escobedo v. Illinois",
     "a 22-year-old of Mexican extraction", ["measure"]),
    ("fig-09", "How many times was Gamble seen by medical personnel?", "Estelle v. Gamble",
     "Gamble was seen by medical personnel on 17 occasions", ["count"]),
    ("fig-10", "How much in damages did Bivens seek from each agent?",
     "Bivens v. Six Unknown Named Agents of Federal Bureau of Narcotics",
     "sought $15,000 damages from each of them", ["money"]),
    ("fig-11", "How much bail was set for Ernesto Miranda?", "Miranda v. Arizona", None, ["money"]),
    ("fig-12", "What is the statute of limitations for a Bivens action?", "", None, ["duration"]),
    ("fig-13", "How many years in prison did Dollree Mapp receive?", "Mapp v. Ohio", None, ["duration"]),
    ("fig-14", "How much in damages did the jury award Monroe?", "Monroe v. Pape", None, ["money"]),
]


def build(lib) -> list[dict]:
    ops = {meta.case_name: oid for oid, meta, _ in lib.store.opinions()}
    rows = []
    for qid, question, case, quote, tags in QUESTIONS:
        row = {"id": qid, "question": question, "answerable": quote is not None, "evidence": [],
               "tags": tags + (["unanswerable"] if quote is None else [])}
        if quote is not None:
            op = lib.store.opinion(ops[case])
            at = op.text.find(quote)
            if at < 0 or op.text.find(quote, at + 1) >= 0:
                raise SystemExit(f"{qid}: quote {'not found' if at < 0 else 'found twice'} in {case}: {quote!r}")
            row["evidence"] = [{"quote": quote, "case": case, "citation": op.meta.citation,
                                "pin": str(op.page_at(at))}]
        rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    from qa_bot.library import Library

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", default="demo")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    with Library.open(args.index) as lib:
        rows = build(lib)
    with args.out.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    answerable = sum(r["answerable"] for r in rows)
    print(f"wrote {len(rows)} questions ({answerable} answerable, {len(rows) - answerable} unanswerable) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
