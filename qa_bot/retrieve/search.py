"""Hybrid retrieval over one library folder: BM25 (``lexical``) + dense vectors (``vectors``), fused
with reciprocal rank fusion, filtered by court / year / case, capped per opinion, optionally reranked
by a cross-encoder.

``Retriever.sync`` brings both indexes up to date with the store: it fingerprints every stored
passage (crc32 of opinion id + text, so an id SQLite reuses for new text is caught), drops stale ids,
rebuilds BM25 first (usable at once) and then embeds only passages the vectors lack, checkpointing
every ``CHECKPOINT_SECONDS`` so an interrupted sync resumes where it stopped.

BM25 indexes each passage with a contextual header (``lexical_header``: case name, court, section path)
in a field of its own, so "the Second Circuit", "Pena" or "DISCUSSION" in a question match passages that
do not repeat them, while the passage's own term statistics stay its own.
The embedded text is the passage alone (``_doc_text``): the vectors do not change with the header. A
lexical index of an older ``lexical.KIND`` is rebuilt from the store by the next sync (seconds; vectors
untouched); until then searches use it as it is.
"""

from __future__ import annotations

import re
import threading
import time
import zlib
from dataclasses import asdict
from pathlib import Path
from typing import Callable

import numpy as np

from ..errors import BadQuestion, IndexNotFound, QaBotError, choices
from ..index import manifest as mf
from ..index.lexical import KIND as LEXICAL_KIND, Lexical
from ..index.vectors import Vectors
from ..ingest.store import Store
from ..settings import Settings
from ..types import Hit, Passage

Progress = Callable[[str, int, int], None]
MODES = ("bm25", "dense", "hybrid")
MAX_K = 1000
CHECKPOINT_SECONDS = 60.0
EMBED_CHUNK = 1024  # passages per embedding round (progress and checkpoint granularity)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def clean_question(question: str, max_chars: int) -> str:
    """The question without control characters; ``BadQuestion`` if empty or too long."""
    if not isinstance(question, str):
        raise BadQuestion(f"question must be text, not {type(question).__name__}")
    q = " ".join(_CONTROL.sub(" ", question).split())
    if not q:
        raise BadQuestion("question is empty")
    if len(q) > max_chars:
        raise BadQuestion(f"question is {len(q)} characters long; the limit is {max_chars}")
    return q


def fingerprint(opinion_id: str, text: str) -> int:
    return zlib.crc32(text.encode("utf-8"), zlib.crc32(opinion_id.encode("utf-8")))


