"""Score the sentence-role tagger (qa_bot/ingest/roles.py) against the hand-labelled eval/sets/roles.jsonl.

    .venv/bin/python eval/eval_roles.py [--index demo] [--set eval/sets/roles.jsonl] [--json OUT]

For every labelled sentence the tagger's role of the sentence at that offset of the demo library's
opinion is compared with the label. The tagger's ``disposition`` counts as ``holding`` (the labels put
"The judgment ... is reversed" under holding). Precision and recall per role, over all rows, over the
"uniform" stratum alone (a random sample of the library's sentences), and over two halves of the
opinions: "dev" (the tagger's rules may be changed after reading its errors there) and "test" (only
its totals are read). The halves are fixed by the opinions' ids (sorted; every other one is "test"),
chosen before the tagger was first scored.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SET = ROOT / "eval" / "sets" / "roles.jsonl"
MAP = {"disposition": "holding"}


def score(pairs: list[tuple[str, str]]) -> dict:
    """(gold, predicted) pairs -> per-role precision / recall / support, and accuracy."""
    roles = sorted({g for g, _ in pairs} | {p for _, p in pairs})
    out = {"n": len(pairs), "accuracy": sum(g == p for g, p in pairs) / len(pairs) if pairs else None, "roles": {}}
    for r in roles:
        tp = sum(g == r and p == r for g, p in pairs)
        pred = sum(p == r for _, p in pairs)
        gold = sum(g == r for g, _ in pairs)
        out["roles"][r] = {"precision": tp / pred if pred else None, "recall": tp / gold if gold else None,
                           "predicted": pred, "gold": gold}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", default="demo")
    ap.add_argument("--set", default=str(SET))
    ap.add_argument("--json", default=None, help="write the figures here")
    ap.add_argument("--errors", choices=("dev", "none"), default="none", help="print the dev half's errors")
    args = ap.parse_args(argv)
    from qa_bot import Library
    from qa_bot.ingest.roles import tag
    from qa_bot.types import Opinion

    try:
        rows = [json.loads(line) for line in Path(args.set).read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, ValueError) as e:
        print(f"eval_roles: cannot read {args.set}: {e}", file=sys.stderr)
        return 2
    lib = Library.open(args.index)
    ids = sorted({r["opinion_id"] for r in rows})
    test_ids = set(ids[1::2])
    tagged: dict[str, Opinion] = {}
    groups: dict[str, list[tuple[str, str]]] = {"all": [], "uniform": [], "dev": [], "test": []}
    errors = []
    for r in rows:
        oid = r["opinion_id"]
        if oid not in tagged:
            op = lib.opinion(oid)
            tagged[oid] = Opinion(**{**op.__dict__, "roles": tag(op)})
        op = tagged[oid]
        if op.text[r["start"]:r["end"]] != r["text"]:
            print(f"eval_roles: {r['id']}: the library's text at {r['start']}-{r['end']} is not the labelled "
                  "sentence (rebuild the library or re-run eval/sample_roles.py --check)", file=sys.stderr)
            return 2
        pred = op.role_at(r["start"]) or "other"
        pair = (r["role"], MAP.get(pred, pred))
        groups["all"].append(pair)
        if r["stratum"] == "uniform":
            groups["uniform"].append(pair)
        half = "test" if oid in test_ids else "dev"
        groups[half].append(pair)
        if half == "dev" and pair[0] != pair[1]:
            errors.append((r["id"], pair, r["text"]))
    report = {name: score(pairs) for name, pairs in groups.items()}
    print(f"{'role':12s} " + "  ".join(f"{g:>17s}" for g in groups))
    roles = sorted(report["all"]["roles"])
    for role in roles:
        cells = []
        for g in groups:
            s = report[g]["roles"].get(role)
            p = "-" if not s or s["precision"] is None else f"{s['precision']:.2f}"
            rc = "-" if not s or s["recall"] is None else f"{s['recall']:.2f}"
            cells.append(f"P {p:>4s} R {rc:>4s} n{(s or {}).get('gold', 0):<3d}")
        print(f"{role:12s} " + "  ".join(cells))
    print("accuracy     " + "  ".join(f"{report[g]['accuracy']:>17.3f}" for g in groups))
    if args.errors == "dev":
        for rid, (g, p), text in errors:
            print(f"{rid} gold={g} tagged={p}: {text[:150]!r}")
        print(Counter((g, p) for _, (g, p), _ in errors).most_common(12))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
