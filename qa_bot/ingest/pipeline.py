"""Ingest orchestration: load -> structure -> chunk -> store, one transaction per opinion.

``ingest(store, paths, settings)`` walks every file or folder in ``paths`` through the loaders and
stores each opinion they yield, unless

* its bytes were ingested before (``Store.seen``): reported as an identical duplicate, nothing redone;
* it is a near-duplicate of a stored opinion (same words, other formatting: e.g. a lower-cased, truncated
  ML-corpus copy of an opinion held with page numbers and footnotes): the richer version is kept and the
  other one is reported as the duplicate, whichever order they arrive in.

Near-duplicates are found with a shingle sketch: hashes of word 5-grams over a normalised form of the
clean text (NFKC, lower case, letter-only words of two or more letters), keeping one hash in eight. The
containment of the smaller sketch in the larger one decides (``NEAR_DUP_CONTAINMENT``).

Each opinion is written in its own transaction, so an interruption loses nothing already stored and
never leaves half an opinion behind; a bad file becomes one "rejected" line and the batch goes on.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable

from ..errors import InputError, QaBotError, StoreCorrupt
from ..settings import Settings
from ..text import fold, printable
from ..types import Document, Meta, Opinion
from . import citations, loaders, parallel, schema
from .store import Store

Progress = Callable[[str, int, int], None]

SHINGLE = 5  # words per shingle
SAMPLE = 8  # keep hashes with hash % SAMPLE == 0
NEAR_DUP_CONTAINMENT = 0.8  # shared / size of the smaller sketch
MIN_SKETCH = 8  # sketches smaller than this (very short texts) are never called near-duplicates

_WORD = re.compile(r"[^\W\d_]{2,}")
_HYPHENATED = re.compile(r"(?<!\w)\w+(?:[-\u2010\u2011]\w+)+")  # "off-duty": sources differ in how they keep these
_ENTRY = re.compile(r"#[^/.#]*$")  # "corpus#12345", "rows.csv#7": an entry of a multi-opinion file
_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th)\b")


# -- report ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FileResult:
    """What happened to one opinion (or one bad file / entry)."""

    source: str
    status: str  # ingested | duplicate | rejected
    detail: str  # "Case Name, 432 F.3d 98: 57 passages" | "same as X: identical bytes" | the reason
    opinion_id: str | None = None
    passages: int = 0


@dataclass
class IngestReport:
    results: list[FileResult] = field(default_factory=list)  # in the order the files were processed
    removed_passage_ids: list[int] = field(default_factory=list)  # of opinions replaced by richer versions

    @property
    def ingested(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "ingested"]

    @property
    def duplicates(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "duplicate"]

    @property
    def failed(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "rejected"]

    def lines(self) -> list[str]:
        """One human line per file, in the order the files were processed."""
        return [f"rejected  {r.source}  {r.detail}" if r.status == "rejected"
                else f"{r.status:<9} {r.source}  ({r.detail})" for r in self.results]

    def summary(self) -> str:
        return (f"{len(self.ingested)} ingested, {len(self.duplicates)} duplicate(s), "
                f"{len(self.failed)} rejected")

    def _add(self, r: FileResult) -> None:
        self.results.append(replace(r, source=printable(r.source), detail=printable(r.detail)))


# -- sketch and richness --------------------------------------------------------------------------
def words(text: str) -> list[str]:
    """The normalised word sequence a sketch is built from: case, digits, punctuation, one-letter
    words ('v.'), ordinals and hyphenated compounds are ignored, as ML-corpus copies drop them."""
    text = fold(text)
    return _WORD.findall(_ORDINAL.sub(" ", _HYPHENATED.sub(" ", text)))


def sketch(text: str) -> set[int]:
    """Signed 64-bit hashes (SQLite INTEGER) of the sampled word 5-grams of ``text``."""
    w = words(text)
    out = set()
    for i in range(max(len(w) - SHINGLE + 1, 0)):
        h = int.from_bytes(hashlib.blake2b(" ".join(w[i : i + SHINGLE]).encode(), digest_size=8).digest(),
                           "big", signed=True)
        if h % SAMPLE == 0:
            out.add(h)
    return out


_META_FIELDS = ("case_name", "citation", "court", "court_id", "year", "date", "first_page", "docket")


def richness(op: Opinion) -> int:
    """Which of two versions of one opinion to keep: pages > footnotes > metadata > length."""
    n_meta = sum(1 for f in _META_FIELDS if getattr(op.meta, f))
    return (1000 * bool(op.pages) + 500 * bool(op.footnotes) + 50 * n_meta
            + min(len(op.text) // 10_000, 49))


def display_name(case_name: str, citation: str, source: str) -> str:
    return case_name or citation or Path(_ENTRY.sub("", source)).name


# -- ingest ---------------------------------------------------------------------------------------
def _key(doc: Document) -> str:
    """The ``files`` key: the document's sha256, made unique per entry for multi-opinion files."""
    if "#" in doc.source:
        return hashlib.sha256(f"{doc.sha256}#{doc.source.split('#', 1)[1]}".encode()).hexdigest()
    return doc.sha256


