"""Bringing a library's search indexes up to date with its store, in the foreground or behind the chat.

``sync`` = ``prepare`` then ``fill_vectors``:

- ``prepare`` (seconds, under the writer lock): fingerprints every stored passage (crc32 of opinion id +
  text, so an id SQLite reuses for new text is caught), drops stale ids from the vectors, and rebuilds
  BM25 for new or changed passages. From then on the library answers from BM25.
- ``fill_vectors`` (minutes): embeds the passages the vectors lack **outside** the writer lock, and every
  ``checkpoint_seconds`` (and at the end, and when stopped or interrupted) *commits* them under the lock:
  the manifest is read afresh, the vectors it names are taken (or reloaded if another writer changed
  them meanwhile), each new vector is kept only if its passage still holds the text that was embedded
  (fingerprint), and the vector file and the manifest are saved atomically. An interrupted fill
  resumes by missing ids; at most one checkpoint's work is lost. Searches take the vectors as each
  commit lands (they re-read the manifest when it changes).

So a writer (an upload's ingest, a ``qa-bot ingest`` in a terminal) waits at most for one commit of a
fill running elsewhere, and readers never wait for any of them (``qa_bot.index.writer``).

BM25 indexes each passage with a contextual header (``lexical_header``: case name, court, section path)
in a field of its own; the embedded text is the passage alone (``doc_text``). A lexical index of an
older ``lexical.KIND`` is rebuilt from the store by the next prepare (vectors untouched).
"""

from __future__ import annotations

import threading
import time
import zlib
from dataclasses import asdict
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from ..errors import QaBotError
from ..ingest.store import Store
from ..settings import Settings
from ..types import Passage
from . import manifest as mf
from .lexical import KIND as LEXICAL_KIND, Lexical
from .vectors import Vectors
from .writer import WriterBusy, writer_lock

Progress = Callable[[str, int, int], None]
CHECKPOINT_SECONDS = 60.0
EMBED_CHUNK = 1024  # passages per embedding round (progress, stop and checkpoint granularity)


def fingerprint(opinion_id: str, text: str) -> int:
    return zlib.crc32(text.encode("utf-8"), zlib.crc32(opinion_id.encode("utf-8")))


def doc_text(p: Passage) -> str:
    """What is embedded: the passage alone (a header here would change every stored vector)."""
    return p.text


def lexical_header(p: Passage) -> str:
    """The contextual header BM25 indexes beside the passage (its own field): case name, court, section."""
    return " ".join(x for x in (p.case_name, p.court, p.section) if x)


def store_fingerprints(store: Store) -> tuple[np.ndarray, np.ndarray]:
    rows = list(store.passage_owners())
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    fps = np.fromiter((fingerprint(r[1], r[2]) for r in rows), dtype=np.int64, count=len(rows))
    return ids, fps


def load_vectors(folder: Path, entry: dict, settings: Settings) -> Vectors:
    return Vectors.load(mf.verified_path(folder, entry, "vector"), entry["kind"], settings.index,
                        entry.get("deleted", ()))


def save_vectors(folder: Path, m: dict, vec: Vectors) -> None:
    """Write ``vec`` as a new generation, point the manifest ``m`` at it (saved), drop older files."""
    name = mf.next_file(folder, "vectors", ".faiss", m["vectors"])
    vec.save(folder / name)
    m["vectors"] = {"file": name, "kind": vec.kind, "count": len(vec), "sha256": mf.sha256_file(folder / name),
                    "ids": mf.ranges(vec.ids()), "deleted": sorted(vec.deleted)}
    mf.save(folder, m)
    mf.cleanup(folder, "vectors", ".faiss", name)


def _load_for_sync(folder: Path, m: dict, settings: Settings) -> tuple[Lexical | None, Vectors | None]:
    """Indexes for prepare: a damaged or missing file is rebuilt instead of failing."""
    lex = vec = None
    if m["lexical"] and m["lexical"].get("kind") != LEXICAL_KIND:
        m["lexical"] = None  # another tokenisation, header or BM25 parameters: rebuild it whole
    try:
        if m["lexical"]:
            lex = Lexical.load(mf.verified_path(folder, m["lexical"], "lexical"))
    except QaBotError:
        m["lexical"] = None
    try:
        if m["vectors"]:
            vec = load_vectors(folder, m["vectors"], settings)
    except QaBotError:
        m["vectors"] = None
    return lex, vec


