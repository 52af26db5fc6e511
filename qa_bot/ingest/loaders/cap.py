"""Caselaw Access Project (static.case.law) cases: case JSON and case HTML.

* Case JSON (``json/0036-01.json``): ``casebody.head_matter`` lines, then each of
  ``casebody.opinions[{type, author, text}]`` parsed as CAP text (footnotes are the trailing lines
  that start with ``.``, numbered from 1 in each opinion; markers glued to words) with
  ``Block.part`` from ``type`` and ``Block.author`` from ``author``. CAP JSON has no page markers.
  Meta: ``name_abbreviation``, the official citation (others parallel), ``court.name``,
  ``decision_date``, ``first_page``, ``docket_number``, ``id``.
* Case HTML (``html/0036-01.html``): ``<section class="casebody" data-firstpage>`` with
  ``<a class="page-label" data-label="37">*37</a>`` page anchors, ``<article class="opinion"
  data-type>``, ``<a class="footnotemark">`` and ``<aside class="footnote">``. Meta comes from the
  case JSON of the same name in a sibling ``json/`` folder when there is one, else from the head matter.

A folder of CAP files is loaded file by file. ``CasesMetadata.json`` / ``VolumeMetadata.json``
(volume metadata, no opinion text) are recognised and skipped.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from ...errors import InputError
from ...text import decode_utf8
from ...types import Document, Meta
from ._common import build, field, load_json, read_sidecar, sha256_bytes
from ._markup import RawBlock, backfill_first_page, clean_author, parse_markup, part_of
from .text import parse as parse_text

NAME = "cap"
DESCRIPTION = "Caselaw Access Project case JSON or case HTML (static.case.law layout)"

_METADATA_FILES = ("casesmetadata.json", "volumemetadata.json")
_JSON_KEYS = (b'"casebody"', b'"name_abbreviation"', b'"decision_date"')


def sniff(path: Path, head: bytes) -> bool:
    if not path.is_file():
        return False
    suffix = path.suffix.lower()
    if suffix == ".json":
        if path.name.lower() in _METADATA_FILES:
            return True
        return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") and any(k in head for k in _JSON_KEYS)
    if suffix in (".html", ".htm"):
        return b'class="casebody"' in head or b'class="page-label"' in head
    return False


def load(path: Path) -> Iterator[Document]:
    if path.name.lower() in _METADATA_FILES:
        return
    if path.suffix.lower() == ".json":
        yield _load_json(path)
    else:
        yield _load_html(path)


def read_case(path: Path, data: bytes | None = None) -> dict:
    """The case JSON as a dict; ``InputError`` naming the file and the JSON error position."""
    if data is None:
        data = path.read_bytes()
    case = load_json(decode_utf8(data, str(path)), str(path))
    if not isinstance(case, dict):
        raise InputError(str(path), "not a CAP case (expected a JSON object)")
    return case


def case_meta(case: dict, source: str = "") -> Meta:
    """``Meta`` from a case JSON; a field of the wrong type is an ``InputError`` naming it."""
    cites = [c for c in field(case, "citations", "a list of objects", source) or []
             if isinstance(c.get("cite"), str) and c["cite"]]
    official = [c["cite"] for c in cites if c.get("type") == "official"]
    others = [c["cite"] for c in cites if c["cite"] not in official[:1]]
    citation = official[0] if official else (others.pop(0) if others else "")
    court = field(case, "court", "an object", source) or {}
    date = str(case.get("decision_date") or "")
    first = str(field(case, "first_page", "a whole number", source) or "")
    return Meta(
        case_name=str(case.get("name_abbreviation") or case.get("name") or ""),
        citation=citation,
        court=str(court.get("name") or ""),
        court_id=str(court.get("slug") or ""),
        year=int(date[:4]) if re.match(r"\d{4}", date) else None,
        date=date if re.fullmatch(r"\d{4}-\d{2}-\d{2}", date) else "",
        first_page=int(first) if first.isdigit() and len(first) <= 6 else None,
        docket=str(case.get("docket_number") or ""),
        parallel_citations=tuple(others),
        external_id=str(case.get("id") or ""),
    )


def _load_json(path: Path) -> Document:
    data = path.read_bytes()
    case = read_case(path, data)
    body = case.get("casebody")
    if not isinstance(body, dict):
        raise InputError(str(path), "not a CAP case: no 'casebody' object")
    opinions = body.get("opinions")
    if not isinstance(opinions, list) or not any(isinstance(o, dict) and str(o.get("text") or "").strip() for o in opinions):
        raise InputError(str(path), "no opinion text in casebody.opinions")
    blocks: list[RawBlock] = []
    for line in str(body.get("head_matter") or "").splitlines():
        if line.strip():
            blocks.append(RawBlock(text=" ".join(line.split())))
    for i, op in enumerate(opinions):
        if not isinstance(op, dict):
            raise InputError(str(path), f"casebody.opinions[{i}] is not an object")
        part = part_of(str(op.get("type") or "")) or None
        author = clean_author(str(op.get("author") or "")) if op.get("author") else None
        for b in parse_text(str(op.get("text") or "")):
            blocks.append(RawBlock(text=b.text, kind=b.kind, page_breaks=list(b.page_breaks), marks=list(b.marks),
                                   footnote=b.footnote, part=part, author=author))
    has_pages = any(b.page_breaks for b in blocks)
    return build(blocks, has_pages, case_meta(case, str(path)), str(path), sha256_bytes(data), fmt=NAME)


def _load_html(path: Path) -> Document:
    data = path.read_bytes()
    text = decode_utf8(data, str(path))
    blocks, has_pages = parse_markup(text, str(path))
    meta = _head_meta(blocks)
    for sibling in (path.with_suffix(".json"), path.parent.parent / "json" / (path.stem + ".json")):
        if sibling.is_file():
            case = read_case(sibling)
            meta = case_meta(case, str(sibling)) if "name_abbreviation" in case or "casebody" in case else read_sidecar(path)
            break
    m = re.search(r'data-firstpage="(\d+)"', text)
    if m and has_pages:
        meta_first = int(m.group(1))
        first_body = next((b for b in blocks if b.kind != "footnote"), None)
        if first_body is not None and not any(o == 0 for o, _ in first_body.page_breaks):
            first_body.page_breaks.insert(0, (0, meta_first))
    elif has_pages:
        backfill_first_page(blocks, meta.first_page)
    return build(blocks, has_pages, meta, str(path), sha256_bytes(data), fmt=NAME)


def _head_meta(blocks: list[RawBlock]) -> Meta:
    name = next((b.text.rstrip(".") for b in blocks[:3] if b.kind == "heading"), "")
    date = next((b.text for b in blocks[:12] if b.text.startswith("Decided ")), "")
    m = re.search(r"(\d{4})", date)
    return Meta(case_name=name, year=int(m.group(1)) if m else None)
