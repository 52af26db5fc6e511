"""The Supreme Court question sets (eval/sets/scotus_dev.jsonl, eval/sets/answers_heldout.jsonl) are well-formed
and are what eval/make_qa_sets.py deals out.

Reads only eval/ (never ../shared or a built library): the pins and quotes were checked against the demo
library's text when the script wrote the files; here we check what can be checked from a clone.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from qa_bot.evaluation.evalset import load_set
from conftest import eval_script, set_rows

ROOT = Path(__file__).resolve().parent.parent
SETS = ROOT / "eval" / "sets"
TYPES = {"holding", "rule", "reasoning", "facts", "procedure", "concurrence", "dissent", "argument", "unanswerable"}
PIN = re.compile(r"^\d+(?: n\.[0-9A-Za-z*]+)?$")  # "351" or "351 n.9"
CITATION = re.compile(r"^\d+ U\.S\. \d+$")
# The demo library holds these three opinions without star pagination, so their quotes carry no pin.
NO_PAGE_MAP = {"267 U.S. 132", "333 U.S. 10", "313 U.S. 299"}




@pytest.fixture(scope="module")
def dev():
    return set_rows("scotus_dev.jsonl")


@pytest.fixture(scope="module")
def held():
    return set_rows("answers_heldout.jsonl")


@pytest.mark.parametrize("name", ["scotus_dev.jsonl", "answers_heldout.jsonl"])
def test_parses_with_the_projects_reader(name):
    s = load_set(SETS / name)
    assert len(s.questions) == len(set_rows(name))


def test_counts(dev, held):
    def count(rows):
        answerable = sum(r["answerable"] for r in rows)
        return answerable, len(rows) - answerable

    assert count(dev) == (40, 8)
    answerable, unanswerable = count(held)
    assert answerable >= 45 and unanswerable >= 12  # issue 8 asks for at least 40 + 10


def test_ids_unique_and_numbered(dev, held):
    for rows, prefix in ((dev, "sdev"), (held, "held")):
        ids = [r["id"] for r in rows]
        assert len(ids) == len(set(ids))
        assert ids == [f"{prefix}-{n:02d}" for n in range(1, len(rows) + 1)]
    questions = [r["question"] for r in dev + held]
    assert len(questions) == len(set(questions)), "a question stands in both sets, or twice in one"


def test_tags_from_the_vocabulary(dev, held):
    for r in dev + held:
        tags = r["tags"]
        assert len(tags) == len(set(tags)), r["id"]
        assert len([t for t in tags if t in TYPES]) == 1, (r["id"], tags)
        assert len([t for t in tags if t in ("named", "unnamed")]) == 1, (r["id"], tags)
        assert set(tags) <= TYPES | {"named", "unnamed", "paraphrase"}, (r["id"], tags)
        assert ("unanswerable" in tags) == (not r["answerable"]), r["id"]
        if not r["answerable"]:
            assert "paraphrase" not in tags and r["evidence"] == []


def test_evidence_and_pins(dev, held):
    for r in dev + held:
        if not r["answerable"]:
            continue
        assert 1 <= len(r["evidence"]) <= 3, r["id"]
        assert r["reference_answer"].strip(), r["id"]
        for e in r["evidence"]:
            assert e["quote"].strip() and e["case"].strip(), r["id"]
            assert CITATION.match(e["citation"]), (r["id"], e["citation"])
            if e["citation"] in NO_PAGE_MAP:
                assert "pin" not in e, (r["id"], e)
            else:
                assert PIN.match(e.get("pin", "")), (r["id"], e.get("pin"))
    footnote_pins = [e["pin"] for r in dev + held for e in r["evidence"] if " n." in e.get("pin", "")]
    assert footnote_pins, "some quotes stand in footnotes"


def test_both_sets_have_the_same_mix(dev, held):
    """Each question type, and named / paraphrase questions, make up about the same share of both sets."""
    def shares(rows):
        answerable = [r for r in rows if r["answerable"]]
        counts = Counter(t for r in answerable for t in r["tags"])
        return {t: counts[t] / len(answerable) for t in TYPES - {"unanswerable"} | {"named", "paraphrase"}}

    a, b = shares(dev), shares(held)
    for tag in a:
        assert abs(a[tag] - b[tag]) <= 0.06, (tag, a[tag], b[tag])
    assert 0.3 <= a["paraphrase"] <= 0.5 and 0.3 <= b["paraphrase"] <= 0.5
    assert 0.4 <= a["named"] <= 0.65 and 0.4 <= b["named"] <= 0.65


def test_files_are_what_the_script_deals(dev, held):
    """The JSONL is generated: every question, quote and tag comes from the script's data, split by its seed."""
    mod = eval_script("make_qa_sets")
    mod.check_pool()  # known types and cases, 1-3 quotes, paraphrases share few words with their evidence
    dev_keys, dev_unanswerable = mod.split(mod.SEED)
    by_question = {q[4]: q for q in mod.ANSWERABLE} | {u[2]: u for u in mod.UNANSWERABLE}
    assert len(by_question) == len(dev) + len(held)
    for rows, in_dev in ((dev, True), (held, False)):
        for r in rows:
            src = by_question[r["question"]]
            key = src[0]
            if r["answerable"]:
                assert (key in dev_keys) == in_dev, key
                _, qtype, named, para, _, reference, evidence = src
                assert r["tags"] == [qtype, "named" if named else "unnamed"] + (["paraphrase"] if para else [])
                assert r["reference_answer"] == reference
                assert [e["quote"] for e in r["evidence"]] == [q for _, q in evidence]
                assert [e["case"] for e in r["evidence"]] == [mod.CASES[c] for c, _ in evidence]
            else:
                assert (key in dev_unanswerable) == in_dev, key


def test_split_is_stratified():
    mod = eval_script("make_qa_sets")
    dev_keys, dev_unanswerable = mod.split(mod.SEED)
    assert len(dev_keys) == mod.DEV_ANSWERABLE and len(dev_unanswerable) == mod.DEV_UNANSWERABLE
    by_type = Counter(q[1] for q in mod.ANSWERABLE)
    in_dev = Counter(q[1] for q in mod.ANSWERABLE if q[0] in dev_keys)
    for qtype, n in by_type.items():
        assert abs(in_dev[qtype] - n * mod.DEV_ANSWERABLE / len(mod.ANSWERABLE)) < 1 + 1e-9, qtype
    assert mod.split(mod.SEED) == (dev_keys, dev_unanswerable)  # a fixed seed deals the same sets


def test_paraphrase_measure():
    mod = eval_script("make_qa_sets")
    assert mod.shared_share("Can police stop and frisk him?", ["police may stop and frisk"], []) == 1.0
    assert mod.shared_share("Is a pat-down a search?", ["exploration of the outer surfaces"], []) == 0.0
    # the case's own name does not count as a shared word
    assert mod.shared_share("What did Terry v. Ohio hold?", ["Terry was armed"], ["Terry v. Ohio"]) == 0.0
