"""eval/sets/roles.jsonl, the hand-labelled sentence-role set (issue 8, item 2), is well-formed, and the
label-keeping logic of eval/sample_roles.py does not lose or mis-attach a label.

Reads only eval/ (never ../shared, never a built library): that each row's text is its span of the
opinion's clean text is checked by ``eval/sample_roles.py --check`` against the demo library.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from pathlib import Path

import pytest

from qa_bot.types import PARTS
from conftest import eval_script

ROOT = Path(__file__).resolve().parent.parent
SET = ROOT / "eval" / "sets" / "roles.jsonl"

# the label vocabulary of issue 8 (item 2), in the order eval/sets/README.md gives it
VOCABULARY = ("holding", "rule", "reasoning", "facts", "procedure", "argument", "issue", "precedent", "syllabus",
              "caption", "other")
FIELDS = {"id", "opinion_id", "case", "citation", "start", "end", "text", "part", "author", "section",
          "paragraph_kind", "stratum", "role", "note"}



@pytest.fixture(scope="module")
def script():
    return eval_script("sample_roles")


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    out = []
    with SET.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            assert line.strip(), f"roles.jsonl:{n} is blank"
            row = json.loads(line)
            assert isinstance(row, dict), f"roles.jsonl:{n} is not an object"
            out.append(row)
    return out


def test_the_script_and_the_set_use_the_issue_vocabulary(script):
    assert script.ROLES == VOCABULARY
    assert script.STRATA == ("uniform", "zone", "cue")
    assert set(script.FIELDS) == FIELDS


def test_rows_have_the_fields_with_their_types(rows):
    assert len(rows) >= 400
    for r in rows:
        assert set(r) == FIELDS, (r.get("id"), set(r) ^ FIELDS)
        rid = r["id"]
        assert re.fullmatch(r"role-\d{4}", rid), rid
        assert isinstance(r["opinion_id"], str) and re.fullmatch(r"[0-9a-f]{16}", r["opinion_id"]), rid
        assert isinstance(r["case"], str) and " v. " in r["case"], rid
        assert isinstance(r["citation"], str) and r["citation"].strip(), rid
        assert type(r["start"]) is int and type(r["end"]) is int and 0 <= r["start"] < r["end"], rid
        assert isinstance(r["text"], str) and r["text"] == r["text"].strip() and r["text"], rid
        assert len(r["text"]) == r["end"] - r["start"], f"{rid}: text is not as long as its span"
        assert len(r["text"].split()) >= 3, f"{rid}: sentences under 3 words are never drawn"
        assert r["part"] in PARTS, rid
        assert r["author"] is None or (isinstance(r["author"], str) and r["author"]), rid
        assert isinstance(r["section"], str), rid
        assert r["paragraph_kind"] in ("body", "heading", "footnote"), rid
        assert r["stratum"] in ("uniform", "zone", "cue"), rid
        assert r["role"] in VOCABULARY, f"{rid}: role {r['role']!r} (every row is labelled, from the vocabulary)"
        assert isinstance(r["note"], str), rid


def test_ids_and_sentences_are_unique(rows):
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))
    assert ids == [f"role-{i:04d}" for i in range(1, len(rows) + 1)], "ids run in file order"
    spans: dict[str, list[tuple[int, int]]] = {}
    for r in rows:
        spans.setdefault(r["opinion_id"], []).append((r["start"], r["end"]))
    for oid, ss in spans.items():
        ss.sort()
        for (a0, b0), (a1, b1) in zip(ss, ss[1:]):
            assert b0 <= a1, f"{oid}: sentences {a0}-{b0} and {a1}-{b1} overlap (a sentence drawn twice?)"
    by_case = {}
    for r in rows:  # one opinion, one case name and citation
        assert by_case.setdefault(r["opinion_id"], (r["case"], r["citation"])) == (r["case"], r["citation"])


def test_strata_have_their_sizes_and_shapes(rows, script):
    strata = Counter(r["stratum"] for r in rows)
    assert strata == {"uniform": script.N_UNIFORM, "zone": script.N_ZONE, "cue": script.N_CUE}
    uniform = Counter(r["opinion_id"] for r in rows if r["stratum"] == "uniform")
    assert len(uniform) == 28, "every opinion of the demo library is in the uniform stratum"
    assert set(uniform.values()) <= {10, 11}, uniform
    for r in rows:
        if r["stratum"] == "cue":
            assert script.CUE.search(r["text"]), f"{r['id']}: a cue row without the cue"
    per_opinion = Counter(r["opinion_id"] for r in rows if r["stratum"] in ("zone", "cue"))
    assert len(per_opinion) == 28


def test_the_labels_allow_precision_for_the_issue_targets(rows):
    """Issue 8 asks for precision >= 0.85 on "holding" and "party argument": enough gold rows of each to
    give a figure, and the rare roles are all present."""
    roles = Counter(r["role"] for r in rows)
    assert roles["holding"] >= 20 and roles["argument"] >= 10
    for role in VOCABULARY:
        if role != "syllabus":  # the demo library's opinion files carry no syllabus (README)
            assert roles[role] >= 10, (role, roles[role])
    assert all(r["note"] for r in rows if r["role"] == "holding" and r["part"] not in ("majority", "per curiam")), \
        "a separate opinion's holding says why"


# --- the sampling script's logic, on small made-up data --------------------------------------------
def test_allocate_splits_equally_and_passes_on_a_short_pool(script):
    pools = {"a": list(range(100)), "b": list(range(100)), "c": list(range(1))}
    got = script.allocate(pools, 10, random.Random(0))
    assert sum(got.values()) == 10
    assert got["c"] == 1 and sorted((got["a"], got["b"])) == [4, 5]
    with pytest.raises(SystemExit):
        script.allocate({"a": [1, 2]}, 3, random.Random(0))


def _row(i, start, end, text, role=""):
    return {"id": f"role-{i:04d}", "opinion_id": "x", "start": start, "end": end, "text": text, "role": role,
            "note": ""}


def test_labels_follow_their_sentence_when_resampled(script):
    old = [_row(1, 0, 9, "We hold X.", "holding"), _row(2, 10, 19, "He argues.", "argument")]
    new = [_row(1, 10, 19, "He argues."), _row(2, 20, 30, "New one."), _row(3, 0, 9, "We hold X.")]
    assert script.merge_labels(new, old, drop_stale=False) == []
    assert [r["role"] for r in new] == ["argument", "", "holding"]


def test_a_label_is_never_lost_silently(script):
    old = [_row(1, 0, 9, "We hold X.", "holding")]
    with pytest.raises(SystemExit, match="no longer drawn"):
        script.merge_labels([_row(1, 10, 19, "Other.")], old, drop_stale=False)
    moved = [_row(1, 0, 9, "We hold Y.")]  # same offsets, other text: the text moved under the label
    with pytest.raises(SystemExit, match="text changed"):
        script.merge_labels(moved, old, drop_stale=False)
    problems = script.merge_labels(moved, old, drop_stale=True)
    assert problems and moved[0]["role"] == ""
