"""The public API: a ``Library`` is one index folder (SQLite store + vector and lexical indexes).

    from qa_bot import Library
    lib = Library.open("demo")            # a name under embeddings/, a path, or None for the demo
    lib.ingest(["opinions/"])             # load -> structure -> chunk -> store -> index
    hits = lib.search("qualified immunity", k=5, mode="hybrid")
    answer = lib.ask("What did the court hold about qualified immunity?")
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path
from typing import Iterable, Iterator

from . import offline  # noqa: F401  (sets the offline environment before anything else loads)
from . import demo
from .atomic import replace_folder
from .errors import IndexNotFound, QaBotError
from .ingest.store import DB_NAME, Store
from .paths import is_demo, resolve_index
from .progress import Progress
from .settings import Settings
from .types import Answer, Hit, Opinion


class Library:
    def __init__(self, folder: Path, settings: Settings | None = None):
        self.folder = Path(folder)
        self.settings = settings or Settings.preset()
        self.store = Store(self.folder)
        self._retriever = None
        self._lock = threading.RLock()

    # -- opening ----------------------------------------------------------------------------------
    @classmethod
    def open(cls, index: str | Path | None = None, settings: Settings | None = None, create: bool = False,
             progress: Progress | None = None) -> "Library":
        """Open a library by name or path. The demo library is built on first use; any other missing
        library is an error unless ``create=True``."""
        folder = resolve_index(index)
        exists = (folder / DB_NAME).exists()
        if not exists and is_demo(folder):
            build_demo(folder, settings=settings, progress=progress)
        elif not exists and not create:
            raise IndexNotFound(f"no library at {folder} (create one with: qa-bot ingest PATH --index {index})")
        return cls(folder, settings)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> "Library":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- stages -----------------------------------------------------------------------------------
    def ingest(self, paths: Iterable[str | Path], progress: Progress | None = None, embed: bool = True):
        """Load, structure, chunk and store every opinion found under ``paths``; then bring the lexical
        index (and, with ``embed``, the vector index) up to date. Returns an ``IngestReport``."""
        from .ingest.pipeline import ingest

        with self._lock:
            report = ingest(self.store, paths, self.settings, progress=progress)
            self.sync(progress=progress, embed=embed)
        return report

    def sync(self, progress: Progress | None = None, embed: bool = True) -> None:
        """Bring the search indexes up to date with the store (resumable: only missing ids are added)."""
        self.retriever.sync(progress=progress, embed=embed)

    @property
    def retriever(self):
        if self._retriever is None:
            from .retrieve.search import Retriever

            self._retriever = Retriever(self.folder, self.store, self.settings)
        return self._retriever

    def info(self) -> dict:
        from .ingest.pipeline import library_info

        return library_info(self)

    def search(self, question: str, **options) -> list[Hit]:
        """Options: k, mode (bm25|dense|hybrid), courts, years (lo, hi), case, per_opinion_cap."""
        return self.retriever.search(question, **options)

    def ask(self, question: str, answerer: str | None = None, history: tuple = (), **options) -> Answer:
        from .answer.ask import ask

        return ask(self, question, answerer=answerer, history=history, **options)

    def ask_stream(self, question: str, answerer: str | None = None, history: tuple = (),
                   **options) -> Iterator[str | Answer]:
        """Yields text pieces as they are produced, then the final verified ``Answer``."""
        from .answer.ask import ask_stream

        return ask_stream(self, question, answerer=answerer, history=history, **options)

    def opinion(self, opinion_id: str) -> Opinion:
        return self.store.opinion(opinion_id)


def build_demo(folder: str | os.PathLike, settings: Settings | None = None, progress: Progress | None = None,
               embed: bool = True):
    """Build the demo library (``demo.demo_sources()``) at ``folder``, atomically: it is ingested into a
    fresh library in a temporary folder next to ``folder`` and renamed into place only when complete, so
    a half-built demo is never opened. Returns the ``IngestReport``."""
    folder = Path(folder)
    sources = demo.demo_sources()
    demo.check_sources(sources)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.with_name(f".{folder.name}.building-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        lib = Library(tmp, settings)
        try:
            report = lib.ingest(sources, progress=progress, embed=embed)
        finally:
            lib.close()
        if report.failed:
            raise QaBotError("the bundled demo data did not load: " + "; ".join(report.lines()[:3]))
        if not (folder / DB_NAME).exists():  # else another process finished first: keep its library
            replace_folder(tmp, folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return report
