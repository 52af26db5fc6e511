"""The public API: a ``Library`` is one index folder (SQLite store + vector and lexical indexes).

    from qa_bot import Library
    lib = Library.open("demo")            # a name under embeddings/, a path, or None for the demo
    lib.ingest(["opinions/"])             # load -> structure -> chunk -> store -> index
    hits = lib.search("qualified immunity", k=5, mode="hybrid")
    answer = lib.ask("What did the court hold about qualified immunity?")

A library answers from BM25 as soon as its opinions are stored; vectors can fill in behind
(``ingest(..., embed="background")``, ``embed_in_background()``), and every search says which mode it
actually used (``Hits.retrieval``, ``Answer.retrieval``). Concurrency: any number of threads may search
and ask while one writer (an ingest, a sync, the background fill) works; see ``qa_bot.index.writer``.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Iterable, Iterator

from . import offline  # noqa: F401  (sets the offline environment before anything else loads)
from . import demo
from .cache import LibraryCache
from .errors import IndexNotFound, QaBotError
from .ingest.store import DB_NAME, Store
from .paths import is_demo, resolve_index
from .progress import Progress
from .settings import Settings, stage_fields
from .types import Answer, Hit, Meta, Opinion


DEMO_BUILT = "demo_built"  # store meta key: "1" once the demo's build finished
PUBLISH_SECONDS = 5.0  # an ingest publishes BM25 over what it has stored at least this far apart
GROWING_PUBLISH_SECONDS = 30.0  # ... and, into a library that already answers, not before this


class Library:
    """One library: a local folder, or (``backend``) a library in Milvus (``backends.milvus``)."""

    def __init__(self, folder: Path, settings: Settings | None = None, backend=None):
        self.folder = Path(folder)  # the library itself; for a Milvus library, where its uploads go
        self.settings = settings or Settings.preset()
        self.backend = backend  # None: the local folder
        self.store = Store(self.folder) if backend is None else backend.store
        self._retriever = None
        self.cache = LibraryCache()  # what answers derive from the whole library; cleared by every write
        self._lock = threading.Lock()  # guards creating the retriever and the background worker
        self._background = None
        self._build: dict | None = None  # the demo build's progress while it runs in the background

    # -- opening ----------------------------------------------------------------------------------
    @classmethod
    def open(cls, index: str | Path | None = None, settings: Settings | None = None, create: bool = False,
             progress: Progress | None = None, wait: bool = True) -> "Library":
        """Open a library by name or path; any other missing library than the demo is an error unless
        ``create=True``. The demo library is built on first use, in place (``build_demo``): stored and
        BM25-indexed, which is all an answer needs (its vectors fill in later, behind the chat or with
        ``qa-bot sync``). ``wait=False`` returns at once while it builds in a background thread (the
        chat's first run): searches see the opinions stored so far, ``index_status()`` the progress.
        ``milvus://host:19530/NAME`` and ``milvus-lite:///path/to/library.db`` open a library in Milvus
        (``backends.uri``)."""
        from .backends.uri import is_uri

        if is_uri(index):
            return cls._open_milvus(str(index), settings, create)
        folder = resolve_index(index)
        if not (folder / DB_NAME).exists() and not create and not is_demo(folder):
            if (folder / "manifest.json").exists():
                raise IndexNotFound(f"{folder / DB_NAME} is missing, though search indexes are beside it: restore it "
                                    "from a backup (the indexes hold no text to rebuild it from)")
            raise IndexNotFound(f"no library at {folder} (create one with: qa-bot ingest PATH --index {index})")
        lib = cls(folder, settings if settings is not None else index_settings(folder))
        if is_demo(folder) and lib.store.get_meta(DEMO_BUILT) != "1":  # new, or a build cut short
            try:
                lib.build_demo(progress=progress, wait=wait)
            except BaseException:
                lib.close()
                raise
        return lib

    @classmethod
    def _open_milvus(cls, index: str, settings: Settings | None, create: bool) -> "Library":
        from .backends.milvus import MilvusBackend
        from .backends.uri import parse

        uri = parse(index)
        settings = settings or Settings.preset()

        def dim() -> int:  # known only once the first passages arrive: the model loads then, not before
            from .index.embed import Embedder

            return Embedder(settings.embed).dim

        backend = MilvusBackend(uri, dim=dim, create=create, index=settings.index)
        return cls(backend.folder, settings, backend=backend)

    def close(self) -> None:
        if self._background is not None:
            self._background.stop()
        (self.backend or self.store).close()

    def build_demo(self, progress: Progress | None = None, wait: bool = True):
        """Ingest the bundled demo (``demo.demo_sources()``) into this library, in place. Every opinion
        is one transaction and BM25 is published as the opinions come in, so a build cut short leaves a
        consistent library holding part of the demo; it is marked complete (store meta ``demo_built``)
        only at the end, and ``Library.open`` finishes an unmarked one (already stored files are
        skipped by their hash). Returns the ``IngestReport`` (None with ``wait=False``)."""
        sources = demo.demo_sources()
        demo.check_sources(sources)
        build = self._build = {"state": "building", "done": 0, "total": 0, "error": ""}

        def track(stage: str, done: int, total: int) -> None:
            if stage == "ingest":
                build["done"], build["total"] = done, total
            if progress:
                progress(stage, done, total)

        def run():
            report = self.ingest(sources, progress=track, embed=False)
            if report.failed:
                raise QaBotError("the bundled demo data did not load: " + "; ".join(report.lines()[:3]))
            self.store.set_meta(DEMO_BUILT, "1")
            build["state"] = "complete"
            return report

        if wait:
            return run()

        def run_logged():
            try:
                run()
            except Exception as e:  # noqa: BLE001 - shown in the chat's status line
                build.update(state="error", error=str(e))

        threading.Thread(target=run_logged, name="qa-bot-demo-build", daemon=True).start()
        return None

    def __enter__(self) -> "Library":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- stages -----------------------------------------------------------------------------------
    def ingest(self, paths: Iterable[str | Path], progress: Progress | None = None, embed: bool | str = True):
        """Load, structure, chunk and store every opinion found under ``paths``, and bring BM25 up to date
        (searchable from here on); then the vectors: ``embed=True`` embeds the new passages now, in this
        thread; ``"background"`` leaves them to the background worker (started if need be) and returns;
        ``False`` leaves them to a later ``sync``. Returns an ``IngestReport``."""
        from .index import sync as index_sync
        from .index.writer import writer_lock
        from .ingest.pipeline import ingest

        if embed not in (True, False, "background"):
            raise QaBotError(f"embed must be True, False or 'background', not {embed!r}")
        if self.backend is not None:  # Milvus: one writer by contract; vectors now, or with sync
            report = ingest(self.store, paths, self.settings, progress=progress)
            self.sync(progress=progress, embed=bool(embed))
            return report
        from .index import manifest as mf

        with writer_lock(self.folder, on_wait=_waiting(progress)):
            self.retriever.check_store()  # never add to a store that is not the one the indexes belong to
            mf.check_chunk(self.folder, mf.load(self.folder).get("chunk"), self.settings.chunk)
            report = ingest(self.store, paths, self.settings, progress=self._publishing(progress))
            index_sync.prepare(self.folder, self.store, self.settings, progress)
        self.cache.clear()
        if embed == "background":
            self.embed_in_background()
        elif embed:
            index_sync.fill_vectors(self.folder, self.store, self.settings, self.retriever.embedder, progress)
        return report

    def _publishing(self, progress: Progress | None) -> Progress:
        """The ingest's progress callback, which also publishes BM25 over the opinions stored so far,
        so a library answers from what is parsed while the rest is still coming in: a new library
        after its first file, one that already answers after ``GROWING_PUBLISH_SECONDS`` (a short
        upload is published once, at its end); then every ``PUBLISH_SECONDS``, or ten times what the
        last publish took, so a large library spends at most ~10% of its ingest on it. Runs under the
        ingest's writer lock."""
        from .index import manifest as mf
        from .index import sync as index_sync

        start = time.monotonic()
        first = 0.0 if mf.load(self.folder)["lexical"] is None else GROWING_PUBLISH_SECONDS
        last, cost = [float("-inf")], [0.0]

        def cb(stage: str, done: int, total: int) -> None:
            now = time.monotonic()
            if (stage == "ingest" and done < total and now - start >= first
                    and now - last[0] >= max(PUBLISH_SECONDS, 10 * cost[0])):
                index_sync.prepare(self.folder, self.store, self.settings)
                last[0] = time.monotonic()
                cost[0] = last[0] - now
            if progress:
                progress(stage, done, total)

        return cb

    def sync(self, progress: Progress | None = None, embed: bool = True, rebuild: bool = False) -> dict:
        """Bring the search indexes up to date with the store (resumable: only missing ids are added)."""
        try:
            return self.retriever.sync(progress=progress, embed=embed, rebuild=rebuild)
        finally:
            self.cache.clear()

    @property
    def retriever(self):
        if self._retriever is None:
            from .retrieve.search import Retriever

            with self._lock:
                if self._retriever is None:
                    self._retriever = Retriever(self.folder, self.store, self.settings, backend=self.backend,
                                                cache=self.cache)
        return self._retriever

    def embed_in_background(self, **options):
        """Start (or wake) the worker that fills in missing vectors behind searches; returns it (None for a
        Milvus library: its vectors are filled by ``sync`` or a Ray ingest).
        ``options`` go to ``qa_bot.index.background.Background`` (checkpoint_seconds, chunk, ...)."""
        from .index.background import Background

        if self.backend is not None:
            return None  # a Milvus library's vectors are filled by qa-bot sync or ingest --engine ray
        with self._lock:
            if self._background is None:
                self._background = Background(self.folder, self.store, self.settings,
                                              lambda: self.retriever.embedder, **options)
            worker = self._background
        return worker.start()

    # -- managing what the library holds ---------------------------------------------------------
    def find(self, ref: str) -> str:
        """The id of the one opinion ``ref`` names: its id (or its first 6+ characters), its citation, its
        case name or a part of it (``ingest.metadata.match_opinion``)."""
        from .ingest.metadata import match_opinion

        return match_opinion(self.store.opinions(), ref)

    def remove(self, refs: Iterable[str], progress: Progress | None = None) -> list[tuple[str, str, int]]:
        """Remove opinions (``find`` references, all resolved before anything is removed) with their
        passages, which leave BM25 and the vectors in the same call; their files may be ingested again.
        Returns (id, label, passages removed) for each."""
        from .index import sync as index_sync
        from .index.writer import writer_lock
        from .ingest.metadata import label

        out = []
        with writer_lock(self.folder, on_wait=_waiting(progress)):
            self.retriever.check_store()
            metas = {oid: m for oid, m, _ in self.store.opinions()}
            for oid in dict.fromkeys(self.find(r) for r in refs):
                with self.store.transaction():
                    removed = self.store.remove_opinion(oid)
                    self.store.forget_files(oid)
                out.append((oid, label(metas[oid], oid), len(removed)))
            index_sync.prepare(self.folder, self.store, self.settings, progress)
        self.cache.clear()
        return out

    def edit(self, ref: str, case_name: str | None = None, citation: str | None = None, court: str | None = None,
             year: int | str | None = None) -> tuple[str, Meta]:
        """Correct an opinion's case name, citation, court (courts-db id, abbreviation or name) or year;
        every later cite and search uses the new values. Returns (id, the new metadata)."""
        from .index import sync as index_sync
        from .index.writer import writer_lock
        from .ingest.metadata import edited

        with writer_lock(self.folder):
            self.retriever.check_store()
            oid = self.find(ref)
            meta = edited(next(m for o, m, _ in self.store.opinions() if o == oid), case_name, citation, court, year)
            with self.store.transaction():
                self.store.update_meta(oid, meta)
            # BM25 indexes the case name and court beside each passage: those passages are indexed again
            index_sync.prepare(self.folder, self.store, self.settings, reheader=self.store.opinion_passage_ids(oid))
        self.cache.clear()
        return oid, meta

    def index_status(self) -> dict:
        """What the chat's status line shows: passages, how many have BM25 entries and vectors, and the
        background worker's state, rate and ETA while it fills them in."""
        out = {"passages": len(self.store.passage_ids()), "bm25": 0, "vectors": 0, "state": "idle",
               "embedding_done": 0, "embedding_total": 0, "rate": None, "eta_seconds": None, "error": ""}
        try:
            if self.backend is not None:
                st = self.backend.status()
                out["bm25"], out["vectors"] = st["bm25"], st["vectors"]
            else:
                snap = self.retriever.snapshot()
                out["bm25"] = len(snap.lexical) if snap.lexical is not None else 0
                out["vectors"] = snap.embedded
                out["synthetic_vectors"] = snap.synthetic
        except QaBotError as e:
            out["error"] = str(e)
        if self._background is not None:
            out.update({k: v for k, v in self._background.status().items() if v or k != "error"})
        if self._build is not None and self._build["state"] != "complete":
            out["building"] = dict(self._build)
        return out

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


def index_settings(folder: Path) -> Settings:
    """The default settings, with the chunk settings the library's passages were cut with and the
    embedding model (its prompts, its encoder) its vectors were built with: a library synced with
    ``--model X`` or ``--encoder onnx-int8`` is searched that way without being told again."""
    from .index import manifest
    from .index.embed import model_identity

    settings = Settings.preset()
    try:
        m = manifest.load(folder)
    except QaBotError:  # a damaged manifest: searches say so, and qa-bot sync rebuilds it
        return settings
    if m.get("chunk"):  # cut new opinions as the library's passages were cut
        settings = settings.with_(chunk={k: v for k, v in m["chunk"].items() if k in stage_fields("chunk")})
    recorded = m.get("embedding") or {}
    if recorded.get("model") and recorded.get("identity") != model_identity(settings.embed.model):
        settings = settings.with_(embed={"model": recorded["model"], "normalize": recorded.get("normalize", True),
                                         "query_prompt": recorded.get("query_prompt", ""),
                                         "document_prompt": recorded.get("document_prompt", "")})
    if recorded.get("encoder") and recorded["encoder"] != settings.embed.encoder:
        settings = settings.with_(embed={"encoder": recorded["encoder"]})
    return settings


def _waiting(progress: Progress | None):
    """Tell the user (through the progress callback) why an ingest has not started yet."""
    if progress is None:
        return None
    return lambda: progress("waiting for another writer", 0, 1)


def build_demo(folder: str | os.PathLike, settings: Settings | None = None, progress: Progress | None = None,
               embed: bool = True):
    """Build the demo library at ``folder`` (see ``Library.build_demo``), then with ``embed`` its
    vectors; returns the ``IngestReport``."""
    with Library(Path(folder), settings) as lib:
        report = lib.build_demo(progress=progress)
        if embed:
            lib.sync(progress=progress)
    return report
