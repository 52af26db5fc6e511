"""The scotus-citator corpus layout: a folder with ``cases.jsonl`` and ``opinions/``.

One ``Document`` per line of ``cases.jsonl`` (an opinion cluster). The ``010combined`` file is
preferred; without it the lead / concurrence / concurrence-in-part / dissent (and other) files are
concatenated in CourtListener's type order with ``Block.part`` set from each file's type (a part the
markup itself gives, Harvard ``<opinion type>``, wins). Meta comes from the line: case name, U.S.
citation (first page from it), parallel citations, court, year, CourtListener URL and cluster id.
A line whose opinion file is missing, that is not valid JSON, or whose fields have the wrong type,
yields an ``InputError`` naming the line and field, and the rest of the corpus still loads. An opinion
file must lie inside the corpus folder (symlinks resolved): ``"../x"`` or ``"/etc/..."`` is refused. A
subset folder with the same layout works the same way; so does passing the ``cases.jsonl`` file itself.

``load(path, defer=True)`` yields a ``Pending`` per line instead of a ``Document``: the line is read, checked
and its opinion files hashed here, and the HTML parsing (most of loading) is left to whoever prepares the
document, a worker process in a parallel ingest. The document it gives is the one ``load`` would yield.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Iterator

from ...errors import InputError
from ...text import decode_utf8
from ...types import Document, Meta
from ._common import Pending, build, field, load_json
from ._markup import RawBlock, parse_markup, part_of

NAME = "scotus"
DESCRIPTION = "scotus-citator corpus folder (cases.jsonl + opinions/)"
DEFERS = True

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


def load(path: Path, defer: bool = False) -> Iterator[Document | Pending | InputError]:
    root = _root(path)
    if root is None:
        raise InputError(str(path), "not a scotus-citator folder (needs cases.jsonl and opinions/)")
    cases = root / "cases.jsonl"
    with open(cases, "rb") as f:
        for n, raw in enumerate(f, start=1):
            where = f"{cases}#{n}"
            try:
                line = raw.decode("utf-8-sig" if n == 1 else "utf-8")
            except UnicodeDecodeError as e:
                yield InputError(where, f"line {n} is not UTF-8 text (byte 0x{raw[e.start]:02x} at column {e.start + 1})")
                continue
            if not line.strip():
                continue
            try:
                try:
                    case = load_json(line, where)
                except InputError as e:
                    raise InputError(where, f"line {n} is not a JSON object ({e.reason})") from None
                if not isinstance(case, dict):
                    raise InputError(where, f"line {n} is not a JSON object")
                yield pending_cluster(root, case, n) if defer else load_line(root, case, n)
            except InputError as e:
                yield e
            except Exception as e:  # noqa: BLE001 - one bad line must not stop the corpus
                yield InputError(where, f"line {n} could not be read ({type(e).__name__}: {e})")


def load_line(root: Path, case: dict, line_no: int) -> Document:
    """``load_cluster``, any error but ``InputError`` reported as the line that could not be read."""
    try:
        return load_cluster(root, case, line_no)
    except InputError:
        raise
    except Exception as e:  # noqa: BLE001 - one bad line must not stop the corpus
        raise InputError(f"{root / 'cases.jsonl'}#{line_no}",
                         f"line {line_no} could not be read ({type(e).__name__}: {e})") from None


def pending_cluster(root: Path, case: dict, line_no: int) -> Pending:
    """The line checked and its files hashed as ``load_cluster`` does, the parsing left to ``load_line``."""
    source, chosen, _ = _plan(root, case, line_no)
    digest = hashlib.sha256()
    for op in chosen:
        digest.update((root / op["file"]).read_bytes())
    return Pending(source, digest.hexdigest(), load_line, (root, case, line_no))


def _plan(root: Path, case: dict, line_no: int) -> tuple[str, list[dict], Meta]:
    """(source, the opinion files to read in order, meta) for one line; ``InputError`` naming the field."""
    at = f"line {line_no}: "
    cid = str(field(case, "cluster_id", "text or a number", f"{root}#line {line_no}", at) or f"line {line_no}")
    source = f"{root}#{cid}"
    at = f"cluster {cid} (line {line_no}): "
    opinions = field(case, "opinions", "a list of objects", source, at)
    if not opinions:
        raise InputError(source, f"{at}no opinion files listed")
    for op in opinions:
        field(op, "file", "text", source, at + "opinions[]: ")
        field(op, "opinion_type", "text", source, at + "opinions[]: ")
    combined = [o for o in opinions if o.get("opinion_type") == "010combined"]
    if combined and _exists(root, combined[0], source, at):
        chosen = combined[:1]
    else:
        chosen = sorted((o for o in opinions if o.get("opinion_type") != "010combined"),
                        key=lambda o: o.get("opinion_type") or "")
        if not chosen:
            chosen = combined[:1]
    meta = _meta(case, source, at)
    for op in chosen:
        rel = op.get("file")
        if not rel or not _exists(root, op, source, at):
            raise InputError(source, f"{at}opinion file {rel or '(none listed)'} "
                                     f"({op.get('opinion_type') or '?'}) is missing")
    return source, chosen, meta


def load_cluster(root: Path, case: dict, line_no: int) -> Document:
    source, chosen, meta = _plan(root, case, line_no)
    blocks: list[RawBlock] = []
    has_pages = False
    digest = hashlib.sha256()
    for op in chosen:
        fpath = root / op["file"]
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


def _exists(root: Path, op: dict, source: str, at: str) -> bool:
    """The opinion file ``op`` names exists; ``InputError`` when it lies outside the corpus folder."""
    rel = op.get("file")
    if not rel:
        return False
    target = (root / rel).resolve()
    if not target.is_relative_to(root.resolve()):
        raise InputError(source, f"{at}opinion file {rel!r} is outside the corpus folder; refused")
    return target.is_file()


def _part(opinion_type: str | None) -> str | None:
    if not opinion_type:
        return None
    return _TYPE_PART.get(opinion_type) or part_of(opinion_type)


def _meta(case: dict, source: str, at: str) -> Meta:
    def text(key: str) -> str:
        return field(case, key, "text", source, at) or ""

    cite = text("us_citation")
    cites = [c for c in field(case, "citations", "a list of text", source, at) or []
             if c and c != cite and "LEXIS" not in c]
    m = re.fullmatch(r"\d+ U\. ?S\. (\d+)", cite)
    year = field(case, "year", "a whole number", source, at)
    return Meta(
        case_name=text("case_name"),
        citation=cite or (cites[0] if cites else ""),
        court=text("court_name") or COURT,
        court_id=text("court") or "scotus",
        year=int(year) if year is not None and len(str(year)) <= 4 else None,
        first_page=int(m.group(1)) if m and len(m.group(1)) <= 6 else None,
        source_url=text("courtlistener_url"),
        parallel_citations=tuple(cites),
        external_id=str(case.get("cluster_id") or ""),
    )
