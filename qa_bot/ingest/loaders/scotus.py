"""The scotus-citator corpus layout: a folder with ``cases.jsonl`` and ``opinions/``.

One ``Document`` per line of ``cases.jsonl`` (an opinion cluster). The ``010combined`` file is
preferred; without it the lead / concurrence / concurrence-in-part / dissent (and other) files are
concatenated in CourtListener's type order with ``Block.part`` set from each file's type (a part the
markup itself gives, Harvard ``<opinion type>``, wins). Meta comes from the line: case name, U.S.
citation (first page from it), parallel citations, court, year, CourtListener URL and cluster id.
A line whose opinion file is missing, or that is not valid JSON, yields an ``InputError`` and the
rest of the corpus still loads. A subset folder with the same layout works the same way; so does
passing the ``cases.jsonl`` file itself.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Iterator

from ...errors import InputError
from ...text import decode_utf8
from ...types import Document, Meta
from ._common import build
from ._markup import RawBlock, parse_markup, part_of

NAME = "scotus"
DESCRIPTION = "scotus-citator corpus folder (cases.jsonl + opinions/)"

COURT = "Supreme Court of the United States"
_TYPE_PART = {"020lead": "majority", "025plurality": "plurality", "030concurrence": "concurrence",
              "035concurrenceinpart": "concurrence in part", "040dissent": "dissent"}


def _root(path: Path) -> Path | None:
    folder = path.parent if path.is_file() and path.name == "cases.jsonl" else path
    if folder.is_dir() and (folder / "cases.jsonl").is_file() and (folder / "opinions").is_dir():
        return folder
    return None


def sniff(path: Path, head: bytes) -> bool:
    return _root(path) is not None


def load(path: Path) -> Iterator[Document | InputError]:
    root = _root(path)
    if root is None:
        raise InputError(str(path), "not a scotus-citator folder (needs cases.jsonl and opinions/)")
    cases = root / "cases.jsonl"
    with open(cases, encoding="utf-8-sig") as f:
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                case = json.loads(line)
                if not isinstance(case, dict):
                    raise ValueError("expected a JSON object")
            except ValueError as e:
                yield InputError(f"{cases}#{n}", f"line {n} is not a JSON object ({e})")
                continue
            try:
                yield load_cluster(root, case, n)
            except InputError as e:
                yield e


def load_cluster(root: Path, case: dict, line_no: int) -> Document:
    cid = str(case.get("cluster_id") or f"line {line_no}")
    source = f"{root}#{cid}"
    opinions = case.get("opinions")
    if not isinstance(opinions, list) or not opinions:
        raise InputError(source, f"cluster {cid}: no opinion files listed")
    combined = [o for o in opinions if isinstance(o, dict) and o.get("opinion_type") == "010combined"]
    if combined and _exists(root, combined[0]):
        chosen = combined[:1]
    else:
        chosen = sorted((o for o in opinions if isinstance(o, dict) and o.get("opinion_type") != "010combined"),
                        key=lambda o: str(o.get("opinion_type") or ""))
        if not chosen:
            chosen = combined[:1]
    meta = _meta(case)
    blocks: list[RawBlock] = []
    has_pages = False
    digest = hashlib.sha256()
    for op in chosen:
        rel = op.get("file")
        if not rel or not _exists(root, op):
            raise InputError(source, f"cluster {cid}: opinion file {rel or '(none listed)'} "
                                     f"({op.get('opinion_type', '?')}) is missing")
        fpath = root / rel
        data = fpath.read_bytes()
        digest.update(data)
        part = None if op.get("opinion_type") == "010combined" else _part(op.get("opinion_type"))
        raw, pages = parse_markup(decode_utf8(data, str(fpath)), str(fpath))
        for b in raw:
            if b.part is None:
                b.part = part
        blocks += raw
        has_pages = has_pages or pages
    return build(blocks, has_pages, meta, source, digest.hexdigest(), fmt=NAME)


def _exists(root: Path, op: dict) -> bool:
    rel = op.get("file")
    return bool(rel) and (root / rel).is_file()


def _part(opinion_type: str | None) -> str | None:
    if not opinion_type:
        return None
    return _TYPE_PART.get(opinion_type) or part_of(opinion_type)


def _meta(case: dict) -> Meta:
    cite = str(case.get("us_citation") or "")
    cites = [str(c) for c in case.get("citations") or [] if c and str(c) != cite and "LEXIS" not in str(c)]
    m = re.fullmatch(r"\d+ U\. ?S\. (\d+)", cite)
    year = case.get("year")
    return Meta(
        case_name=str(case.get("case_name") or ""),
        citation=cite or (cites[0] if cites else ""),
        court=str(case.get("court_name") or COURT),
        court_id=str(case.get("court") or "scotus"),
        year=int(year) if isinstance(year, int) or (isinstance(year, str) and year.isdigit()) else None,
        first_page=int(m.group(1)) if m else None,
        source_url=str(case.get("courtlistener_url") or ""),
        parallel_citations=tuple(cites),
        external_id=str(case.get("cluster_id") or ""),
    )