def prepare(folder: Path, store: Store, settings: Settings, progress: Progress | None = None,
            rebuild: bool = False, reheader: Iterable[int] = ()) -> dict:
    """Sentence roles for opinions stored without them (or by another tagger version), stale ids out of
    the vectors, BM25 up to date with the store (under the writer lock). Counts. ``reheader``: passages
    whose header (case name, court) changed but not their text (``Library.edit``): indexed again in
    BM25, their vectors kept."""
    from ..ingest.roles import retag

    folder = Path(folder)
    with writer_lock(folder):
        mf.remove_stale_temps(folder)  # left by a process killed mid-save: nobody else is writing now
        try:
            m = mf.load(folder)
        except QaBotError:
            if not rebuild:
                raise
            m = mf.empty()  # damaged or of another version: --rebuild replaces it
        if not rebuild:
            mf.check_store(folder, m, store)  # never make a lost or replaced store's loss permanent
        tagged = retag(store)
        recorded, m["store"] = m.get("store"), store.identity()
        if rebuild and m["vectors"]:
            m["vectors"] = m["embedding"] = None
            m.pop("synthetic", None)  # benchmark vectors (eval/synthetic_vectors.py) go with them
            mf.save(folder, m)  # dropped at once: searches go on from BM25 while the new vectors fill in
        old_lexical = m["lexical"]  # its generation number is kept even when it is rebuilt whole
        had_vectors = m["vectors"] is not None
        lex, vec = _load_for_sync(folder, m, settings)
        if had_vectors and vec is None:
            mf.save(folder, m)  # a damaged or missing vector file is dropped: the fill embeds it all again
        ids, fps = store_fingerprints(store)
        current = dict(zip(ids.tolist(), fps.tolist()))
        lex = Lexical() if lex is None else lex
        old = dict(zip(lex.ids.tolist(), lex.fps.tolist()))
        stale = [i for i, fp in old.items() if current.get(i) != fp]
        # Vectors with stale ids go first: if we stop after this, the next sync still sees them stale.
        if vec is not None:
            gone = set(stale) | (set(vec.ids().tolist()) - set(current))
            if gone and vec.remove(gone):
                save_vectors(folder, m, vec)
        stale_set = set(stale) | (set(reheader) & set(old))
        new = [i for i in ids.tolist() if i not in old or i in stale_set]
        if stale or new or m["lexical"] is None:
            lex.remove(stale_set)
            for lo in range(0, len(new), 5000):
                batch = store.passages(new[lo : lo + 5000])
                lex.add([p.id for p in batch], [p.text for p in batch], [current[p.id] for p in batch],
                        [lexical_header(p) for p in batch])
                if progress:
                    progress("bm25", min(lo + 5000, len(new)), len(new))
            lex.build()
            name = mf.next_file(folder, "lexical", ".npz", m["lexical"] or old_lexical)
            lex.save(folder / name)
            m["lexical"] = {"file": name, "kind": LEXICAL_KIND, "count": len(lex),
                            "sha256": mf.sha256_file(folder / name), "ids": mf.ranges(lex.ids)}
            m["chunk"] = asdict(settings.chunk)
            mf.save(folder, m)
            mf.cleanup(folder, "lexical", ".npz", name)
        elif recorded != m["store"]:
            mf.save(folder, m)  # record the store's id (first time) and its current generation
        return {"bm25": len(lex), "bm25_added": len(new), "removed": len(stale), "roles_tagged": tagged}


def missing_vectors(folder: Path, store: Store) -> list[int]:
    """Stored passage ids the committed vectors lack, in id order (the order they are filled in)."""
    m = mf.load(folder)
    have = mf.expand(m["vectors"]["ids"]) if m["vectors"] else np.zeros(0, dtype=np.int64)
    ids = np.asarray(store.passage_ids(), dtype=np.int64)
    return ids[~np.isin(ids, have)].tolist()


class _Stopped(Exception):
    """Raised from the encoder's progress callback when a fill is asked to stop."""


