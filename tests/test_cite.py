"""Bluebook pins, full and short citations, court and reporter abbreviations (courts-db, reporters-db)."""

from __future__ import annotations

import pytest

from qa_bot.answer.cite import (cite_passage, court_abbreviation, full_cite, normalize_reporter, parse_citation,
                                part_parenthetical, short_cite, short_name)
from qa_bot.types import Passage, format_pin


@pytest.mark.parametrize("start, end, note, expected", [
    (111, 111, None, "111"),
    (111, None, None, "111"),
    (108, 109, None, "108-09"),
    (1108, 1109, None, "1108-09"),
    (99, 100, None, "99-100"),
    (436, 499, None, "436-99"),
    (5, 7, None, "5-7"),
    (105, 105, "5", "105 n.5"),
    (105, 106, "5", "105 n.5"),  # a footnote is cited at its marker's page
    (None, None, None, ""),
    (None, None, "5", ""),
])
def test_format_pin(start, end, note, expected):
    assert format_pin(start, end, note) == expected


def test_passage_pin_uses_format_pin():
    p = Passage(opinion_id="x", ordinal=0, text="t", start=0, end=1, page_start=108, page_end=109)
    assert p.pin == "108-09"
    assert Passage(opinion_id="x", ordinal=0, text="t", start=0, end=1, page_start=111, footnote="18").pin == "111 n.18"


def test_full_citations_first_use():
    assert full_cite("Pena v. DePrisco", "432 F.3d 98", "ca2", 2005, "111") == \
        "Pena v. DePrisco, 432 F.3d 98, 111 (2d Cir. 2005)"
    assert full_cite("Miranda v. Arizona", "384 U.S. 436", "scotus", 1966, "444") == \
        "Miranda v. Arizona, 384 U.S. 436, 444 (1966)"
    assert full_cite("Miranda v. Arizona", "384 U. S. 436", "scotus", 1966, "504", "dissent", "HARLAN") == \
        "Miranda v. Arizona, 384 U.S. 436, 504 (1966) (Harlan, J., dissenting)"
    assert full_cite("Small v. City of New York", "274 F. Supp. 2d 271", "nyed", 2003, "282") == \
        "Small v. City of New York, 274 F. Supp. 2d 271, 282 (E.D.N.Y. 2003)"
    assert full_cite("Pena v. DePrisco", "432 F.3d 98", "ca2", 2005) == "Pena v. DePrisco, 432 F.3d 98 (2d Cir. 2005)"
    assert full_cite("Doe v. Roe", "", "", None, "7") == "Doe v. Roe, at 7"  # unknown reporter: no invented cite


def test_short_citations_afterwards():
    assert short_cite("Pena v. DePrisco", "432 F.3d 98", "111") == "Pena, 432 F.3d at 111"
    assert short_cite("Pena v. DePrisco", "432 F.3d 98", "111 n.18") == "Pena, 432 F.3d at 111 n.18"
    assert short_cite("Miranda v. Arizona", "384 U.S. 436", "444") == "Miranda, 384 U.S. at 444"
    assert short_cite("Reynolds v. Sims", "377 U.S. 533", "590", "concurrence", "Harlan") == \
        "Reynolds, 377 U.S. at 590 (Harlan, J., concurring)"
    assert short_cite("Pena v. DePrisco", "432 F.3d 98") == "Pena, 432 F.3d 98"


@pytest.mark.parametrize("name, expected", [
    ("Pena v. DePrisco", "Pena"),
    ("United States v. Nixon", "Nixon"),
    ("People v. Smith", "Smith"),
    ("State v. United States", "State"),  # both common litigants: the first party stays
    ("Dwares v. City of New York", "Dwares"),
    ("Brown et al. v. Board of Education", "Brown"),
    ("In re Gault", "In re Gault"),
])
def test_short_name_follows_rule_10_9(name, expected):
    assert short_name(name) == expected


@pytest.mark.parametrize("part, author, expected", [
    ("concurrence", "Harlan", "(Harlan, J., concurring)"),
    ("dissent", "Mr. Justice BLACK", "(Black, J., dissenting)"),
    ("dissent", "Chief Justice Burger", "(Burger, C.J., dissenting)"),
    ("concurrence in part", "White", "(White, J., concurring in part)"),
    ("plurality", None, "(plurality opinion)"),
    ("per curiam", None, "(per curiam)"),
    ("majority", "Warren", ""),
    ("dissent", None, "(dissenting)"),
])
def test_part_parentheticals(part, author, expected):
    assert part_parenthetical(part, author) == expected


def test_courts_db_and_reporters_db():
    assert court_abbreviation("ca2") == "2d Cir."
    assert court_abbreviation("ca9") == "9th Cir."
    assert court_abbreviation("nysd") == "S.D.N.Y."
    assert court_abbreviation("nyed") == "E.D.N.Y."  # courts-db spells it without the last period
    assert court_abbreviation("scotus") == "" and court_abbreviation("no-such-court") == ""
    assert normalize_reporter("F. 3d") == "F.3d" and normalize_reporter("U. S.") == "U.S."
    assert normalize_reporter("F.Supp.2d") == "F. Supp. 2d"
    assert normalize_reporter("Made Up Rptr.") == "Made Up Rptr."
    assert str(parse_citation("985 F. 2d 94")) == "985 F.2d 94"
    assert parse_citation("not a citation") is None


def test_cite_passage_gives_full_and_short_at_the_pin():
    p = Passage(opinion_id="pena", ordinal=3, text="t", start=0, end=1, case_name="Pena v. DePrisco",
                citation="432 F.3d 98", court_id="ca2", year=2005, page_start=108, page_end=109)
    assert cite_passage(p) == ("Pena v. DePrisco, 432 F.3d 98, 108-09 (2d Cir. 2005)", "Pena, 432 F.3d at 108-09")
    assert cite_passage(p, "109")[1] == "Pena, 432 F.3d at 109"
