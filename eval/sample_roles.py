"""Sample the sentences of eval/sets/roles.jsonl, the hand-labelled gold set for the sentence-role tagger
(issue 8, item 2), and keep the labels already made.

Sentences are the answerer's own (``opinion_sentences`` over each paragraph of each opinion: never split
inside a citation eyecite found), over every opinion of the demo library (Pena v. DePrisco + 27 Supreme
Court opinions), caption matter, concurrences, dissents and footnotes included. Sentences of fewer than 3
words are never drawn. Three strata, drawn in this order with one seeded generator, no sentence twice:

* ``uniform`` (300): stratified by opinion, equal allocation (300 = 28 x 10 + 20 opinions drawn to give 11),
  uniformly at random within each opinion. An opinion's sentences therefore weigh ~1/len(opinion): a
  figure over the whole library should weight each row by its opinion's sentence count / rows drawn.
* ``zone`` (60): sentences starting in a structural zone chosen by position only: the first 8% of the
  opinion's text, or the last 12% of one of its parts (``op.parts``: caption matter, majority,
  each concurrence and dissent; footnote text lies after the parts and is never in this zone).
  Two per opinion, the 4 left over to opinions drawn at random.
* ``cue`` (60): sentences matching ``CUE`` (hold / conclude / argue / contend / urge / submit / whether),
  two per opinion (4 left over drawn at random; an opinion with too few gives its share to the others),
  so the precision of a tagger's rare roles can be estimated.

Labels are made by hand in the JSONL (``role`` and ``note``); re-running the script re-draws the same
sentences and keeps each row's label, matched by (opinion_id, start, end) and checked against the text.
A drawn sentence without a label is written with ``role: ""`` and counted; a label whose sentence is no
longer drawn, or whose text changed (the structure stage or the splitter moved), is reported and dropped
from the output only with ``--drop-stale`` (otherwise the script stops, so no label is lost silently).

    .venv/bin/python eval/sample_roles.py [--index demo] [--out eval/sets/roles.jsonl] [--sheet FILE]
    .venv/bin/python eval/sample_roles.py --check     # every row's text == its span in the library

``--sheet FILE`` writes a reading sheet: every row with its section, part and whole paragraph, the form the
labels were made in. The demo library is built on first use (``qa-bot info --index demo``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_OUT = ROOT / "eval" / "sets" / "roles.jsonl"

SEED = 8  # issue 8
N_UNIFORM, N_ZONE, N_CUE = 300, 60, 60
HEAD_SHARE, TAIL_SHARE = 0.08, 0.12
MIN_WORDS = 3
CUE = re.compile(r"\b(hold|held|holding|conclude|conclusion|argue[sd]?|contend[s]?|urge[sd]?|submit[s]?|whether)\b",
                 re.IGNORECASE)

ROLES = ("holding", "rule", "reasoning", "facts", "procedure", "argument", "issue", "precedent", "syllabus",
         "caption", "other")
STRATA = ("uniform", "zone", "cue")
FIELDS = ("id", "opinion_id", "case", "citation", "start", "end", "text", "part", "author", "section",
          "paragraph_kind", "stratum", "role", "note")


def library_sentences(lib) -> dict[str, list[dict]]:
    """opinion_id -> its sentences (>= MIN_WORDS words) in text order, each with its paragraph and opinion."""
    from qa_bot.ingest.sentences import opinion_sentences as split  # the answerer's (and role tagger's) splitter

    out: dict[str, list[dict]] = {}
    for row in lib.store.opinions():
        oid = row[0]
        op = lib.opinion(oid)
        sents = []
        for para in op.paragraphs:
            for a, b in split(op, para.start, para.end):
                if len(op.text[a:b].split()) >= MIN_WORDS:
                    sents.append({"op": op, "para": para, "start": a, "end": b})
        out[oid] = sents
    return dict(sorted(out.items()))


def in_zone(op, start: int) -> bool:
    if start < HEAD_SHARE * len(op.text):
        return True
    return any(p.end - TAIL_SHARE * (p.end - p.start) <= start < p.end for p in op.parts)


def allocate(pools: dict[str, list], n: int, rng: random.Random) -> dict[str, int]:
    """Split ``n`` draws equally over the pools (extra ones to pools drawn at random), never more than a
    pool holds; a short pool's share goes to the others."""
    want = {k: 0 for k in pools}
    left = n
    while left > 0:
        open_ = [k for k in pools if want[k] < len(pools[k])]
        if not open_:
            raise SystemExit(f"only {n - left} sentences available, {n} wanted")
        each, extra = divmod(left, len(open_))
        lucky = set(rng.sample(open_, extra))
        for k in open_:
            take = min(each + (k in lucky), len(pools[k]) - want[k])
            want[k] += take
            left -= take
    return want


def draw(sents: dict[str, list[dict]], seed: int = SEED) -> list[dict]:
    rng = random.Random(seed)
    taken: set[tuple[str, int]] = set()
    rows: list[dict] = []

    def stratum(name: str, n: int, keep) -> None:
        pools = {oid: [s for s in ss if (oid, s["start"]) not in taken and keep(s)] for oid, ss in sents.items()}
        got = []
        for oid, k in allocate(pools, n, rng).items():
            for s in rng.sample(pools[oid], k):
                taken.add((oid, s["start"]))
                got.append(s)
        got.sort(key=lambda s: (s["op"].meta.case_name, s["start"]))
        rows.extend(_row(s, name) for s in got)

    stratum("uniform", N_UNIFORM, lambda s: True)
    stratum("zone", N_ZONE, lambda s: in_zone(s["op"], s["start"]))
    stratum("cue", N_CUE, lambda s: bool(CUE.search(s["op"].text[s["start"]:s["end"]])))
    for i, r in enumerate(rows, 1):
        r["id"] = f"role-{i:04d}"
    return rows