def _label(store: Store, opinion_id: str | None) -> str:
    o = store.opinion_summary(opinion_id) if opinion_id else None
    return display_name(o["case_name"], o["citation"], o["source"]) if o else str(opinion_id)


def _near_duplicate(store: Store, sk: Iterable[int], meta: Meta) -> str | None:
    """The stored opinion the opinion with sketch ``sk`` and metadata ``meta`` is a near-duplicate of, if any."""
    if len(sk) < MIN_SKETCH:
        return None
    for oid, shared, size in store.sketch_overlap(sk):
        if size < MIN_SKETCH or shared / min(len(sk), size) < NEAR_DUP_CONTAINMENT:
            continue
        cited = (store.opinion_summary(oid) or {}).get("citation")
        if cited and meta.citation and cited != meta.citation:
            continue  # same words, different reported cases (e.g. two one-line orders)
        return oid
    return None


@dataclass(frozen=True)
class Prepared:
    """What ingest stores for one document, computed without the store (so in any process): for a local
    store its rows ready to insert (``rows``: the one writer only writes), for another the opinion and
    its passages."""

    id: str
    meta: Meta
    n_passages: int
    sketch: tuple[int, ...]
    richness: int
    rows: schema.OpinionRows | None = None
    opinion: Opinion | None = None
    passages: tuple = ()
    notes: tuple[str, ...] = ()  # the loader's notes for the user (a Pending document has them once parsed)


def prepare(doc: Document | loaders.Pending, settings: Settings, rows: bool = True) -> Prepared:
    """Structure, chunk and sketch one document, parsing it first if it is ``Pending`` (``InputError``
    when it holds no opinion text); with ``rows``, make the local store's rows too (``schema.opinion_rows``),
    else keep the opinion and passages."""
    from . import chunk as chunking
    from . import roles, sentences, structure

    if isinstance(doc, loaders.Pending):
        doc = doc.document()
    if not any(b.text.strip() for b in doc.blocks):
        raise InputError(doc.source, "no opinion text found in it")
    op = structure.build(doc)
    op = replace(op, id=op.id or _key(doc)[:16])
    spans = functools.lru_cache(maxsize=None)(functools.partial(sentences.opinion_sentences, op))  # split once
    op = replace(op, roles=roles.tag(op, spans))  # in the worker process too: tagging is part of the parse
    # the passage limit is checked in the tokenizer of the model that will embed it
    passages = chunking.chunk(op, settings.chunk, chunking.default_model_tokens(settings.embed.model), spans)
    if not op.text.strip() or not passages:
        raise InputError(doc.source, "no opinion text found in it")
    sk, rich = tuple(sketch(op.text)), richness(op)
    if rows:
        made = schema.opinion_rows(op, passages, rich, sk)
        return Prepared(op.id, op.meta, len(passages), made.sketch, rich, rows=made, notes=tuple(doc.notes))
    return Prepared(op.id, op.meta, len(passages), sk, rich, opinion=op, passages=tuple(passages),
                    notes=tuple(doc.notes))


def _store_one(store: Store, doc: Document | loaders.Pending, settings: Settings, report: IngestReport,
               prepared: Prepared | None = None) -> None:
    key = _key(doc)
    seen = store.seen(key)
    if seen is not None:
        status, oid = seen
        report._add(FileResult(doc.source, "duplicate", f"same as {_label(store, oid)}: identical bytes", oid))
        return
    prepared = prepared or prepare(doc, settings, rows=isinstance(store, Store))
    oid, meta, sk, rich = prepared.id, prepared.meta, prepared.sketch, prepared.richness
    name = display_name(meta.case_name, meta.citation, doc.source)
    old = updated = None
    removed: list[int] = []
    with store.transaction():
        updated = store.ingested_from(doc.source)
        if updated is not None:  # this file was ingested before and has changed since: the new version wins
            removed += store.remove_opinion(updated)
            store.forget_files(updated)
        other = _near_duplicate(store, sk, meta)
        if other is None and store.has_opinion(oid):
            other = oid  # the same opinion id from other bytes (e.g. another export of one opinion)
        keep_other = other is not None and store.richness(other) >= rich
        if keep_other:
            store.record_duplicate(doc.source, key, other, "near-duplicate")
            store.record_file(key, doc.source, "duplicate", other)
            other_name = _label(store, other)
        else:
            if other is not None:  # the new version is richer: it replaces the stored one
                old = store.opinion_summary(other)
                removed += store.remove_opinion(other)
                store.record_duplicate(old["source"], old["sha256"], oid, "near-duplicate (replaced by a richer version)")
                store.repoint_files(other, oid)
            if prepared.rows is not None:
                store.add_rows(prepared.rows)
            else:
                store.add_opinion(prepared.opinion, prepared.passages, richness=rich, sketch=sk)
            store.record_file(key, doc.source, "ingested", oid)
    # committed: now the report
    report.removed_passage_ids += removed
    if keep_other:
        report._add(FileResult(doc.source, "duplicate",
                               f"same as {other_name}: near-duplicate, kept the richer version", other))
        return
    if old is not None:  # an opinion this run ingested may just have been replaced
        report.results = [r for r in report.results if not (r.status == "ingested" and r.opinion_id == other)]
    cite = f", {meta.citation}" if meta.citation and meta.citation != name else ""
    note = "; replaced the earlier version of this file" if updated is not None else ""
    note += "".join(f"; {n}" for n in prepared.notes)
    report._add(FileResult(doc.source, "ingested", f"{name}{cite}: {prepared.n_passages} passages{note}", oid,
                           prepared.n_passages))
    if old is not None:
        report._add(FileResult(old["source"], "duplicate", f"same as {name}: near-duplicate, kept the richer version",
                               oid))


