"""``qa-bot check [--repair]``: verify every file of a library, and repair what can be repaired.

``check(folder)`` lists the problems, each naming its file: the store (SQLite's integrity check, the
tables, every row's checksum: ``ingest.salvage.inspect``), the manifest (readable, its own checksum,
built from this store), and each index file it names (present, checksum, loadable, and the ids it holds
against the store's). Passages stored but not yet indexed are not damage: they are reported as work
for ``qa-bot sync``.

``repair(folder, settings)`` holds the writer lock throughout and:

1. if the store is damaged: salvages what verifies into a new store (``ingest.salvage``), keeps the
   damaged file beside it as ``library.sqlite.damaged-<time>`` (never deleted: it is the user's work),
   puts the new one in its place, and ingests again every lost opinion whose source file still exists;
2. brings the indexes up to date with the store: intact index files are kept (a salvaged store keeps
   its passage ids, so their vectors stay valid), damaged or missing ones are rebuilt, and a manifest
   that is damaged, of another version or of another store is replaced (``sync --rebuild``).

What could not be recovered (an opinion whose row is damaged and whose file is gone) is reported by
name, so the user knows what to ingest again.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..atomic import fsync_folder
from ..errors import QaBotError
from ..ingest import salvage
from ..ingest.store import DB_NAME, Store
from ..settings import Settings
from . import manifest as mf
from .writer import writer_lock


@dataclass
class Repair:
    store_replaced: str = ""  # where the damaged store was kept ("" if it was intact)
    kept: int = 0
    rechunked: int = 0
    reingested: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)  # "opinion id (source)" that could not be recovered
    lost_sources: list[tuple[str, str]] = field(default_factory=list)  # (opinion id, source) salvage lost
    unrecovered: int = 0  # passages the indexes held that the repaired store lacks (their opinions unknown)
    sync: dict = field(default_factory=dict)


def check(folder: Path, settings: Settings | None = None) -> tuple[list[str], list[str]]:
    """(problems, pending work): each a list of lines naming the file."""
    folder = Path(folder)
    settings = settings or Settings.preset()
    db = folder / DB_NAME
    if not db.exists():
        return [f"{db}: missing (no library here)"], []
    problems = salvage.inspect(db)
    if problems:
        return problems, []
    pending: list[str] = []
    with Store(folder) as store:
        try:
            m = mf.load(folder)
            mf.check_store(folder, m, store)
        except QaBotError as e:
            return [str(e)], []
        ids = np.asarray(store.passage_ids(), dtype=np.int64)
        for key, what in (("lexical", "lexical"), ("vectors", "vector")):
            entry = m[key]
            if not entry:
                pending.append(f"{folder / mf.NAME}: no {what} index yet; run qa-bot sync --index {folder}")
                continue
            try:
                path = mf.verified_path(folder, entry, what)
                held = _ids(path, key, entry, settings)
            except QaBotError as e:
                problems.append(str(e))
                continue
            extra = np.setdiff1d(held, ids)
            lacking = np.setdiff1d(ids, held)
            if len(extra):
                pending.append(f"{path}: {len(extra)} passage(s) no longer in the store; run qa-bot sync --index {folder}")
            if len(lacking):
                pending.append(f"{path}: {len(lacking)} stored passage(s) not indexed yet; run qa-bot sync --index {folder}")
    return problems, pending


def _ids(path: Path, key: str, entry: dict, settings: Settings) -> np.ndarray:
    if key == "lexical":
        from .lexical import Lexical

        return np.asarray(Lexical.load(path).ids, dtype=np.int64)
    from .sync import load_vectors

    return load_vectors(path.parent, entry, settings).ids()


def repair(folder: Path, settings: Settings | None = None, embedder=None, progress=None, embed: bool = True) -> Repair:
    """See the module docstring."""
    from ..ingest.pipeline import ingest
    from . import sync as index_sync

    folder = Path(folder)
    settings = settings or Settings.preset()
    out = Repair()
    if not (folder / DB_NAME).exists():
        raise QaBotError(f"{folder / DB_NAME} is missing: restore it from a backup (the search indexes beside it "
                         "hold no text to rebuild it from), or ingest the opinions again into a new library")
    with writer_lock(folder):
        try:
            indexed = set(mf.expand((mf.load(folder)["lexical"] or {}).get("ids", [])).tolist())
        except QaBotError:
            indexed = set()
        if salvage.inspect(folder / DB_NAME):
            out = _replace_store(folder, settings)
        with Store(folder) as store:
            try:  # a manifest that is damaged, of another version or of another store: index anew
                mf.check_store(folder, mf.load(folder), store)
                rebuild = False
            except QaBotError:
                rebuild = True
            for src in dict.fromkeys(source.split("#", 1)[0] for _, source in out.lost_sources):
                if src and Path(src).exists():
                    report = ingest(store, [src], settings, progress=progress)
                    out.reingested += [r.source for r in report.ingested]
            out.lost = [f"{oid} ({source or 'source file unknown'})" for oid, source in out.lost_sources
                        if not source or not Path(source.split("#", 1)[0]).exists()]
            if out.store_replaced:
                out.unrecovered = len(indexed - set(store.passage_ids()))
            # intact index files are kept and brought up to date (a salvaged store keeps its passage
            # ids, so their vectors stay valid); damaged ones are rebuilt by the sync
            out.sync = index_sync.sync(folder, store, settings, embedder if embed else None, progress,
                                       embed=embed, rebuild=rebuild)
    return out


def _replace_store(folder: Path, settings: Settings) -> Repair:
    """Salvage the damaged store into a new one and put it in place; the damaged file is kept."""
    db = folder / DB_NAME
    work = folder / f".repair-{os.getpid()}"
    if work.exists():
        for p in work.iterdir():
            p.unlink()
    got = salvage.salvage(db, work, settings.chunk)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    kept_as = folder / f"{DB_NAME}.damaged-{stamp}"
    for suffix in ("", "-wal", "-shm"):
        if (folder / (DB_NAME + suffix)).exists():
            os.replace(folder / (DB_NAME + suffix), folder / f"{kept_as.name}{suffix}")
    os.replace(work / DB_NAME, db)
    for p in work.iterdir():
        p.unlink()
    work.rmdir()
    fsync_folder(folder)
    return Repair(store_replaced=str(kept_as), kept=got.kept, rechunked=len(got.rechunked), lost_sources=got.lost)