def _row(s: dict, stratum: str) -> dict:
    op, para = s["op"], s["para"]
    return {"id": "", "opinion_id": op.id, "case": op.meta.case_name, "citation": op.meta.citation,
            "start": s["start"], "end": s["end"], "text": op.text[s["start"]:s["end"]], "part": para.part,
            "author": para.author, "section": para.section, "paragraph_kind": para.kind, "stratum": stratum,
            "role": "", "note": ""}


def read_rows(path: Path) -> list[dict]:
    if not path.exists():
        return []
    rows = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise SystemExit(f"{path}:{n}: not JSON ({e.msg})")
    return rows


def merge_labels(rows: list[dict], old: list[dict], drop_stale: bool) -> list[str]:
    """Copy role/note from ``old`` onto ``rows`` by (opinion_id, start, end); returns the problems."""
    by_key = {(r["opinion_id"], r["start"], r["end"]): r for r in old}
    problems = []
    for r in rows:
        o = by_key.pop((r["opinion_id"], r["start"], r["end"]), None)
        if o is None:
            continue
        if o.get("text") != r["text"]:
            problems.append(f"{o.get('id')}: text changed: {o.get('text')!r} -> {r['text']!r}")
            continue
        if o.get("role") and o["role"] not in ROLES:
            problems.append(f"{o.get('id')}: role {o['role']!r} is not one of {', '.join(ROLES)}")
        r["role"], r["note"] = o.get("role", ""), o.get("note", "")
    for o in by_key.values():
        if o.get("role"):
            problems.append(f"{o.get('id')}: labelled sentence no longer drawn: {o.get('text')!r}")
    if problems and not drop_stale:
        raise SystemExit("labels would be lost (re-run with --drop-stale to drop them):\n  " + "\n  ".join(problems))
    return problems


def write_rows(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps({k: r[k] for k in FIELDS}, ensure_ascii=False) + "\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_sheet(path: Path, rows: list[dict], lib) -> None:
    """Each row in its paragraph (the sentence between >>> <<<), with section, part and paragraph kind."""
    ops = {}
    with path.open("w", encoding="utf-8") as f:
        for r in rows:
            op = ops.get(r["opinion_id"]) or ops.setdefault(r["opinion_id"], lib.opinion(r["opinion_id"]))
            para = next(p for p in op.paragraphs if p.start <= r["start"] < p.end)
            text = op.text
            ctx = text[para.start:r["start"]] + ">>>" + text[r["start"]:r["end"]] + "<<<" + text[r["end"]:para.end]
            where = f"{r['start'] / len(text):.0%} of text"
            f.write(f"## {r['id']} [{r['stratum']}] {r['case']} | {r['part']}/{r['author']} | {r['paragraph_kind']}"
                    f" | sec={r['section']!r} | {where} | role={r['role'] or '?'}"
                    f"{' | note=' + r['note'] if r['note'] else ''}\n{ctx}\n\n")


def check(rows: list[dict], lib) -> list[str]:
    bad = []
    for r in rows:
        op = lib.opinion(r["opinion_id"])
        if op.text[r["start"]:r["end"]] != r["text"]:
            bad.append(f"{r['id']}: text is not op.text[{r['start']}:{r['end']}]")
    return bad


def counts(rows: list[dict]) -> str:
    by_role = Counter(r["role"] or "(unlabelled)" for r in rows)
    by_cell = defaultdict(Counter)
    for r in rows:
        by_cell[r["role"] or "(unlabelled)"][r["stratum"]] += 1
    lines = [f"{'role':<14}" + "".join(f"{s:>9}" for s in STRATA) + f"{'total':>9}"]
    for role in [*ROLES, "(unlabelled)"]:
        if by_role[role]:
            lines.append(f"{role:<14}" + "".join(f"{by_cell[role][s]:>9}" for s in STRATA) + f"{by_role[role]:>9}")
    strata = Counter(r["stratum"] for r in rows)
    lines.append(f"{'total':<14}" + "".join(f"{strata[s]:>9}" for s in STRATA) + f"{len(rows):>9}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from qa_bot.library import Library

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", default="demo")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--sheet", type=Path, help="also write a reading sheet (each sentence in its paragraph)")
    ap.add_argument("--drop-stale", action="store_true", help="drop labels whose sentence is no longer drawn")
    ap.add_argument("--check", action="store_true", help="only check the file's rows against the library")
    args = ap.parse_args(argv)
    with Library.open(args.index) as lib:
        if args.check:
            rows = read_rows(args.out)
            bad = check(rows, lib)
            print("\n".join(bad) or f"{len(rows)} rows: every text is its span in the library")
            print(counts(rows))
            return 1 if bad else 0
        sents = library_sentences(lib)
        rows = draw(sents, args.seed)
        problems = merge_labels(rows, read_rows(args.out), args.drop_stale)
        write_rows(args.out, rows)
        if args.sheet:
            write_sheet(args.sheet, rows, lib)
    for p in problems:
        print("dropped:", p)
    total = sum(len(v) for v in sents.values())
    print(f"{total} sentences (>= {MIN_WORDS} words) in {len(sents)} opinions; wrote {len(rows)} rows to {args.out}")
    print(counts(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
