"""Hybrid retrieval over one library folder: BM25 (``lexical``) + dense vectors (``vectors``), fused
with reciprocal rank fusion, filtered by court / year / case, capped per opinion, optionally reranked
by a cross-encoder.

Indexes are read as one immutable ``Snapshot`` (manifest + BM25 + vectors) that searches share without
a lock. When the manifest changes on disk (a sync, an ingest, a vector checkpoint of a fill running in
the background or in another process), the next search loads a new snapshot - reusing the index it
already holds when only the other one changed - and swaps it in with one assignment; other threads go
on with the snapshot they have meanwhile, so no search waits for a load or for any writer.
``Retriever.sync`` is ``qa_bot.index.sync.sync`` (BM25 first, then the missing vectors).

A library whose vectors are still being built is searched with what is there, and each result says so
(``Hits.retrieval``): hybrid fuses BM25 over every passage with dense search over the embedded ones;
a passage without a vector has no dense rank, so rather than count that as a dense miss (which would push
down exactly what was just uploaded) its dense rank is taken to be its BM25 rank. Measured on the demo
library with its vectors cut to a share of passages (pena_dev, hit@10; BM25 alone 0.609, hybrid with
every vector 0.717): filled in id order (as sync fills them, Pena last) hybrid gives 0.587 from 10% to
90% with or without that rule; filled in random order, at 50% 0.587 without it and 0.630 with it, at
90% 0.717 either way. Dense mode searches the embedded passages only; with no vector at all, dense
and hybrid answer from BM25.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Callable

import numpy as np

from ..cache import LibraryCache
from ..errors import BadQuestion, IndexCorrupt, IndexNotFound
from ..index import manifest as mf
from ..index import sync as index_sync
from ..index.lexical import Lexical
from ..index.snapshot import Snapshot, manifest_key
from ..index.sync import fingerprint, lexical_header  # noqa: F401 (where they were before)
from ..index.vectors import Vectors
from ..ingest.store import Store
from ..settings import Settings, replace_stage
from ..backends.base import Filters
from ..backends.base import fuse as _fuse
from ..types import Hit, Hits, Passage, Retrieval
from . import rank
from .question import Intent, analyse, clean_question

Progress = Callable[[str, int, int], None]
FILTERS = ("courts", "years", "case", "group_by_opinion", "intent")  # search options that are not RetrieveSettings
_NEEDS = {"bm25": ("lexical",), "dense": ("vectors",), "hybrid": ("lexical", "vectors")}
class Retriever:
    """Search over one library. Below the seam (``backends.base.Backend``) is either this module's own
    local code (the snapshot of the folder's bm25s + FAISS indexes, ``index.sync``) or, with ``backend``,
    another backend (Milvus): then candidates, sync, status and term statistics come from it, and the
    validation, filter checks, per-opinion cap and rerank here apply to both."""

    def __init__(self, folder: str | Path, store: Store, settings: Settings | None = None, embedder=None,
                 backend=None, cache: LibraryCache | None = None):
        self.backend = backend  # None: the local folder
        self.folder = Path(folder)
        self.store = store if backend is None else backend.store
        self.settings = settings or Settings.preset()
        self._embedder = embedder
        self.cache = cache or LibraryCache()  # the library's (``Library.cache``): what searches derive from it
        self._snap: Snapshot | None = None
        self._load_lock = threading.Lock()  # one thread loads a changed manifest; the others do not wait
        self._last_query: tuple | None = None  # (question, embedder, vector)

    # -- components ---------------------------------------------------------------------------------
    @property
    def embedder(self):
        """The settings' encoder, or when they name none, the one this library's vectors were embedded
        with (so a library embedded with any encoder is searched, synced and answered from without flags)."""
        if self._embedder is None:
            from dataclasses import replace

            from ..index.embed import Embedder, recorded_encoder

            es = self.settings.embed
            if not es.encoder:
                es = replace(es, encoder=recorded_encoder(mf.recorded_embedding(self.folder, self.backend)))
            self._embedder = Embedder(es)
        return self._embedder

    def _manifest(self) -> dict:
        return mf.load(self.folder)

    def check_store(self, snap: Snapshot | None = None) -> None:
        """``StoreCorrupt`` if the store is not the one the indexes were built from, or went back in time
        (``manifest.check_store``): a replaced or emptied store is never searched as if it were empty."""
        mf.check_store(self.folder, snap.manifest if snap is not None else self._manifest(), self.store)

    def snapshot(self) -> Snapshot:
        """The current indexes, checked against the store. A changed manifest is loaded by one thread
        while the others go on with the snapshot they have (a thread waits only when there is none yet)."""
        snap = self._current()
        self.check_store(snap)
        return snap

    def _current(self) -> Snapshot:
        snap = self._snap
        if snap is not None and not self._changed(snap):
            return snap
        if not self._load_lock.acquire(blocking=snap is None):
            return snap  # another thread is loading the new one
        try:
            if self._snap is not None and not self._changed(self._snap):
                return self._snap
            self._snap = self._read(self._snap)
            return self._snap
        finally:
            self._load_lock.release()

    def _changed(self, snap: Snapshot) -> bool:
        return manifest_key(self.folder) != snap.key

    def _read(self, old: Snapshot | None) -> Snapshot:
        for attempt in range(3):
            key = manifest_key(self.folder)
            m = self._manifest()
            lex, vec, broken = self._load_indexes(m, old)
            if broken and attempt < 2 and manifest_key(self.folder) != key:
                continue  # the manifest moved on while we read it (its old files were cleaned up)
            unembedded = frozenset()  # none, or no vector at all (then hybrid is BM25 alone)
            if lex is not None and vec is not None and 0 < len(vec) < len(lex):
                unembedded = frozenset(np.setdiff1d(lex.ids, vec.ids()).tolist())
            return Snapshot(key, m, lex, vec, unembedded, tuple(broken.items()))
        raise AssertionError("unreachable")

    def _load_indexes(self, m: dict, old: Snapshot | None) -> tuple[Lexical | None, Vectors | None, dict]:
        """The indexes ``m`` names; one the previous snapshot holds unchanged is reused, not reloaded.
        A missing or damaged file is returned as an error for its modes alone: a damaged vector file
        must not stop BM25 searches, nor a damaged BM25 file dense ones."""
        broken: dict = dict(old.broken) if old is not None else {}
        lex = vec = None
        if old is not None and m["lexical"] == old.manifest["lexical"]:
            lex = old.lexical
        else:
            broken.pop("lexical", None)
            try:
                lex = Lexical.load(mf.verified_path(self.folder, m["lexical"], "lexical")) if m["lexical"] else None
            except (IndexNotFound, IndexCorrupt) as e:
                broken["lexical"] = e
        if old is not None and m["vectors"] == old.manifest["vectors"]:
            vec = old.vectors
        else:
            broken.pop("vectors", None)
            try:
                vec = index_sync.load_vectors(self.folder, m["vectors"], self.settings) if m["vectors"] else None
            except (IndexNotFound, IndexCorrupt) as e:
                broken["vectors"] = e
        return lex, vec, broken

    def _load(self) -> tuple[Lexical | None, Vectors | None]:
        snap = self.snapshot()
        return snap.lexical, snap.vectors

    # -- sync ---------------------------------------------------------------------------------------
    def sync(self, progress: Progress | None = None, embed: bool = True, rebuild: bool = False) -> dict:
        """Bring BM25 (first) and, with ``embed``, the vectors up to date with the store. Returns counts."""
        if self.backend is not None:
            return self.backend.sync(self.embedder if embed else None, progress=progress, embed=embed, rebuild=rebuild)
        return index_sync.sync(self.folder, self.store, self.settings, self.embedder if embed else None,
                               progress, embed=embed, rebuild=rebuild)

    # -- search -------------------------------------------------------------------------------------
    def lexical(self) -> Lexical | None:
        """The current BM25 index (None before the first sync, and for another backend)."""
        return self._load()[0] if self.backend is None else None

    def term_stats(self):
        """The library's term statistics for the answerer: the BM25 index here, or the backend's."""
        return self.lexical() if self.backend is None else self.backend.term_stats()

    def status(self) -> dict:
        if self.backend is not None:
            return self.backend.status()
        m = self._manifest()
        mf.check_store(self.folder, m, self.store)
        emb = m.get("embedding") or {}
        return {
            "passages": len(self.store.passage_ids()),
            "bm25": (m["lexical"] or {}).get("count", 0),
            "vectors": (m["vectors"] or {}).get("count", 0),
            "vector_index": (m["vectors"] or {}).get("kind", ""),
            "synthetic_vectors": bool(m["vectors"] and m.get("synthetic")),  # eval/synthetic_vectors.py
            "lexical_index": (m["lexical"] or {}).get("kind", ""),
            "model": emb.get("model", ""),
            "dim": emb.get("dim", 0),
        }

    def courts(self) -> list[tuple[str, str]]:
        return self.store.courts()

    def _allowed(self, courts, years, case) -> np.ndarray | None:
        """Passage ids the filters allow (None: no filter), after checking each filter names something."""
        return self._ids(self._filters(courts, years, case))

    def _ids(self, f: Filters) -> np.ndarray | None:
        """Passage ids ``f`` allows (None: no filter)."""
        if not f:
            return None
        return np.asarray(self.store.passage_ids_where(f.courts, f.years, f.case, f.opinions or None, f.part or None,
                                                       f.author or None), dtype=np.int64)

    def _fused(self, q: str, n: int, mode: str, filters: Filters, weights: dict, rrf_k: int):
        """Fused candidates within ``filters`` through this library's backend, and the search that ran."""
        if self.backend is not None:
            return self.backend.candidates(q, n, mode, filters, self.embedder, rrf_k, weights)
        return self._candidates(q, n, mode, self._ids(filters), weights, rrf_k)

    def _filters(self, courts, years, case) -> Filters:
        """The filters, after checking each names something in this library."""
        if courts:
            known = self.courts()
            names = {c.lower() for pair in known for c in pair if c}
            for c in courts:
                if str(c).strip().lower() not in names:
                    listed = ", ".join(cid or name for cid, name in known) or "none"
                    raise BadQuestion(f"unknown court {c!r}; courts in this library: {listed}")
        span = _year_range(years) if years is not None else None
        if span == (None, None):
            span = None
        if case:
            case = " ".join(str(case).split())
            if not case:
                raise BadQuestion("case filter is empty")
            if not self.store.has_case(case):
                raise BadQuestion(f"case {case!r}: no opinion in this library has that name or citation")
        return Filters(tuple(courts or ()), span, case or "")

    def _candidates(self, q: str, n: int, mode: str, allowed: np.ndarray | None, weights: dict, rrf_k: int):
        """The local backend's fused candidates and the search that ran (fused is None: no passage allowed)."""
        snap = self.snapshot()
        for part, error in snap.broken:
            if part in _NEEDS[mode]:
                raise type(error)(str(error))
        lex, vec = snap.lexical, snap.vectors
        if lex is None and vec is None:
            if not (self.folder / mf.NAME).exists() and any(self.folder.glob("lexical.*.npz")):
                raise IndexNotFound(f"{self.folder / mf.NAME}: missing, though index files are beside it; "
                                    f"run qa-bot sync --index {self.folder} to rebuild the indexes from the store")
            raise IndexNotFound(f"{self.folder}: no search index yet; run qa-bot sync --index {self.folder}")
        used = _mode_used(mode, lex, vec)
        info = Retrieval(requested=mode, used=used, passages=snap.passages, embedded=snap.embedded,
                         synthetic=snap.synthetic)
        if allowed is not None and not len(allowed):
            return None, info
        ranked: dict[str, list[tuple[int, float]]] = {}
        if used in ("bm25", "hybrid") and lex is not None:
            ranked["bm25"] = lex.search(q, n, lex.mask(allowed) if allowed is not None else None)
        if used in ("dense", "hybrid"):
            mf.check_embedding(self.folder, snap.manifest.get("embedding"), self.embedder)
            ranked["dense"] = vec.search(self._query_vector(q), n, allowed)
        return _fuse(ranked, rrf_k, weights, used, snap.unembedded), info

    def _query_vector(self, q: str) -> np.ndarray:
        """The question's vector, kept for the next call with the same question (a search that also
        searches the opinions the question names embeds it once)."""
        last = self._last_query
        if last is not None and last[0] == q and last[1] is self.embedder:
            return last[2]
        qv = self.embedder.encode_queries([q])[0]
        self._last_query = (q, self.embedder, qv)
        return qv

    def intent(self, question: str) -> Intent:
        """What ``question`` asks for, against this library's case names and courts (cached until the
        store is written to again)."""
        ident = getattr(self.store, "identity", None)  # the local store counts its writes; a remote one its opinions
        key = ident()["generation"] if ident is not None else sum(1 for _ in self.store.opinions())

        def names() -> tuple:
            return (tuple((oid, meta.case_name) for oid, meta, _ in self.store.opinions() if meta.case_name),
                    tuple(self.store.courts()))

        case_names, courts = self.cache.get("retrieve.names", names, key=key)  # the library's LibraryCache
        return analyse(question, case_names, courts)

    def search(self, question: str, k: int | None = None, mode: str | None = None, courts=(), years=None,
               case: str | None = None, per_opinion_cap: int | None = None,
               group_by_opinion: bool = False, intent: Intent | None = None, **settings) -> Hits:
        """The best passages, best first, as ``Hits`` (a list) whose ``retrieval`` says which search ran:
        with no vector yet, dense and hybrid answer from BM25; with some, over the embedded part.
        ``intent``: what the question asks for, when the caller knows better than the question's own
        words (a follow-up in a conversation); else it is read from ``question``. ``settings``: any other
        ``RetrieveSettings`` field for this search only (candidates, rrf_k, ...); every option is validated
        by ``RetrieveSettings`` itself."""
        given = {"k": k, "mode": mode.strip().lower() if isinstance(mode, str) else mode,
                 "per_opinion_cap": per_opinion_cap}
        rs = replace_stage(self.settings.retrieve, {**settings, **{n: v for n, v in given.items() if v is not None}},
                           "search option", FILTERS)
        q = clean_question(question, rs.max_question_chars)
        k, mode, cap = rs.k, rs.mode, rs.per_opinion_cap
        if isinstance(courts, str):
            courts = [courts]
        courts = [c for c in courts if str(c).strip()]
        n = max(rs.candidates, k * (4 if cap else 1))
        weights = {"bm25": rs.bm25_weight, "dense": rs.dense_weight}
        filters = self._filters(courts, years, case)
        intent = intent if intent is not None else self.intent(q)
        named = intent.opinions if rs.route_named else frozenset()
        fused, info = self._fused(q, n, mode, filters, weights, rs.rrf_k)
        if fused is None:
            return Hits([], info)
        focus: set[int] = set()
        for narrowed in rank.focus_filters(filters, intent, named):  # what the question names, whether or not
            own, _ = self._fused(q, n, mode, narrowed, weights, rs.rrf_k)  # it made the library-wide list
            if own:
                focus = {f[0] for f in own}
                fused = own + [f for f in fused if f[0] not in focus]
                break
        passages = {p.id: p for p in self.store.passages([pid for pid, _, _ in fused])}
        fused = [f for f in fused if f[0] in passages]  # the store moved on since the last sync
        if rs.opinion_weight:  # a passage's context: the evidence of its opinion
            fused = rank.context(fused, passages, rs.opinion_weight)
        if rs.prefer_roles:
            fused = rank.prefer(fused, passages, self.store.passage_roles(passages), intent)
        if rs.reranker:  # a cross-encoder reads question and passage together: it has the last word
            fused = self._rerank(q, fused, passages, max(k * 3, 30), rs.reranker)
        fused = rank.route(fused, passages, named, focus)
        # The cap keeps one long opinion from filling the top k while other opinions have candidates;
        # when they run out (a one-opinion library, a --case filter), the capped passages fill the rest.
        # An opinion the question names is not capped: it is what was asked about.
        hits, skipped, per_op = [], [], {}
        for pid, score, details in fused:
            p = passages[pid]
            if cap and p.opinion_id not in named and per_op.get(p.opinion_id, 0) >= cap:
                skipped.append((p, score, details))
                continue
            per_op[p.opinion_id] = per_op.get(p.opinion_id, 0) + 1
            hits.append((p, score, details))
            if len(hits) >= k:
                break
        hits += skipped[: k - len(hits)]
        if group_by_opinion:
            first = {}
            for i, (p, _, _) in enumerate(hits):
                first.setdefault(p.opinion_id, i)
            hits.sort(key=lambda h: first[h[0].opinion_id])
        return Hits([Hit(passage=p, score=s, rank=i + 1, scores=d) for i, (p, s, d) in enumerate(hits)], info)

    def similarity(self, question: str, passage_ids) -> dict[int, float]:
        """Cosine of the question with these passages' stored vectors (the question alone is embedded);
        {} when the library has no vectors yet. For answers in BM25 mode."""
        if self.backend is not None:  # a remote index: its stored vectors are not read here
            return {}
        vec = self.snapshot().vectors
        if vec is None or not len(vec):
            return {}
        ids = np.intersect1d(np.asarray(list(passage_ids), dtype=np.int64), vec.ids())
        if not len(ids):
            return {}
        mf.check_embedding(self.folder, self.snapshot().manifest.get("embedding"), self.embedder)
        qv = self._query_vector(clean_question(question, self.settings.retrieve.max_question_chars))
        return dict(zip(ids.tolist(), (vec.vectors_of(ids) @ qv).astype(float).tolist()))

    def _rerank(self, q: str, fused: list, passages: dict[int, Passage], depth: int, name: str) -> list:
        from ..index.embed import load_cross_encoder  # loaded once per process and name

        head, tail = fused[:depth], fused[depth:]
        if not head:
            return fused
        scores = load_cross_encoder(name).predict([(q, passages[pid].text) for pid, _, _ in head], show_progress_bar=False)
        scores = np.asarray(scores, dtype=np.float32).reshape(len(head), -1)[:, -1]
        out = []
        for (pid, _, d), s in zip(head, scores.tolist()):
            out.append((pid, float(s), {**d, "rerank": float(s)}))
        out.sort(key=lambda x: -x[1])
        return out + tail


def _year_range(years) -> tuple[int | None, int | None]:
    if isinstance(years, str):
        m = re.fullmatch(r"\s*(\d{1,4})?\s*[-–:]\s*(\d{1,4})?\s*|\s*(\d{1,4})\s*", years)
        if not m:
            raise BadQuestion(f"years {years!r}: expected a range like 1960-1980 (or 1960- / -1980 / 1975)")
        if m.group(3):
            years = (int(m.group(3)), int(m.group(3)))
        else:
            years = (int(m.group(1)) if m.group(1) else None, int(m.group(2)) if m.group(2) else None)
    if isinstance(years, int) and not isinstance(years, bool):
        years = (years, years)
    try:
        lo, hi = years
    except (TypeError, ValueError):
        raise BadQuestion(f"years {years!r}: expected (from, to), e.g. (1960, 1980)") from None
    for y in (lo, hi):
        if y is not None and (isinstance(y, bool) or not isinstance(y, (int, np.integer)) or not 1600 <= y <= 2100):
            raise BadQuestion(f"years {years!r}: each year must be a whole number from 1600 to 2100")
    if lo is not None and hi is not None and lo > hi:
        raise BadQuestion(f"years {lo}-{hi}: the first year is after the last")
    return lo, hi


def _mode_used(mode: str, lex: Lexical | None, vec: Vectors | None) -> str:
    """The search that can run: dense parts need a vector, BM25 parts a lexical index."""
    has_vec = vec is not None and len(vec) > 0
    has_lex = lex is not None
    if mode == "bm25":
        if not has_lex:
            raise IndexNotFound("no BM25 index yet; run qa-bot sync")
        return "bm25"
    if not has_vec:
        return "bm25"
    if mode == "hybrid" and not has_lex:
        return "dense"
    return mode