def ingest(store: Store, paths: Iterable[str | os.PathLike], settings: Settings | None = None,
           progress: Progress | None = None, workers: int | None = None) -> IngestReport:
    """Store every opinion found under ``paths``; never stops on a bad file. See the module docstring.
    ``workers``: processes preparing documents (``parallel``; None: all cores for a large batch)."""
    settings = settings or Settings.preset()
    from . import chunk as chunking

    chunking.default_model_tokens(settings.embed.model)  # a model that cannot load: one message, not one per file
    report = IngestReport()
    files = list(loaders.iter_files([str(p) for p in paths]))
    # progress counts files, against a total known from the start (a file may hold many opinions)
    count = {"done": 0, "total": len(files), "in_file": 0}

    def finish(entry, prepared) -> None:
        kind, what = entry
        count["in_file"] = 0 if kind == "file done" else count["in_file"] + 1
        if kind == "file done":
            count["done"] += 1
        elif kind == "rejected":
            report._add(FileResult(what.source, "rejected", what.reason))
        elif kind == "empty":
            report._add(FileResult(what, "rejected", "no opinion found in it"))
        else:
            try:
                if isinstance(prepared, parallel.Failed):
                    parallel.raise_failed(prepared)
                _store_one(store, what, settings, report, prepared)
            except InputError as e:
                report._add(FileResult(e.source, "rejected", e.reason))
            except QaBotError as e:
                report._add(FileResult(what.source, "rejected", str(e)))
            except Exception as e:  # bad input that slipped past the loader: report, go on
                report._add(FileResult(what.source, "rejected", f"could not be processed ({type(e).__name__}: {e})"))
        if progress and count["in_file"] != 1:  # a file done, or its next opinion (a chance to publish BM25)
            progress("ingest", count["done"], count["total"])

    n_workers, hyperscan_folder = parallel.plan(store.folder, files, workers)
    if hyperscan_folder is not None:
        citations.use_hyperscan(hyperscan_folder)
    queue = parallel.Ordered(finish, functools.partial(prepare, rows=isinstance(store, Store)), settings, n_workers,
                             hyperscan_folder)
    try:
        for f in files:
            if isinstance(f, InputError):
                queue.push(("rejected", f))
                queue.push(("file done", None))
                continue
            first = True
            items = loaders.load(f, defer=queue.pool is not None)  # with workers, they parse the files too
            while True:
                try:
                    item = next(items)
                except StopIteration:
                    break
                except QaBotError as e:
                    item = e if isinstance(e, InputError) else InputError(str(f), str(e))
                except Exception as e:  # a loader bug must not stop the batch
                    item = InputError(str(f), f"could not be loaded ({type(e).__name__}: {e})")
                first = False
                if isinstance(item, InputError):
                    queue.push(("rejected", item))
                else:  # a document seen before needs no preparing (nor parsing): reported as a duplicate
                    item = replace(item, source=printable(item.source))  # stored and shown: must encode
                    queue.push(("document", item), None if store.seen(_key(item)) else item)
            if first:  # the loader yielded nothing at all
                queue.push(("empty", str(f)))
            queue.push(("file done", None))
    finally:
        queue.close()
        citations.use_default()
    return report


# -- info -----------------------------------------------------------------------------------------
def human_size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())


def library_info(lib) -> dict:
    """What a library holds: counts from the store, on-disk size, and the index status if known."""
    stats = lib.store.stats()
    size = folder_size(getattr(lib.backend, "path", lib.folder) if hasattr(lib, "backend") else lib.folder)
    info = {"library": str(lib.folder), **stats, "size": human_size(size), "size_bytes": size}
    from . import roles

    info["sentence_roles"] = roles.stale(lib.store) or f"version {roles.VERSION}"
    try:
        status = getattr(lib.retriever, "status", None)
        if callable(status):
            info["index"] = status()
    except StoreCorrupt:
        raise  # the counts above describe a store the indexes do not belong to: say so, not "0 opinions"
    except (ImportError, QaBotError, OSError) as e:
        info["index"] = f"unavailable ({e})"
    return info
