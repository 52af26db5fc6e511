"""Plain-text opinions: Caselaw Access Project text and the normalised lower-case corpus form.

CAP text carries inline star pagination (``*103``, sometimes inside a word: ``vari*103ous``),
footnote markers as digits glued to words (``Grey,1``, ``encouraged15``) and the footnotes as a
trailing list of lines that each start with ``.``. The markers are told apart from real numbers
(years, ``§ 1983``, ``F.3d``, ``2d Cir.``) by position: footnotes are numbered 1..N in order in the
body and the trailing list holds N entries, so marker ``n`` is searched only after marker ``n-1``.
The normalised form (no pages, no footnotes) comes out as plain body blocks.

Paragraphs are lines. Optional sidecar metadata ``NAME.json`` next to ``NAME.txt`` fills ``Meta``; without
one, the caption in the opening lines does (``ingest.metadata.from_heading``: case name, citation, court,
year), and the document notes which of them it could not find.
"""

from __future__ import annotations

import bisect
import re
from pathlib import Path
from typing import Iterator

from ...errors import InputError
from ...types import Block, Document
from ..metadata import from_heading
from ._common import read_sidecar, read_text, sha256_bytes

NAME = "text"
DESCRIPTION = "plain-text opinion (.txt), CAP style with *page markers and trailing footnotes, or normalised"

_STAR = re.compile(r"\*(\d{1,5})(?!\d)")
_FOOTNOTE_LINE = re.compile(r"^\.(?=\s*\S)")
# a footnote marker: digits glued to the previous word/punctuation, not followed by a letter or digit
_MARK_BEFORE_OK = set(".,”’\")];:!?")
_MAX_PAGE_JUMP = 50


def sniff(path: Path, head: bytes) -> bool:
    if not path.is_file():
        return False
    suffix = path.suffix.lower()
    if suffix in (".txt", ".text"):
        return True
    if suffix or not head or b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as e:  # a multi-byte character cut by the 4 KiB head is fine
        return e.start >= len(head) - 3
    return True


def load(path: Path) -> Iterator[Document]:
    data = path.read_bytes()
    text = read_text(path, data)
    notes: tuple[str, ...] = ()
    if path.with_suffix(".json").is_file():
        meta = read_sidecar(path)
    else:  # no sidecar: the caption in the opening lines, and what it does not give
        meta, missing = from_heading(text)
        if missing:
            notes = (f"{', '.join(m.replace('_', ' ') for m in missing)} not found in the opening lines and no "
                     f"{path.with_suffix('.json').name} beside it: add one (case_name, citation, court_id, year) "
                     "or correct them with qa-bot edit or in the chat's Library tab",)
    blocks = parse(text)
    if not blocks:
        raise InputError(str(path), "no text paragraphs found")
    has_pages = any(b.page_breaks for b in blocks)
    yield Document(blocks=tuple(blocks), meta=meta, source=str(path), format=NAME,
                   sha256=sha256_bytes(data), has_pages=has_pages, notes=notes)


