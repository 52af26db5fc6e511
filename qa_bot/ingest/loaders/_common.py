"""What the loaders share: hashing and decoding the raw bytes, sidecar metadata (``NAME.json`` next to
an opinion file), the caption CourtListener puts at the top of html_with_citations, and ``build``,
which turns a loader's raw blocks into a ``Document``."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from ...errors import InputError
from ...text import decode_utf8
from ...types import Document, Meta
from ._markup import RawBlock, backfill_first_page

_CAPTION_CITE = re.compile(r"^(\d{1,4} [A-Z][A-Za-z0-9. ]{0,20}? \d{1,5}) \((\d{4})\)$")


@dataclass(frozen=True)
class Pending:
    """A document known by its source and the hash of its bytes, not parsed yet: ``document()`` parses it
    (``load`` is a module-level function, so a worker process can be handed it). A loader yields these
    when asked to defer (``loaders.load(path, defer=True)``), so a parallel ingest parses in its workers
    and still skips documents it holds already without parsing them."""

    source: str
    sha256: str
    load: Callable[..., Document]
    args: tuple

    def document(self) -> Document:
        """The ``Document`` (its ``source`` this one's, which the ingest may have made printable)."""
        return replace(self.load(*self.args), source=self.source)


MAX_JSON_DEPTH = 200  # deeper nesting is refused before json.loads recurses (no opinion format needs 20)


def load_json(text: str, source: str, what: str = "JSON"):
    """``json.loads`` with errors as ``InputError`` naming ``source`` and the position; nesting deeper
    than ``MAX_JSON_DEPTH`` is refused up front (it would exhaust Python's recursion limit)."""
    depth = deepest = 0
    for ch in re.finditer(r'[\[\]{}]|"(?:[^"\\]|\\.)*"', text):
        c = ch.group()
        if c in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise InputError(source, f"{what} nested more than {MAX_JSON_DEPTH} levels deep")
        elif c in "]}":
            depth -= 1
        deepest = max(deepest, depth)
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(source, f"malformed {what} at line {e.lineno} column {e.colno} (char {e.pos}): {e.msg}") from None


_KINDS = {
    "text": lambda v: isinstance(v, str),
    "text or a number": lambda v: isinstance(v, (str, int)) and not isinstance(v, bool),
    "a whole number": lambda v: isinstance(v, int) and not isinstance(v, bool) or isinstance(v, str) and v.isdigit(),
    "a list of text": lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
    "a list of objects": lambda v: isinstance(v, list) and all(isinstance(x, dict) for x in v),
    "an object": lambda v: isinstance(v, dict),
}


def field(obj: dict, key: str, kind: str, source: str, where: str = ""):
    """``obj[key]`` if it is ``kind`` (a key of ``_KINDS``); None when absent or null. Anything else is an
    ``InputError`` for ``source`` naming the field (after ``where``, e.g. "line 2: ")."""
    value = obj.get(key)
    if value is None or _KINDS[kind](value):
        return value
    shown = type(value).__name__ if isinstance(value, (dict, list)) else repr(value)[:40]
    raise InputError(source, f"{where}field {key!r} must be {kind}, not {shown}")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_text(path: Path, data: bytes | None = None) -> str:
    """Decode a text file as UTF-8 (BOM allowed). Binary or non-UTF-8 input is an ``InputError`` that
    says which, so the user can re-save the file instead of getting mojibake in the index."""
    if data is None:
        data = path.read_bytes()
    if not data.strip():
        raise InputError(str(path), "empty file")
    text = decode_utf8(data, str(path))
    if not text.strip():
        raise InputError(str(path), "empty file")
    return text


def read_sidecar(path: Path) -> Meta:
    """``NAME.json`` next to the opinion file -> ``Meta`` (empty ``Meta`` when there is none)."""
    side = path.with_suffix(".json")
    if not side.is_file():
        return Meta()
    raw = load_json(decode_utf8(side.read_bytes(), str(side)), str(side), "sidecar metadata")
    if not isinstance(raw, dict):
        raise InputError(str(side), "malformed sidecar metadata (expected a JSON object)")
    fields: dict = {}
    for key in ("case_name", "citation", "court", "court_id", "date", "source_url", "docket"):
        value = raw.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise InputError(str(side), f"field {key!r} must be a string, not {type(value).__name__}")
        fields[key] = value.strip()
    for key in ("year", "first_page"):
        value = raw.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and value.isdigit())):
            raise InputError(str(side), f"field {key!r} must be a whole number, not {value!r}")
        fields[key] = int(value)
    if "year" not in fields and fields.get("date"):
        m = re.match(r"(\d{4})", fields["date"])
        if not m:
            raise InputError(str(side), f"field 'date' must be an ISO date (YYYY-MM-DD), not {fields['date']!r}")
        fields["year"] = int(m.group(1))
    return Meta(**fields)


def build(blocks: list[RawBlock], has_pages: bool, meta: Meta, source: str, sha: str, fmt: str) -> Document:
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
