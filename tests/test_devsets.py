"""The development evaluation sets in eval/sets/ are well-formed (eval-format.md) and their Pena quotes are real.

Reads only eval/sets/ and tests/data/ (never ../shared).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import eval_script

ROOT = Path(__file__).resolve().parent.parent
SETS = ROOT / "eval" / "sets"
DATA = Path(__file__).resolve().parent / "data"



def _read(name: str) -> list[dict]:
    rows = []
    with (SETS / name).open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            assert line.strip(), f"{name}:{n} is blank"
            rows.append(json.loads(line))
    return rows


@pytest.fixture(scope="module")
def pena() -> list[dict]:
    return _read("pena_dev.jsonl")


@pytest.mark.parametrize("name", ["pena_dev.jsonl", "scotus_treatment.jsonl", "figures_heldout.jsonl"])
def test_set_is_well_formed(name):
    rows = _read(name)
    assert rows
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)), "ids must be unique"
    for r in rows:
        assert isinstance(r["id"], str) and r["id"]
        assert isinstance(r["question"], str) and r["question"].strip()
        answerable = r.get("answerable", True)
        assert isinstance(answerable, bool)
        assert isinstance(r.get("tags", []), list)
        assert all(isinstance(t, str) and t for t in r.get("tags", []))
        if answerable:
            assert r["evidence"], f"{r['id']}: answerable question without evidence"
            for e in r["evidence"]:
                assert isinstance(e["quote"], str) and e["quote"].strip(), r["id"]
                for key in ("case", "citation", "pin"):
                    assert key not in e or (isinstance(e[key], str) and e[key]), (r["id"], key)
        else:
            assert r.get("evidence", []) == [], f"{r['id']}: unanswerable question with evidence"


def test_scotus_ids_and_tags():
    for r in _read("scotus_treatment.jsonl"):
        assert r["id"].startswith(("treat-", "overruled-"))
        assert ("treatment" in r["tags"]) == r["id"].startswith("treat-")
        assert all(e.get("case") and e.get("citation", "").find("U.S.") > 0 for e in r["evidence"])


def test_pena_dev_composition(pena):
    answerable = [r for r in pena if r.get("answerable", True)]
    unanswerable = [r for r in pena if not r.get("answerable", True)]
    assert len(pena) >= 25
    assert len(unanswerable) >= 5
    assert all("unanswerable" in r["tags"] for r in unanswerable)
    assert sum("paraphrase" in r["tags"] for r in answerable) * 3 >= len(answerable)
    footnote_qs = [r for r in answerable if "footnote" in r["tags"]]
    assert len(footnote_qs) >= 4
    assert all(any(" n." in e["pin"] for e in r["evidence"]) for r in footnote_qs)
    for r in answerable:
        assert 1 <= len(r["evidence"]) <= 2
        for e in r["evidence"]:
            assert e["case"] == "Pena v. DePrisco" and e["citation"] == "432 F.3d 98"


def test_pena_quotes_verbatim_with_pins(pena):
    mod = eval_script("make_pena_dev")
    raw = (DATA / "pena-v-deprisco.txt").read_text(encoding="utf-8")
    units = mod.clean_units(raw)
    clean = mod.clean_text(raw)
    assert "*10" not in clean and "*11" not in clean
    assert "various defendants" in clean and "Grey, while heavily intoxicated" in clean
    assert len([u for u in units if u.kind == "footnote"]) == 23
    for r in pena:
        for e in r["evidence"]:
            assert e["quote"] in clean, f"{r['id']}: quote not verbatim: {e['quote']!r}"
            assert mod.locate(units, e["quote"]) == e["pin"], r["id"]


def test_pena_cleaning_pins():
    mod = eval_script("make_pena_dev")
    units = mod.clean_units((DATA / "pena-v-deprisco.txt").read_text(encoding="utf-8"))
    # text before the first star marker is on page 102; a quote crossing into 115 is pinned where it starts
    assert mod.locate(units, "off-duty New York City police officer Joseph Grey") == "102"
    assert mod.locate(units, "paints various defendants") == "102"
    assert mod.locate(units, "officials can still be on notice that their conduct") == "114"
    assert mod.locate(units, "Officer Gallo's actual first name is presently unknown.") == "104 n.3"
    assert mod.locate(units, "Rick Karpen were not alleged") == "104"  # "Kar*105pen": starts on 104
    assert mod.locate(units, "were not alleged to have been directly involved") == "105"
    assert mod.locate(units, 'Because defendants spell the name as "Karpen,”') == "105 n.4"
    with pytest.raises(LookupError):
        mod.locate(units, "Miranda warnings")
