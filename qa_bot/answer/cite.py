"""Bluebook-style citations for opinions and the passages inside them.

* pins: ``sentence_pin`` (the pages a quoted span is on) through ``types.format_pin``: "108-09", "105 n.5";
* ``full_cite(...) -> "Pena v. DePrisco, 432 F.3d 98, 111 (2d Cir. 2005)"`` on first use;
* ``short_cite(...) -> "Pena, 432 F.3d at 111"`` afterwards (Bluebook rule 10.9);
* opinion parts become parentheticals: "(Harlan, J., concurring)", "(Black, J., dissenting)".

Court abbreviations come from courts-db (``citation_string`` of the court id), reporter abbreviations
are normalised with reporters-db ("F. 3d" -> "F.3d", "U. S." -> "U.S.").
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from ..types import Citation, Opinion, Passage, format_pin

# Reporters whose court is implied (Bluebook 10.4(a)): no court in the parenthetical.
_SCOTUS_REPORTERS = {"U.S.", "S. Ct.", "L. Ed.", "L. Ed. 2d", "U.S.L.W."}
_SCOTUS_IDS = {"scotus"}

# Bluebook 10.9 rule of thumb: the short form uses the first party unless it is a geographical or
# governmental unit or another common litigant; then the other party names the case.
_COMMON_LITIGANT = re.compile(
    r"^(the\s+)?(united states( of america)?|u\.\s?s\.|state|people|commonwealth|city|county|town|village|"
    r"government|territory|district of columbia|state of \w+|people of (the )?state|commissioner|"
    r"secretary|attorney general|board of|department of|in re|ex parte)\b",
    re.IGNORECASE,
)
_PARTY_NOISE = re.compile(r",?\s+(et al\.?|et ux\.?|et vir\.?|etc\.?)\s*$", re.IGNORECASE)
_ABBR_FIXES = {"NY": "N.Y.", "SCOTUS": ""}  # courts-db strings that are not Bluebook abbreviations
_CITATION = re.compile(r"^\s*(\d+)\s+(.+?)\s+(\d+|_+)\s*$")


@functools.lru_cache(maxsize=1)
def _reporter_names() -> dict[str, str]:
    """Every known reporter spelling (editions and variations) -> its canonical abbreviation."""
    import reporters_db

    out: dict[str, str] = {}
    for name in reporters_db.EDITIONS:
        out[name] = name
    for variant, canon in reporters_db.VARIATIONS_ONLY.items():
        if canon:
            out.setdefault(variant, canon[0])
    return out


def normalize_reporter(name: str) -> str:
    """Canonical reporter abbreviation ("F. 3d" -> "F.3d", "U. S." -> "U.S."); unknown names unchanged."""
    name = " ".join(name.split())
    names = _reporter_names()
    if name in names:
        return names[name]
    squeezed = name.replace(" ", "")
    for cand, canon in names.items():
        if cand.replace(" ", "") == squeezed:
            return canon
    return name


@dataclass(frozen=True)
class Reporter:
    volume: str
    reporter: str
    page: str

    def __str__(self) -> str:
        return f"{self.volume} {self.reporter} {self.page}"


@functools.lru_cache(maxsize=4096)
def parse_citation(citation: str) -> Reporter | None:
    """"432 F. 3d 98" -> Reporter("432", "F.3d", "98"); None when it is not volume-reporter-page."""
    m = _CITATION.match(citation or "")
    if not m:
        return None
    return Reporter(m.group(1), normalize_reporter(m.group(2)), m.group(3))


@functools.lru_cache(maxsize=512)
def court_abbreviation(court_id: str) -> str:
    """courts-db's citation string for a court id ("ca2" -> "2d Cir."), "" for unknown ids."""
    if not court_id or court_id in _SCOTUS_IDS:
        return ""
    try:
        import courts_db

        found = courts_db.find_court_by_id(court_id)
    except Exception:  # noqa: BLE001 - a missing/odd courts-db entry only loses the abbreviation
        return ""
    abbr = found[0].get("citation_string", "") if found else ""
    abbr = _ABBR_FIXES.get(abbr, abbr)
    if re.fullmatch(r"(?:[A-Z][a-z]*\.\s?)+[A-Z][a-z]*", abbr):  # "E.D.N.Y" -> "E.D.N.Y." (courts-db typo)
        abbr += "."
    return abbr


def _split_parties(case_name: str) -> list[str]:
    parts = re.split(r"\s+v\.?\s+|\s+vs\.?\s+", case_name.strip(), maxsplit=1)
    return [_PARTY_NOISE.sub("", p).strip(" ,") for p in parts if p.strip()]


def short_name(case_name: str) -> str:
    """The party name a short form uses: "Pena v. DePrisco" -> "Pena"; "United States v. Nixon" -> "Nixon"."""
    parties = _split_parties(case_name)
    if not parties:
        return case_name.strip()
    if len(parties) == 1:
        return parties[0]
    first, second = parties
    if _COMMON_LITIGANT.match(first) and not _COMMON_LITIGANT.match(second):
        return second
    return first


