"""An opinion's metadata (case name, citation, court, year) read from its opening lines, and metadata a
user gives (``qa-bot edit``) checked and completed the same way.

A plain-text opinion often begins with its caption: ``Smith v. Jones, 123 F.4th 456 (9th Cir. 2023)``
on one line, or the case name, docket, court, reporter citation and date on lines of their own.
``from_heading`` reads them with eyecite (the first full case citation: volume, reporter, page, and the
court and year of its parenthetical) and courts-db (a line naming a court), and says which fields it
could not find. ``court_for`` turns what a user types ("ca9", "9th Cir.", "Ninth Circuit") into the
courts-db id and name the library stores.
"""

from __future__ import annotations

import functools
import re
from dataclasses import replace

from ..errors import BadSetting
from ..types import Meta

HEADING_LINES = 12  # the caption is within the opening lines
HEADING_CHARS = 3000
FIELDS = ("case_name", "citation", "court", "year")
_CASE_NAME = re.compile(r"^\s*((?:In re|Ex parte|Matter of)\s+\S.*|\S.{0,200}?\s+v\.?\s+\S.*?)\s*$", re.I)
_YEAR = re.compile(r"\b(1[6-9]\d\d|20\d\d)\b")
_DATE_LINE = re.compile(r"\b(?:decided|argued|filed|dated|submitted|entered)\b|^\s*(?:January|February|March|April|"
                        r"May|June|July|August|September|October|November|December)\s+\d", re.I)


@functools.lru_cache(maxsize=1)
def _court_rows() -> dict[str, dict]:
    import courts_db

    return {c["id"]: c for c in courts_db.courts}


@functools.lru_cache(maxsize=1)
def _by_citation_string() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for cid, row in _court_rows().items():
        if row.get("citation_string"):
            out.setdefault(_squash(row["citation_string"]), []).append(cid)
    return out


def _squash(s: str) -> str:
    return re.sub(r"[\s.]", "", s).lower()


def court_name(court_id: str) -> str:
    """courts-db's name of a court id ("ca9" -> "Court of Appeals for the Ninth Circuit"), "" if unknown."""
    row = _court_rows().get(court_id)
    return row["name"] if row else ""


def court_for(value: str) -> tuple[str, str] | None:
    """(courts-db id, name) for a court id, its citation abbreviation or its name; None if it names no
    court or more than one."""
    value = " ".join(str(value).split())
    if not value:
        return None
    if value.lower() in _court_rows():
        return value.lower(), court_name(value.lower())
    ids = _by_citation_string().get(_squash(value), [])
    if not ids:
        import courts_db

        ids = courts_db.find_court(value)
    return (ids[0], court_name(ids[0])) if len(ids) == 1 else None


def citation_of(value: str) -> str:
    """The volume-reporter-page citation in ``value`` as eyecite corrects it ("432 F. 3d 98" -> "432 F.3d 98"),
    or "" when it holds none."""
    from eyecite import get_citations
    from eyecite.models import FullCaseCitation

    for c in get_citations(value):
        if isinstance(c, FullCaseCitation):
            return c.corrected_citation()
    return ""


def from_heading(text: str) -> tuple[Meta, tuple[str, ...]]:
    """(metadata found in the opening lines of ``text``, the fields of ``FIELDS`` it could not find)."""
    from eyecite import get_citations
    from eyecite.models import FullCaseCitation

    lines = [ln.strip() for ln in text[:HEADING_CHARS].splitlines() if ln.strip()][:HEADING_LINES]
    head = "\n".join(lines)
    fields: dict = {}
    cite = next((c for c in get_citations(head) if isinstance(c, FullCaseCitation) and _caption(head, c)), None)
    if cite is not None:
        fields["citation"] = cite.corrected_citation()
        start = head.rfind("\n", 0, cite.span()[0]) + 1
        before = head[start:cite.span()[0]].strip().rstrip(",").strip()
        if before and _CASE_NAME.match(before):
            fields["case_name"] = before
        if cite.metadata.court:
            fields["court_id"] = cite.metadata.court
        if cite.metadata.year:
            fields["year"] = int(cite.metadata.year)
    for line in lines:
        if "case_name" not in fields and _caption_name(line):
            fields["case_name"] = line.rstrip(",")
        if "court_id" not in fields and re.search(r"\bcourt\b", line, re.I) and len(line) <= 200:
            found = court_for(line)
            if found:
                fields["court_id"] = found[0]
        if "year" not in fields and _DATE_LINE.search(line) and _YEAR.search(line):
            fields["year"] = int(_YEAR.search(line).group(1))
    if fields.get("court_id"):
        fields["court"] = court_name(fields["court_id"])
    meta = Meta(**fields)
    return meta, tuple(f for f in FIELDS if not getattr(meta, f))


