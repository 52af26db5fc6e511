"""eval/sets/answers_heldout3.jsonl (the third held-out set, eval/make_answers_heldout3.py) is well-formed, new,
and byte for byte what the script writes from its data.

Reads only eval/ and tests/data/ (never ../shared or a built library): the script checked every quote and pin
against the demo library when it wrote the file; here the rows are rebuilt from the script's questions with the
file's evidence items and written with the script's own writer, and the Pena quotes are re-located in the Pena text
that the tests carry, independently of the library.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from qa_bot.evaluation.evalset import load_set
from conftest import eval_script, set_rows

ROOT = Path(__file__).resolve().parent.parent
SETS = ROOT / "eval" / "sets"
NAME = "answers_heldout3.jsonl"
TYPES = {"holding", "rule", "reasoning", "facts", "procedure", "concurrence", "dissent", "argument"}
PIN = re.compile(r"^\d+(?: n\.[0-9A-Za-z*]+)?$")
NO_PAGE_MAP = {"267 U.S. 132", "333 U.S. 10", "313 U.S. 299"}  # Carroll, Johnson, Classic: no pins in the demo


def test_parses_and_has_the_counts_asked_for():
    rows = set_rows(NAME)
    assert len(load_set(SETS / NAME).questions) == len(rows)
    answerable = [r for r in rows if r["answerable"]]
    assert len(answerable) >= 60 and len(rows) - len(answerable) >= 15
    assert [r["id"] for r in rows] == [f"held3-{n:02d}" for n in range(1, len(rows) + 1)]
    first_case = Counter(r["evidence"][0]["case"] for r in answerable)
    assert 10 <= first_case["Pena v. DePrisco"] <= 15, first_case
    assert len(first_case) == 28, "every opinion of the demo library is asked about"
    assert max(n for case, n in first_case.items() if case != "Pena v. DePrisco") <= 4, first_case


def test_tags_evidence_and_pins():
    rows = set_rows(NAME)
    for r in rows:
        tags = r["tags"]
        assert len([t for t in tags if t in TYPES | {"unanswerable"}]) == 1, r["id"]
        assert ("unanswerable" in tags) == (not r["answerable"]), r["id"]
        assert len([t for t in tags if t in ("named", "unnamed")]) == 1, r["id"]
        assert set(tags) <= TYPES | {"unanswerable", "named", "unnamed", "paraphrase"}, r["id"]
        if not r["answerable"]:
            assert r["evidence"] == [] and "paraphrase" not in tags
            continue
        assert 1 <= len(r["evidence"]) <= 3 and r["reference_answer"].strip(), r["id"]
        for e in r["evidence"]:
            assert e["quote"].strip() and e["case"].strip() and e["citation"].strip(), r["id"]
            if e["citation"] in NO_PAGE_MAP:
                assert "pin" not in e, r["id"]
            else:
                assert PIN.match(e.get("pin", "")), (r["id"], e.get("pin"))
    answerable = [r for r in rows if r["answerable"]]
    types = Counter(t for r in answerable for t in r["tags"] if t in TYPES)
    assert all(types[t] >= 5 for t in TYPES), types
    assert sum("paraphrase" in r["tags"] for r in answerable) >= 0.5 * len(answerable)
    assert {"named", "unnamed"} <= {t for r in answerable for t in r["tags"]}


def test_questions_are_new():
    """No question repeats or nearly repeats one of the other sets', and no evidence quote is one of theirs."""
    mod = eval_script("make_answers_heldout3")
    assert mod.overlaps() == []
    others = {r["question"].strip().lower() for name in mod.OTHER_SETS for r in set_rows(name)}
    assert not [r["id"] for r in set_rows(NAME) if r["question"].strip().lower() in others]


def test_overlap_check_can_fail(tmp_path):
    """The near-duplicate check flags a reworded question of another set."""
    mod = eval_script("make_answers_heldout3")
    for name in mod.OTHER_SETS:
        (tmp_path / name).write_text((SETS / name).read_text("utf-8"), "utf-8")
    row = '{"question": "Why did the district court refuse to certify an interlocutory appeal of other rulings in ' \
          'Pena?", "evidence": []}\n'
    with (tmp_path / "pena_dev.jsonl").open("a", encoding="utf-8") as f:
        f.write(row)
    found = mod.overlaps(tmp_path)
    assert len(found) == 1 and "pena_dev.jsonl" in found[0]


def test_file_is_what_the_script_writes(tmp_path):
    mod = eval_script("make_answers_heldout3")
    mod.check_pool()  # known types and cases, 1-3 quotes, paraphrases share few words with their evidence
    rows = set_rows(NAME)
    keys = [q[0] for q in mod.ANSWERABLE]
    evidence = {key: row["evidence"] for key, row in zip(keys, rows)}
    for key, *_, items in mod.ANSWERABLE:  # the file's items are the script's quotes, in the named opinions
        assert [(mod.CASES[case], quote) for case, quote in items] == [(e["case"], e["quote"]) for e in evidence[key]]
    out = tmp_path / NAME
    mod._write(out, mod.rows_from(evidence))
    assert out.read_bytes() == (SETS / NAME).read_bytes()


def test_pena_pins_agree_with_the_pena_text():
    """The library's page map and make_pena_dev's own star-marker reading give the same pins."""
    pena = eval_script("make_pena_dev")
    units = pena.clean_units((Path(__file__).resolve().parent / "data" / "pena-v-deprisco.txt").read_text("utf-8"))
    items = [e for r in set_rows(NAME) for e in r["evidence"] if e["case"] == "Pena v. DePrisco"]
    assert len(items) >= 10
    for e in items:
        assert pena.locate(units, e["quote"]) == e["pin"], e["quote"]