def part_parenthetical(part: str | None, author: str | None) -> str:
    """"(Harlan, J., concurring)", "(Black, J., dissenting)", "(plurality opinion)", "(per curiam)" or ""."""
    part = (part or "majority").lower()
    if part == "other" and author:  # a separate opinion headed only by its author, or a memorandum
        return f"(separate opinion of {_judge(author)})"
    if part in ("majority", "other", ""):
        return ""
    if part == "per curiam":
        return "(per curiam)"
    verb = {"concurrence": "concurring", "concurrence in part": "concurring in part", "dissent": "dissenting",
            "plurality": "plurality opinion"}.get(part, "")
    if not verb:
        return ""
    who = _judge(author)
    if part == "plurality":
        return f"({who}, plurality opinion)" if who else "(plurality opinion)"
    return f"({who}, {verb})" if who else f"({verb})"


def _judge(author: str | None) -> str:
    """"HARLAN" / "Justice Harlan" / "Mr. Justice Harlan" -> "Harlan, J."; "Chief Justice Burger" -> "Burger, C.J."."""
    if not author:
        return ""
    a = " ".join(author.replace(",", " ").split())
    chief = bool(re.search(r"\bchief\b|\bC\.\s?J\.", a, re.IGNORECASE))
    a = re.sub(r"\b(mr\.|mrs\.|ms\.|chief|justice|judge|circuit|district|senior|associate|c\.\s?j\.|j\.|jj\.)(?=\s|$)",
               "", a, flags=re.IGNORECASE)
    a = " ".join(a.split()).strip(" ,")
    if not a:
        return ""
    if a.isupper():
        a = a.title()
    return f"{a}, {'C.J.' if chief else 'J.'}"


def _court_year(reporter: Reporter | None, court_id: str, year: int | None) -> str:
    court = "" if reporter is not None and reporter.reporter in _SCOTUS_REPORTERS else court_abbreviation(court_id)
    inner = " ".join(x for x in (court, str(year) if year else "") if x)
    return f"({inner})" if inner else ""


def full_cite(case_name: str, citation: str, court_id: str = "", year: int | None = None, pin: str = "",
              part: str | None = None, author: str | None = None) -> str:
    """"Pena v. DePrisco, 432 F.3d 98, 111 (2d Cir. 2005)"; "Miranda v. Arizona, 384 U.S. 436, 444 (1966)"."""
    rep = parse_citation(citation)
    cite = str(rep) if rep else " ".join(citation.split())
    text = ", ".join(x for x in (case_name.strip(), cite) if x)
    if pin and cite:
        text += f", {pin}"
    elif pin:
        text = f"{text}, at {pin}" if text else f"at {pin}"
    tail = " ".join(x for x in (_court_year(rep, court_id, year), part_parenthetical(part, author)) if x)
    return f"{text} {tail}".strip()


def short_cite(case_name: str, citation: str, pin: str = "", part: str | None = None,
               author: str | None = None) -> str:
    """"Pena, 432 F.3d at 111"; "Pena, 432 F.3d at 105 n.5"; "Pena, 432 F.3d 98" without a pin."""
    name = short_name(case_name)
    rep = parse_citation(citation)
    if rep and pin:
        text = f"{name}, {rep.volume} {rep.reporter} at {pin}"
    elif rep:
        text = f"{name}, {rep}"
    elif pin:
        text = f"{name}, at {pin}" if name else f"at {pin}"
    else:
        text = name
    paren = part_parenthetical(part, author)
    return f"{text} {paren}".strip()


def cite_passage(p: Passage, pin: str | None = None) -> tuple[str, str]:
    """(full, short) citations of a passage, at ``pin`` (default: the passage's own pin)."""
    pin = p.pin if pin is None else pin
    name = p.case_name or ("" if p.citation else f"Unnamed opinion {p.opinion_id}")  # qa-bot edit names it
    return (full_cite(name, p.citation, p.court_id, p.year, pin, p.part, p.author),
            short_cite(name, p.citation, pin, p.part, p.author))


# --- the citation of a quoted span ---------------------------------------------------------------
def sentence_pin(op: Opinion, start: int, end: int, passage: Passage | None = None) -> str:
    """The pin of the span itself: "109" for a sentence on page 109 of a passage that began on 108,
    "108-09" for one that crosses the break, "105 n.5" inside footnote 5 (marker on page 105).
    The span's own words decide: leading and trailing punctuation, quotes and spaces (a full stop
    that the page break happens to follow) do not carry it onto another page."""
    fn = op.footnote_at(start)
    if fn is not None:
        page = fn.page if fn.page is not None else (passage.page_start if passage else None)
        return format_pin(page, None, fn.label)
    if op.pages:
        a, b = start, end
        while a < b - 1 and not op.text[a].isalnum():
            a += 1
        while b - 1 > a and not op.text[b - 1].isalnum():
            b -= 1
        return format_pin(op.page_at(a), op.page_at(b - 1), None)
    return passage.pin if passage is not None else ""


def make_citation(number: int, passage: Passage, op: Opinion, start: int, end: int) -> Citation:
    pin = sentence_pin(op, start, end, passage)
    full, short = cite_passage(passage, pin)
    return Citation(number=number, passage_id=passage.id, opinion_id=passage.opinion_id, start=start, end=end,
                    quote=op.text[start:end], pin=pin, full=full, short=short)
