"""One CourtListener opinion file: html_with_citations, xml_harvard, html_columbia or html_lawbox.

Accepts ``.html``/``.htm``/``.xml``, and ``.txt`` (or extension-less) files whose content starts
with markup, as in the scotus-citator corpus. The markup is turned into blocks by
``_markup.parse_markup`` (star pagination, footnote markers and footnotes, Harvard opinion parts).
Metadata comes from an optional sidecar ``NAME.json`` (same keys as for plain text); what it leaves
empty is filled, when possible, from the caption CourtListener puts at the top of
html_with_citations ("389 U.S. 347 (1967)", "KATZ v. UNITED STATES.").
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Iterator

from ..errors import InputError
from ..types import Document, Meta
from . import sha256_bytes
from ._markup import RawBlock, backfill_first_page, decode, parse_markup
from .text import read_sidecar

NAME = "courtlistener"
DESCRIPTION = "CourtListener opinion markup (.html/.xml, or .txt starting with '<'): html_with_citations, xml_harvard, html_columbia"

_MARKUP_START = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<(?:[a-zA-Z!?])")
_CAPTION_CITE = re.compile(r"^(\d{1,4} [A-Z][A-Za-z0-9. ]{0,20}? \d{1,5}) \((\d{4})\)$")


def sniff(path: Path, head: bytes) -> bool:
    if not path.is_file():
        return False
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm", ".xml"):
        return True
    return suffix in (".txt", "") and bool(_MARKUP_START.match(head))


def load(path: Path) -> Iterator[Document]:
    data = path.read_bytes()
    blocks, has_pages = parse_markup(decode(data, str(path)), str(path))
    meta = read_sidecar(path)
    meta = fill_from_caption(meta, blocks)
    yield build(blocks, has_pages, meta, str(path), sha256_bytes(data))


def build(blocks: list[RawBlock], has_pages: bool, meta: Meta, source: str, sha: str, fmt: str = NAME) -> Document:
    """Raw blocks -> ``Document`` (an ``InputError`` if nothing readable is left)."""
    if not any(b.kind != "footnote" for b in blocks):
        raise InputError(source, "no opinion text found in the markup")
    if has_pages:
        backfill_first_page(blocks, meta.first_page)
    return Document(blocks=tuple(b.freeze() for b in blocks), meta=meta, source=source, format=fmt,
                    sha256=sha, has_pages=has_pages)


def fill_from_caption(meta: Meta, blocks: list[RawBlock]) -> Meta:
    """Citation, year, first page and case name from an html_with_citations caption, where unset."""
    head = blocks[:8]
    changes: dict = {}
    for b in head:
        m = _CAPTION_CITE.match(b.text.strip())
        if m:
            if not meta.citation:
                changes["citation"] = m.group(1)
                if meta.first_page is None:
                    changes["first_page"] = int(m.group(1).rsplit(" ", 1)[1])
            if meta.year is None:
                changes["year"] = int(m.group(2))
            break
    if not meta.case_name:
        heading = next((b.text for b in head if b.kind == "heading" and " v. " in b.text), "")
        if heading:
            changes["case_name"] = _titlecase(heading.strip().rstrip("."))
    return replace(meta, **changes) if changes else meta


def _titlecase(name: str) -> str:
    """'KATZ v. UNITED STATES' -> 'Katz v. United States' (only all-capital words are changed)."""
    small = {"OF", "AND", "THE", "FOR", "IN", "ON", "AT", "TO", "EX", "REL."}
    words = name.split()
    out = []
    for i, w in enumerate(words):
        if w.isupper() and len(w) > 1:
            w = w.lower() if (i and w in small) else w.capitalize()
        out.append(w)
    return " ".join(out)
