"""Select and copy the demo library's opinions into ``qa_bot/demo/`` (run from the repository root).

The demo holds the seed opinion, *Pena v. DePrisco* (a section 1983 state-created-danger and qualified
immunity case), and the U.S. Supreme Court opinions a civil-rights or criminal-procedure practitioner
expects next to it, taken from the shared SCOTUS citator corpus when present there. Only each cluster's
combined opinion file is copied, in the corpus layout (``scotus/cases.jsonl`` + ``scotus/opinions/...``)
so the scotus loader reads it. Usage::

    .venv/bin/python eval/make_demo.py [--shared ../shared]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "qa_bot" / "demo"
MAX_BYTES = 3 * 1024 * 1024

# cluster id -> why a practitioner wants it next to Pena (all checked present in cases.jsonl)
PICKS = {
    # section 1983, Bivens and official liability
    106170: "Monroe v. Pape: section 1983 reaches officers acting under color of state law",
    109881: "Monell v. Department of Social Services: municipal liability under section 1983",
    110322: "Maine v. Thiboutot: section 1983 covers federal statutory rights",
    108375: "Bivens: damages against federal agents for Fourth Amendment violations",
    103531: "United States v. Classic: 'under color of' law",
    104918: "Collins v. Hardyman: civil-rights conspiracy (section 1985)",
    # due process
    104943: "Rochin v. California: conduct that shocks the conscience",
    110478: "Parratt v. Taylor: negligent deprivations and post-deprivation remedies",
    111555: "Daniels v. Williams: negligence is not a due process 'deprivation'",
    111252: "Hudson v. Palmer: prison searches, intentional deprivations",
    109561: "Estelle v. Gamble: deliberate indifference",
    109635: "Ingraham v. Wright: corporal punishment, procedural due process",
    109016: "Procunier v. Martinez: prisoners' rights, standard of review",
    # search and seizure
    98094: "Weeks v. United States: the federal exclusionary rule",
    100567: "Carroll v. United States: the automobile exception",
    104504: "Johnson v. United States: warrants and the neutral magistrate",
    104709: "Wolf v. Colorado: the Fourth Amendment applies to the states",
    106285: "Mapp v. Ohio: the exclusionary rule applies to the states",
    107473: "Camara v. Municipal Court: administrative searches",
    107465: "Warden v. Hayden: hot pursuit, mere evidence",
    107564: "Katz v. United States: reasonable expectation of privacy",
    107729: "Terry v. Ohio: stop and frisk",
    107979: "Chimel v. California: search incident to arrest",
    109714: "United States v. Chadwick: containers, warrant requirement",
    # interrogation and counsel
    106545: "Gideon v. Wainwright: right to counsel",
    106883: "Escobedo v. Illinois: counsel during interrogation",
    107252: "Miranda v. Arizona: custodial interrogation warnings",
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"), help="the shared material folder")
    args = ap.parse_args(argv)
    shared = Path(args.shared)
    corpus = shared / "corpora" / "scotus-citator"
    cases = {}
    with open(corpus / "cases.jsonl", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            cases[d["cluster_id"]] = d
    missing = [cid for cid in PICKS if cid not in cases]
    if missing:
        print(f"not in {corpus / 'cases.jsonl'}: {missing}", file=sys.stderr)
        return 1

    tmp = OUT.with_name(".demo.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "scotus").mkdir(parents=True)
    rows, table = [], []
    for cid, why in PICKS.items():
        d = dict(cases[cid])
        combined = [o for o in d["opinions"] if o["opinion_type"] == "010combined"]
        d["opinions"] = combined[:1] or d["opinions"]
        for o in d["opinions"]:
            dst = tmp / "scotus" / o["file"]
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(corpus / o["file"], dst)
        rows.append(json.dumps(d, ensure_ascii=False))
        table.append(f"| {d['case_name']}, {d.get('us_citation') or ''} ({d.get('year') or ''}) | "
                     f"`scotus/{d['opinions'][0]['file']}` | {why.split(': ', 1)[1]} |")
    (tmp / "scotus" / "cases.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    for name in ("pena-v-deprisco.txt", "pena-v-deprisco.json"):
        shutil.copyfile(shared / "seeds" / name, tmp / name)
    (tmp / "SOURCE.md").write_text(_source_md(table), encoding="utf-8")

    total = sum(p.stat().st_size for p in tmp.rglob("*") if p.is_file())
    if total > MAX_BYTES:
        print(f"demo data is {total / 1e6:.1f} MB, over the {MAX_BYTES / 1e6:.1f} MB budget", file=sys.stderr)
        shutil.rmtree(tmp)
        return 1
    shutil.rmtree(OUT, ignore_errors=True)
    tmp.rename(OUT)
    print(f"{len(rows) + 1} opinions, {total / 1e6:.2f} MB -> {OUT.relative_to(ROOT)}")
    return 0


def _source_md(table: list[str]) -> str:
    return """# Demo library sources

The demo library (`qa-bot ... --index demo`, built on first use by `qa_bot.library.build_demo`) is made from
these files, selected and copied verbatim by `eval/make_demo.py`. Court opinions are public domain (U.S.
government works); the SCOTUS metadata in `scotus/cases.jsonl` comes from the Free Law Project
(BSD-3-Clause, Copyright (c) 2025, Free Law Project).

| file | copied from | licence |
|---|---|---|
| `pena-v-deprisco.txt`, `pena-v-deprisco.json` | `shared/seeds/` (Caselaw Access Project text of Pena v. DePrisco, 432 F.3d 98 (2d Cir. 2005), with its metadata) | public domain opinion |
| `scotus/cases.jsonl` | `shared/corpora/scotus-citator/cases.jsonl`, the lines of the clusters below, each keeping only its combined opinion file | BSD-3-Clause (Free Law Project) |
| `scotus/opinions/...` | `shared/corpora/scotus-citator/opinions/...` (github.com/freelawproject/ai-research, branch citator, commit 26511066e2ce5d9b6077796494c2c5127b65ef04; CourtListener text) | public domain opinions |

## The Supreme Court opinions and why they are here

| case | file | why |
|---|---|---|
""" + "\n".join(table) + "\n"


if __name__ == "__main__":
    sys.exit(main())