class _Committer:
    """Holds what a fill embedded but has not saved yet, and the vectors it saved last."""

    def __init__(self, folder: Path, store: Store, settings: Settings, embedder):
        self.folder, self.store, self.settings, self.embedder = folder, store, settings, embedder
        self.ids: list[int] = []
        self.fps: list[int] = []
        self.vecs: list[np.ndarray] = []
        self.entry: dict | None = None  # the manifest's vectors entry this fill wrote last
        self.vec: Vectors | None = None  # ... and the index it describes
        self.added = 0

    def __len__(self) -> int:
        return len(self.ids)

    def add(self, batch: list[Passage], vectors: np.ndarray) -> None:
        self.ids += [p.id for p in batch]
        self.fps += [fingerprint(p.opinion_id, doc_text(p)) for p in batch]
        self.vecs.append(np.asarray(vectors, dtype=np.float32))

    def commit(self, blocking: bool) -> bool:
        """Save the pending vectors (under the writer lock). False if ``blocking=False`` and it is busy."""
        if not self.ids:
            return True
        try:
            with writer_lock(self.folder, blocking=blocking):
                self._commit()
        except WriterBusy:
            return False
        return True

    def _commit(self) -> None:
        m = mf.load(self.folder)
        mf.check_store(self.folder, m, self.store)  # the store was replaced while we embedded: keep nothing
        mf.check_embedding(self.folder, m["embedding"] if m["vectors"] else None, self.embedder)
        if m["vectors"] and self.vec is not None and m["vectors"] == self.entry:
            vec = self.vec  # nobody else wrote vectors since our last commit
        else:
            try:
                vec = load_vectors(self.folder, m["vectors"], self.settings) if m["vectors"] else None
            except QaBotError:
                vec = None  # damaged: start again (prepare would rebuild it the same way)
            vec = vec or Vectors(self.embedder.dim, self.settings.index)
        ids = np.asarray(self.ids, dtype=np.int64)
        vecs = np.concatenate(self.vecs) if self.vecs else np.zeros((0, vec.dim), np.float32)
        now = {p.id: fingerprint(p.opinion_id, doc_text(p)) for p in self.store.passages(ids.tolist())}
        keep = np.array([now.get(i) == fp for i, fp in zip(self.ids, self.fps)], dtype=bool)
        keep &= ~np.isin(ids, vec.ids())
        _, first = np.unique(ids, return_index=True)  # an id embedded twice (re-read after a change): once
        keep &= np.isin(np.arange(len(ids)), first)
        vec.add(ids[keep], vecs[keep])
        m["embedding"] = mf.embedding_entry(self.embedder)
        save_vectors(self.folder, m, vec)
        self.entry, self.vec = m["vectors"], vec
        self.added += int(keep.sum())
        self.ids, self.fps, self.vecs = [], [], []


def fill_vectors(folder: Path, store: Store, settings: Settings, embedder, progress: Progress | None = None,
                 checkpoint_seconds: float = CHECKPOINT_SECONDS, chunk: int = EMBED_CHUNK,
                 stop: threading.Event | None = None, on_commit: Callable[[int], None] | None = None) -> int:
    """Embed every stored passage the vectors lack (see the module docstring); returns how many were
    added. ``stop`` ends it early (after committing what is done); ``on_commit(added)`` after each commit."""
    folder = Path(folder)
    m = mf.load(folder)
    mf.check_embedding(folder, m["embedding"] if m["vectors"] else None, embedder)
    missing = missing_vectors(folder, store)
    total = len(missing)
    if not total:
        return 0
    pending = _Committer(folder, store, settings, embedder)
    done, last = 0, time.monotonic()
    if progress:
        progress("embed", 0, total)
    try:
        for lo in range(0, total, chunk):
            if stop is not None and stop.is_set():
                break
            batch = store.passages(missing[lo : lo + chunk])

            def chunk_progress(stage: str, d: int, t: int, base=done) -> None:
                if stop is not None and stop.is_set():
                    raise _Stopped  # between the encoder's batches: a stop does not wait for the chunk
                if progress:
                    progress("embed", base + d, total)

            try:
                vectors = embedder.encode_documents([doc_text(p) for p in batch], chunk_progress)
            except _Stopped:
                break
            pending.add(batch, vectors)
            done += len(missing[lo : lo + chunk])
            if time.monotonic() - last >= checkpoint_seconds and done < total:
                if pending.commit(blocking=False):  # another writer busy: keep embedding, commit later
                    last = time.monotonic()
                    if on_commit:
                        on_commit(pending.added)
    finally:
        pending.commit(blocking=True)  # the end, a stop, or an interrupt: keep what was embedded
    if on_commit:
        on_commit(pending.added)
    return pending.added


def sync(folder: Path, store: Store, settings: Settings, embedder=None, progress: Progress | None = None,
         embed: bool = True, rebuild: bool = False) -> dict:
    """``prepare`` then, with ``embed``, ``fill_vectors`` in this thread. Returns counts."""
    out = prepare(folder, store, settings, progress, rebuild=rebuild)
    out["vectors_added"] = fill_vectors(folder, store, settings, embedder, progress) if embed else 0
    return out