class Retriever:
    def __init__(self, folder: str | Path, store: Store, settings: Settings | None = None, embedder=None):
        self.folder = Path(folder)
        self.store = store
        self.settings = settings or Settings.preset()
        self._embedder = embedder
        self._lock = threading.RLock()
        self._lexical: Lexical | None = None
        self._vectors: Vectors | None = None
        self._loaded_manifest: dict | None = None
        self._reranker = None

    # -- components ---------------------------------------------------------------------------------
    @property
    def embedder(self):
        if self._embedder is None:
            from ..index.embed import Embedder

            self._embedder = Embedder(self.settings.embed)
        return self._embedder

    def _manifest(self) -> dict:
        return mf.load(self.folder)

    def _load(self) -> tuple[Lexical | None, Vectors | None]:
        """The indexes the manifest names (re-read when the manifest changed on disk)."""
        with self._lock:
            m = self._manifest()
            if m == self._loaded_manifest:
                return self._lexical, self._vectors
            lex = vec = None
            if m["lexical"]:
                lex = Lexical.load(mf.verified_path(self.folder, m["lexical"], "lexical"))
            if m["vectors"]:
                v = m["vectors"]
                vec = Vectors.load(mf.verified_path(self.folder, v, "vector"), v["kind"], self.settings.index,
                                   v.get("deleted", ()))
            self._lexical, self._vectors, self._loaded_manifest = lex, vec, m
            return lex, vec

    # -- sync ---------------------------------------------------------------------------------------
    def _store_fingerprints(self) -> tuple[np.ndarray, np.ndarray]:
        rows = list(self.store.passage_owners())
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        fps = np.fromiter((fingerprint(r[1], r[2]) for r in rows), dtype=np.int64, count=len(rows))
        return ids, fps

    def sync(self, progress: Progress | None = None, embed: bool = True, rebuild: bool = False) -> dict:
        """Bring BM25 (first) and, with ``embed``, the vectors up to date with the store. Returns counts."""
        with self._lock:
            m = self._manifest()
            if rebuild:
                m["vectors"] = m["embedding"] = None
            old_lexical = m["lexical"]  # its generation number is kept even when it is rebuilt whole
            lex, vec = self._load_for_sync(m)
            ids, fps = self._store_fingerprints()
            current = dict(zip(ids.tolist(), fps.tolist()))
            lex = Lexical() if lex is None else lex
            old = dict(zip(lex.ids.tolist(), lex.fps.tolist()))
            stale = [i for i, fp in old.items() if current.get(i) != fp]
            # Vectors with stale ids go first: if we stop after this, the next sync still sees them stale.
            if vec is not None:
                gone = set(stale) | (set(vec.ids().tolist()) - set(current))
                if gone and vec.remove(gone):
                    self._save_vectors(m, vec)
            stale_set = set(stale)
            new = [i for i in ids.tolist() if i not in old or i in stale_set]
            lex_changed = bool(stale or new) or m["lexical"] is None
            if lex_changed:
                lex.remove(stale)
                for lo in range(0, len(new), 5000):
                    batch = self.store.passages(new[lo : lo + 5000])
                    lex.add([p.id for p in batch], [p.text for p in batch], [current[p.id] for p in batch],
                            [lexical_header(p) for p in batch])
                    if progress:
                        progress("bm25", min(lo + 5000, len(new)), len(new))
                lex.build()
                name = mf.next_file(self.folder, "lexical", ".npz", m["lexical"] or old_lexical)
                lex.save(self.folder / name)
                m["lexical"] = {"file": name, "kind": LEXICAL_KIND, "count": len(lex),
                                "sha256": mf.sha256_file(self.folder / name), "ids": mf.ranges(lex.ids)}
                m["chunk"] = asdict(self.settings.chunk)
                mf.save(self.folder, m)
                mf.cleanup(self.folder, "lexical", ".npz", name)
            added = 0
            if embed:
                added = self._embed_missing(m, vec, ids, progress)
            self._loaded_manifest = None  # reload on next search
            return {"bm25": len(lex), "bm25_added": len(new), "removed": len(stale), "vectors_added": added}

    def _load_for_sync(self, m: dict) -> tuple[Lexical | None, Vectors | None]:
        """Indexes for sync: a damaged or missing file is rebuilt instead of failing."""
        lex = vec = None
        if m["lexical"] and m["lexical"].get("kind") != LEXICAL_KIND:
            m["lexical"] = None  # another tokenisation, header or BM25 parameters: rebuild it whole
        try:
            if m["lexical"]:
                lex = Lexical.load(mf.verified_path(self.folder, m["lexical"], "lexical"))
        except QaBotError:
            m["lexical"] = None
        try:
            if m["vectors"]:
                v = m["vectors"]
                vec = Vectors.load(mf.verified_path(self.folder, v, "vector"), v["kind"], self.settings.index,
                                   v.get("deleted", ()))
        except QaBotError:
            m["vectors"] = None
        return lex, vec

    def _save_vectors(self, m: dict, vec: Vectors) -> None:
        name = mf.next_file(self.folder, "vectors", ".faiss", m["vectors"])
        vec.save(self.folder / name)
        m["vectors"] = {"file": name, "kind": vec.kind, "count": len(vec), "sha256": mf.sha256_file(self.folder / name),
                        "ids": mf.ranges(vec.ids()), "deleted": sorted(vec.deleted)}
        mf.save(self.folder, m)
        mf.cleanup(self.folder, "vectors", ".faiss", name)

    def _embed_missing(self, m: dict, vec: Vectors | None, ids: np.ndarray, progress: Progress | None) -> int:
        emb = self.embedder
        mf.check_embedding(self.folder, m["embedding"] if vec is not None else None, emb)
        have = vec.ids() if vec is not None else np.zeros(0, dtype=np.int64)
        missing = ids[~np.isin(ids, have)].tolist()
        if not missing:
            return 0
        if vec is None:
            vec = Vectors(emb.dim, self.settings.index)
        m["embedding"] = mf.embedding_entry(emb)
        total, done, last_save = len(missing), 0, time.monotonic()
        if progress:
            progress("embed", 0, total)
        for lo in range(0, total, EMBED_CHUNK):
            batch = self.store.passages(missing[lo : lo + EMBED_CHUNK])
            base = done

            def chunk_progress(stage: str, d: int, t: int, base=base) -> None:
                if progress:
                    progress("embed", base + d, total)

            vec.add([p.id for p in batch], emb.encode_documents([_doc_text(p) for p in batch], chunk_progress))
            done += len(batch)
            if time.monotonic() - last_save > CHECKPOINT_SECONDS or done >= total:
                self._save_vectors(m, vec)
                last_save = time.monotonic()
        return done

    # -- search -------------------------------------------------------------------------------------
    def lexical(self) -> Lexical | None:
        """The current BM25 index (None before the first sync)."""
        return self._load()[0]

    def status(self) -> dict:
        m = self._manifest()
        emb = m.get("embedding") or {}
        return {
            "passages": len(self.store.passage_ids()),
            "bm25": (m["lexical"] or {}).get("count", 0),
            "vectors": (m["vectors"] or {}).get("count", 0),
            "vector_index": (m["vectors"] or {}).get("kind", ""),
            "lexical_index": (m["lexical"] or {}).get("kind", ""),
            "model": emb.get("model", ""),
            "dim": emb.get("dim", 0),
        }

    def courts(self) -> list[tuple[str, str]]:
        return self.store.courts()

    def _allowed(self, courts, years, case) -> np.ndarray | None:
        """Passage ids the filters allow (None: no filter), after checking each filter names something."""
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
        if not courts and span is None and not case:
            return None
        return np.asarray(self.store.passage_ids_where(courts or (), span, case or ""), dtype=np.int64)

    def search(self, question: str, k: int | None = None, mode: str | None = None, courts=(), years=None,
               case: str | None = None, per_opinion_cap: int | None = None,
               group_by_opinion: bool = False) -> list[Hit]:
        rs = self.settings.retrieve
        q = clean_question(question, rs.max_question_chars)
        k = rs.k if k is None else k
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= MAX_K:
            raise BadQuestion(f"k must be a whole number from 1 to {MAX_K}, not {k!r}")
        mode = rs.mode if mode is None else mode
        if not isinstance(mode, str) or mode.strip().lower() not in MODES:
            raise choices("mode", mode, MODES)
        mode = mode.strip().lower()
        cap = rs.per_opinion_cap if per_opinion_cap is None else per_opinion_cap
        if isinstance(cap, bool) or not isinstance(cap, (int, np.integer)) or cap < 0:
            raise BadQuestion(f"per_opinion_cap must be 0 (no cap) or a positive whole number, not {cap!r}")
        if isinstance(courts, str):
            courts = [courts]
        courts = [c for c in courts if str(c).strip()]
        allowed = self._allowed(courts, years, case)

        lex, vec = self._load()
        if lex is None and vec is None:
            raise IndexNotFound(f"{self.folder}: no search index yet; run qa-bot sync --index {self.folder}")
        if allowed is not None and not len(allowed):
            return []
        n = max(rs.candidates, k * (4 if cap else 1))
        ranked: dict[str, list[tuple[int, float]]] = {}
        if mode in ("bm25", "hybrid") and lex is not None:
            ranked["bm25"] = lex.search(q, n, lex.mask(allowed) if allowed is not None else None)
        if mode in ("dense", "hybrid"):
            if vec is None or len(vec) == 0:
                if mode == "dense":
                    raise IndexNotFound(f"{self.folder}: no vectors yet; run qa-bot sync --index {self.folder}")
            else:
                mf.check_embedding(self.folder, self._loaded_manifest.get("embedding"), self.embedder)
                qv = self.embedder.encode_queries([q])[0]
                ranked["dense"] = vec.search(qv, n, allowed)
        fused = _fuse(ranked, rs.rrf_k, {"bm25": rs.bm25_weight, "dense": rs.dense_weight}, mode)
        passages = {p.id: p for p in self.store.passages([pid for pid, _, _ in fused])}
        fused = [f for f in fused if f[0] in passages]  # the store moved on since the last sync
        if rs.reranker:
            fused = self._rerank(q, fused, passages, max(k * 3, 30))
        # The cap keeps one long opinion from filling the top k while other opinions have candidates;
        # when they run out (a one-opinion library, a --case filter), the capped passages fill the rest.
        hits, skipped, per_op = [], [], {}
        for pid, score, details in fused:
            p = passages[pid]
            if cap and per_op.get(p.opinion_id, 0) >= cap:
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
        return [Hit(passage=p, score=s, rank=i + 1, scores=d) for i, (p, s, d) in enumerate(hits)]

    def _rerank(self, q: str, fused: list, passages: dict[int, Passage], depth: int) -> list:
        if self._reranker is None:
            from ..index.embed import load_cross_encoder

            self._reranker = load_cross_encoder(self.settings.retrieve.reranker)
        head, tail = fused[:depth], fused[depth:]
        if not head:
            return fused
        scores = self._reranker.predict([(q, passages[pid].text) for pid, _, _ in head], show_progress_bar=False)
        scores = np.asarray(scores, dtype=np.float32).reshape(len(head), -1)[:, -1]
        out = []
        for (pid, _, d), s in zip(head, scores.tolist()):
            out.append((pid, float(s), {**d, "rerank": float(s)}))
        out.sort(key=lambda x: -x[1])
        return out + tail