def parse(text: str) -> list[Block]:
    """Lines -> body blocks (star pages and footnote markers removed) + footnote blocks."""
    lines = [ln.strip() for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines = [ln for ln in lines if ln]
    n_body = len(lines)
    while n_body > 0 and _FOOTNOTE_LINE.match(lines[n_body - 1]):
        n_body -= 1
    if n_body == 0:  # a file of lines that all start with "." is not a footnote list
        n_body = len(lines)
    body, notes = lines[:n_body], lines[n_body:]

    paged = _remove_star_pages(body)
    marks = _find_marks([t for t, _ in paged], len(notes))
    blocks = [_strip_marks(t, breaks, marks.get(i, [])) for i, (t, breaks) in enumerate(paged)]
    pages = [p for _, breaks in paged for _, p in breaks]
    for n, line in enumerate(notes, start=1):
        note, breaks = line[1:].strip(), []
        if pages:  # a long footnote runs on to the next page: "*107" inside its text
            ((note, breaks),) = _remove_star_pages([note], (pages[0] - 1, pages[-1] + 1))
        blocks.append(Block(text=note, kind="footnote", footnote=str(n), page_breaks=tuple(breaks)))
    return [b for b in blocks if b.text or b.page_breaks]


def _remove_star_pages(lines: list[str], bounds: tuple[int, int] | None = None
                       ) -> list[tuple[str, list[tuple[int, int]]]]:
    """Delete ``*NNN`` page markers; record (offset, page) where each page begins. Body pages must
    rise (by at most ``_MAX_PAGE_JUMP``); footnote pages must lie within the body's ``bounds``."""
    out = []
    prev: int | None = None
    for line in lines:
        parts: list[str] = []
        breaks: list[tuple[int, int]] = []
        pos = 0
        for m in _STAR.finditer(line):
            page = int(m.group(1))
            if bounds is not None:
                if not bounds[0] <= page <= bounds[1]:
                    continue
            elif prev is not None and not prev < page <= prev + _MAX_PAGE_JUMP:
                continue  # an asterisk with a number that cannot be the next page
            parts.append(line[pos:m.start()])
            pos = m.end()
            if parts[-1].endswith(" ") and line[pos:pos + 1] == " ":
                pos += 1  # "word *104 word": keep a single space
            breaks.append((sum(map(len, parts)), page))
            prev = page
        parts.append(line[pos:])
        out.append(("".join(parts), breaks))
    return out


_DIGITS = re.compile(r"\d+")


def _candidates(line: str) -> Iterator[tuple[int, str]]:
    """(offset, label) of every digit run in ``line`` that can be a footnote marker: glued to the word
    or punctuation before it, not followed by a letter, digit or a sign that makes it a number."""
    for m in _DIGITS.finditer(line):
        i, j = m.start(), m.end()
        if i == 0 or line[i - 1].isspace():
            continue
        before, after = line[i - 1], line[j:j + 1]
        if after and (after.isalnum() or after in "%$§¶-–/"):
            continue
        if before in _MARK_BEFORE_OK or before.isalpha():
            yield i, m.group()


def _find_marks(lines: list[str], n: int) -> dict[int, list[tuple[int, str]]]:
    """Footnote markers 1..n, each searched after the previous one: {line: [(offset, label)]}.

    Every candidate is listed once per label, in text order, and each marker is found by bisection
    after the previous one (searching the lines again for every footnote was quadratic in a file with
    thousands of footnote lines and few markers)."""
    where: dict[str, list[tuple[int, int]]] = {}
    for li, line in enumerate(lines):
        for off, label in _candidates(line):
            if len(label) <= len(str(n)) and 1 <= int(label) <= n:
                where.setdefault(label, []).append((li, off))
    found: dict[int, list[tuple[int, str]]] = {}
    at = (0, 0)  # (line, offset) from which the next marker is searched
    for k in range(1, n + 1):
        label = str(k)
        spots = where.get(label, [])
        i = bisect.bisect_left(spots, at)
        if i < len(spots):
            li, off = spots[i]
            found.setdefault(li, []).append((off, label))
            at = (li, off + len(label))
    return found


def _strip_marks(text: str, breaks: list[tuple[int, int]], marks: list[tuple[int, str]]) -> Block:
    """Remove the marker digits from ``text``; shift page breaks after them; record Block.marks."""
    out_marks = []
    removed = 0
    pieces, pos = [], 0
    for off, label in sorted(marks):
        pieces.append(text[pos:off])
        out_marks.append((off - removed, label))
        removed += len(label)
        pos = off + len(label)
    pieces.append(text[pos:])

    def shift(o: int) -> int:
        return o - sum(len(lb) for off, lb in marks if off < o)

    new_breaks = tuple((shift(o), p) for o, p in breaks)
    return Block(text="".join(pieces), page_breaks=new_breaks, marks=tuple(out_marks))
