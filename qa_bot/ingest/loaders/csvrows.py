"""CourtListener-style CSV: one opinion per row (e.g. the multicourt sample's ``4.finetune_val.csv``).

The opinion text is the first non-empty column of ``opinion``, ``html_with_citations``,
``xml_harvard``, ``html_columbia``, ``html_lawbox``, ``html``, ``plain_text``, ``text``; markup is
parsed like a CourtListener file, plain text like a CAP text file (``*543`` star pages).
Metadata columns used when present: ``cluster_case_name``/``case_name``, ``court_id``,
``court_full_name``/``court``, ``cluster_date_filed``/``date_filed``, ``citations``/``citation``,
``docket_number``, ``cluster_id``, ``opinion_type`` and ``opinion_per_curiam`` (for ``Block.part``).
Rows are numbered from 1 after the header; a row with no text or the wrong number of fields yields
``InputError("file.csv row N: why")`` and the other rows still load.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from pathlib import Path
from typing import Iterator

from ...errors import InputError
from ...text import decode_utf8
from ...types import Document, Meta
from ._common import build, fill_from_caption, sha256_bytes
from ._markup import RawBlock, parse_markup, part_of
from .text import parse as parse_plain

NAME = "csvrows"
DESCRIPTION = "CSV of CourtListener opinion rows (.csv with an 'opinion' or other text column)"

TEXT_COLUMNS = ("opinion", "html_with_citations", "xml_harvard", "html_columbia", "html_lawbox", "html",
                "plain_text", "text")
_LEADING_CITE = re.compile(r"^\s*(\d{1,4} [A-Z][A-Za-z0-9. ]{0,20}? \d{1,5}) \((\d{4})\)")


def sniff(path: Path, head: bytes) -> bool:
    return path.is_file() and path.suffix.lower() == ".csv"


def load(path: Path) -> Iterator[Document | InputError]:
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    name = str(path)
    with io.StringIO(decode_utf8(path.read_bytes(), name), newline="") as f:
        reader = csv.reader(f)
        try:
            header = next(reader)
        except StopIteration:
            raise InputError(name, "empty file") from None
        except csv.Error as e:
            raise InputError(name, f"malformed CSV header ({e})") from None
        header = [h.strip() for h in header]
        text_cols = [c for c in TEXT_COLUMNS if c in header]
        if not text_cols:
            raise InputError(name, f"no opinion text column (expected one of {', '.join(TEXT_COLUMNS)}); "
                                   f"header has: {', '.join(header[:12])}")
        n = 0
        while True:
            n += 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                yield InputError(f"{name}#{n}", f"{path.name} row {n}: malformed CSV ({e})")
                return  # the reader cannot resynchronise after a broken quote
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                yield InputError(f"{name}#{n}", f"{path.name} row {n}: has {len(row)} fields, the header has {len(header)}")
                continue
            rec = dict(zip(header, row))
            text = next((rec[c] for c in text_cols if rec[c].strip()), "")
            if not text:
                yield InputError(f"{name}#{n}", f"{path.name} row {n}: no opinion text")
                continue
            try:
                yield _document(rec, text, f"{name}#{n}")
            except InputError as e:
                yield InputError(e.source, f"{path.name} row {n}: {e.reason}")
            except Exception as e:  # noqa: BLE001 - one bad row must not stop the file
                yield InputError(f"{name}#{n}", f"{path.name} row {n}: could not be read ({type(e).__name__}: {e})")


def _document(rec: dict, text: str, source: str) -> Document:
    if text.lstrip().startswith("<"):
        raw, has_pages = parse_markup(text, source)
    else:
        raw = [RawBlock(text=b.text, kind=b.kind, page_breaks=list(b.page_breaks), marks=list(b.marks),
                        footnote=b.footnote) for b in parse_plain(text)]
        has_pages = any(b.page_breaks for b in raw)
    part = "per curiam" if rec.get("opinion_per_curiam", "").lower() in ("t", "true", "1") else None
    if part is None and rec.get("opinion_type") and rec["opinion_type"] != "010combined":
        part = part_of(rec["opinion_type"])
    for b in raw:
        if b.part is None:
            b.part = part
    meta = fill_from_caption(_meta(rec, text), raw)
    return build(raw, has_pages, meta, source, sha256_bytes(text.encode("utf-8")), fmt=NAME)


def _get(rec: dict, *keys: str) -> str:
    return next((rec[k].strip() for k in keys if rec.get(k, "").strip()), "")


def _meta(rec: dict, text: str) -> Meta:
    date = _get(rec, "cluster_date_filed", "date_filed", "date")[:10]
    cites = [c.strip() for c in re.split(r"[;|]|, (?=\d)", _get(rec, "citations", "citation")) if c.strip()]
    year = int(date[:4]) if re.match(r"\d{4}", date) else None
    citation = cites[0] if cites else ""
    m = _LEADING_CITE.match(text)  # "217 N.J. Super. 541 (1987) 526 A.2d 290 ..."
    if m:
        citation = citation or m.group(1)
        year = year or int(m.group(2))
    first = re.search(r" (\d+)$", citation)
    return Meta(
        case_name=_get(rec, "cluster_case_name", "case_name", "cluster_case_name_full"),
        citation=citation,
        court=_get(rec, "court_full_name", "court", "court_short_name"),
        court_id=_get(rec, "court_id"),
        year=year,
        date=date if re.fullmatch(r"\d{4}-\d{2}-\d{2}", date) else "",
        first_page=int(first.group(1)) if first else None,
        docket=_get(rec, "docket_number"),
        parallel_citations=tuple(cites[1:]),
        external_id=_get(rec, "cluster_id", "opinion_id", "id"),
    )