def _doc_text(p: Passage) -> str:
    """What is embedded: the passage alone (a header here would change every stored vector)."""
    return p.text


def lexical_header(p: Passage) -> str:
    """The contextual header BM25 indexes beside the passage (its own field): case name, court, section."""
    return " ".join(x for x in (p.case_name, p.court, p.section) if x)


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


def _fuse(ranked: dict[str, list[tuple[int, float]]], rrf_k: int, weights: dict[str, float],
          mode: str) -> list[tuple[int, float, dict]]:
    """(passage id, score, per-mode details) best first. Single mode keeps that retriever's score;
    hybrid sums weight / (rrf_k + rank) over retrievers (reciprocal rank fusion)."""
    details: dict[int, dict] = {}
    for name, results in ranked.items():
        for rank, (pid, score) in enumerate(results, 1):
            d = details.setdefault(pid, {})
            d[name] = score
            d[f"{name}_rank"] = float(rank)
    if mode != "hybrid":
        results = ranked.get(mode, [])
        return [(pid, score, details[pid]) for pid, score in results]
    for pid, d in details.items():
        d["rrf"] = sum(weights.get(name, 1.0) / (rrf_k + d[f"{name}_rank"]) for name in ranked if name in d)
    order = sorted(details, key=lambda pid: (-details[pid]["rrf"], pid))
    return [(pid, details[pid]["rrf"], details[pid]) for pid in order]
