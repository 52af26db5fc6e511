"""Ingest across cores: everything but the store writes in worker processes, the writes in this one.

The ingest loop loads documents in order and hands each to ``Ordered.push``. With workers, a document is
prepared (the ``prepare`` given: ``pipeline.prepare``: parse, structure, eyecite, roles, chunking, sketch
and the rows to insert, checksums and JSON included) in a process pool while the loop goes on loading;
the one writer then only reads the store for duplicates and inserts. Results are taken back **in the
order the documents came** and written by the one process that holds the store, exactly as the serial
loop writes them (duplicate and near-duplicate decisions see the same store), so a parallel ingest
stores what a serial one stores. Without workers (small batches, one core, ``QA_BOT_INGEST_WORKERS=1``)
each document is prepared inline.

Workers are spawned, not forked (the caller may hold threads, e.g. the chat server), so a pool costs a
few seconds to start: it is used only for a batch of at least ``PARALLEL_MIN_BYTES`` of files. A batch
of at least ``HYPERSCAN_MIN_BYTES`` (or a library whose Hyperscan database is already cached) finds
citations with the Hyperscan prefilter (``citations``).
"""

from __future__ import annotations

import os
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Callable

from . import citations

PARALLEL_MIN_BYTES = 4 << 20
HYPERSCAN_MIN_BYTES = 32 << 20
MAX_WORKERS = 8


@dataclass(frozen=True)
class Failed:
    """An exception raised while preparing a document in a worker, carried back as plain data."""

    kind: str  # input | qa | other
    source: str
    message: str
    type_name: str = ""


def batch_bytes(files) -> int:
    total = 0
    for f in files:
        p = Path(str(f))
        try:
            total += sum(x.stat().st_size for x in p.rglob("*") if x.is_file()) if p.is_dir() else p.stat().st_size
        except OSError:
            pass
    return total


def default_workers() -> int:
    env = os.environ.get("QA_BOT_INGEST_WORKERS", "").strip()
    if env.isdigit():
        return int(env)
    return min(os.cpu_count() or 1, MAX_WORKERS)


def _init_worker(hyperscan_folder: str | None) -> None:
    if hyperscan_folder is not None:
        citations.use_hyperscan(Path(hyperscan_folder))


def _prepare(prepare: Callable, doc, settings):
    from ..errors import InputError, QaBotError

    try:
        return prepare(doc, settings)
    except InputError as e:
        return Failed("input", e.source, e.reason)
    except QaBotError as e:
        return Failed("qa", doc.source, str(e))
    except Exception as e:  # reported by the writer like the serial loop reports it
        return Failed("other", doc.source, str(e), type(e).__name__)


def raise_failed(f: Failed) -> None:
    from ..errors import InputError, QaBotError

    if f.kind == "input":
        raise InputError(f.source, f.message)
    if f.kind == "qa":
        raise QaBotError(f.message)
    raise type(f.type_name or "Exception", (Exception,), {})(f.message)


class Ordered:
    """Entries taken back in the order pushed; ``finish(entry, prepared)`` is called for each, in order."""

    def __init__(self, finish: Callable, prepare: Callable, settings, workers: int = 0,
                 hyperscan_folder: Path | None = None):
        self.finish = finish
        self.prepare = prepare  # a module-level function (workers receive it by reference)
        self.settings = settings
        self.pending: deque = deque()
        self.pool = None
        self.window = 4 * workers
        if workers > 1:
            self.pool = ProcessPoolExecutor(
                max_workers=workers, mp_context=get_context("spawn"), initializer=_init_worker,
                initargs=(str(hyperscan_folder) if hyperscan_folder is not None else None,))

    def push(self, entry, doc=None) -> None:
        """``doc``: a document to prepare (in a worker when there is a pool); None: nothing to prepare."""
        fut = self.pool.submit(_prepare, self.prepare, doc, self.settings) if (self.pool and doc is not None) else None
        self.pending.append((entry, fut))
        while self.pending and (len(self.pending) > self.window or self._ready(self.pending[0][1])):
            self._pop()

    @staticmethod
    def _ready(fut: Future | None) -> bool:
        return fut is None or fut.done()

    def _pop(self) -> None:
        entry, fut = self.pending.popleft()
        self.finish(entry, fut.result() if fut is not None else None)

    def close(self) -> None:
        try:
            while self.pending:
                self._pop()
        finally:
            if self.pool is not None:
                self.pool.shutdown(cancel_futures=True)
                self.pool = None


def plan(folder: Path, files, workers: int | None) -> tuple[int, Path | None]:
    """(workers, Hyperscan cache folder or None) for a batch of ``files`` into the library ``folder``."""
    size = batch_bytes(f for f in files if not isinstance(f, Exception))
    n = default_workers() if workers is None else workers
    if size < PARALLEL_MIN_BYTES and workers is None:
        n = 0
    hs = None
    if citations.hyperscan_available() and (size >= HYPERSCAN_MIN_BYTES or citations.is_cached(folder)):
        hs = Path(folder)
    return n, hs