_SENTENCE = re.compile(r"[.;:]\s+(?:see|cf|but|accord|compare)\b|[.!?]\s+[A-Z][a-z]+\s+[a-z]|,\s+(?:while|which|when|"
                       r"because|although|and\s+the)\b", re.I)


def _caption_name(line: str) -> bool:
    """A line that is a case name alone ("SMITH v. JONES", "In re Gault"), not a sentence naming one."""
    return (len(line) <= 120 and bool(_CASE_NAME.match(line)) and not _DATE_LINE.search(line)
            and not _SENTENCE.search(line) and not re.search(r"\d+\s+[A-Z][\w.]*(?:\s+\w+\.?)?\s+\d+", line)
            and not re.search(r"\b[a-z]+[.!?]$", line))


def _caption(head: str, cite) -> bool:
    """Is this citation a caption line of its own ("Smith v. Jones, 123 F.4th 456 (9th Cir. 2023)", or
    "123 F.4th 456" alone), not one cited in the opinion's first sentences?"""
    a, b = cite.span()
    start, end = head.rfind("\n", 0, a) + 1, head.find("\n", b)
    end = len(head) if end < 0 else end
    before, after = head[start:a].strip(), head[b:end].strip()
    if len(before) > 150 or _SENTENCE.search(before) or (before and not _CASE_NAME.match(before.rstrip(", "))):
        return False
    return not re.sub(r"\(\s*[^()]*\d{4}\s*\)|[\s.,;]", "", after)  # only the "(9th Cir. 2023)" may follow


def edited(meta: Meta, case_name: str | None = None, citation: str | None = None, court: str | None = None,
           year: int | str | None = None) -> Meta:
    """``meta`` with the given fields replaced, each checked: the citation must be volume-reporter-page
    (eyecite), the court a court courts-db knows (id, abbreviation or name), the year a year."""
    changes: dict = {}
    if case_name is not None:
        name = " ".join(str(case_name).split())
        if not name:
            raise BadSetting("case name is empty")
        changes["case_name"] = name
    if citation is not None:
        cite = citation_of(citation) if citation.strip() else ""
        if citation.strip() and not cite:
            raise BadSetting(f"citation {citation!r} is not a reporter citation (volume, reporter, page: "
                             "e.g. 432 F.3d 98)")
        changes["citation"] = cite
    if court is not None:
        found = court_for(court) if court.strip() else ("", "")
        if found is None:
            raise BadSetting(f"court {court!r}: courts-db knows no single court by that id, abbreviation or name "
                             "(e.g. ca9, 9th Cir., Court of Appeals for the Ninth Circuit)")
        changes["court_id"], changes["court"] = found
    if year is not None:
        y = str(year).strip()
        if y and not (y.isdigit() and 1600 <= int(y) <= 2100):
            raise BadSetting(f"year {year!r} must be a year from 1600 to 2100")
        changes["year"] = int(y) if y else None
    return replace(meta, **changes)


def match_opinion(rows, ref: str) -> str:
    """The id of the one opinion of ``rows`` ((id, Meta, passages) as ``Store.opinions`` yields them) that
    ``ref`` names: its id (or the first 6+ characters of it), its citation, its case name, or a part of
    its case name. ``BadSetting`` when it names none, or several (they are listed)."""
    ref = " ".join(str(ref).split())
    if not ref:
        raise BadSetting("no opinion named: give an opinion id, a citation or a case name (qa-bot list shows them)")
    rows = list(rows)
    low, cite = ref.lower(), _squash(citation_of(ref) or ref)
    for test in (lambda oid, m: oid == ref,
                 lambda oid, m: len(ref) >= 6 and oid.startswith(ref),
                 lambda oid, m: bool(m.citation) and _squash(m.citation) == cite,
                 lambda oid, m: m.case_name.lower() == low,
                 lambda oid, m: low in m.case_name.lower()):
        found = [(oid, m) for oid, m, _ in rows if test(oid, m)]
        if len(found) == 1:
            return found[0][0]
        if len(found) > 1:
            listed = "; ".join(f"{oid} ({label(m, oid)})" for oid, m in found[:8])
            raise BadSetting(f"{ref!r} names {len(found)} opinions: {listed}; give the id of one")
    raise BadSetting(f"no opinion in this library is {ref!r} (by id, citation or case name); qa-bot list shows them")


def label(meta: Meta, opinion_id: str = "") -> str:
    """"Pena v. DePrisco, 432 F.3d 98 (2005)" for lists and messages."""
    text = ", ".join(x for x in (meta.case_name or f"Unnamed opinion {opinion_id}".strip(), meta.citation) if x)
    return f"{text} ({meta.year})" if meta.year else text
