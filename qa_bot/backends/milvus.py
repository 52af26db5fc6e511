"""The Milvus backend: one library = three collections in a Milvus server, cluster or Milvus Lite file.

``NAME`` (passages)
    one row per passage: its text and metadata (opinion id, case, court, year, section, part, pages,
    footnote), ``dense`` (FLOAT_VECTOR, HNSW, inner product of normalised vectors = cosine) and ``lex``
    (SPARSE_FLOAT_VECTOR, inner product): the passage's BM25 term weights computed client-side with
    qa-bot's own tokeniser (``index.lexical.tokenize``: stemming, legal citations, the header field),
    so BM25 ranks exactly as the local bm25s index does. Scalar INVERTED indexes on opinion id, court and
    year serve the court / year / case filters.
``NAME_docs``
    everything that is not a passage, one row each, keyed by ``kind``: the library's manifest
    (``meta``: schema, embedding model, BM25 statistics), each opinion's metadata (``opinion``) and its
    clean text and structure (``blob`` rows of <= 16,000 characters, fetched by id for pin cites and the
    viewer; stored once, not per passage), files already ingested (``file``, by content hash: what
    makes ingest resumable), duplicates skipped (``dup``) and near-duplicate sketches (``sketch``).
``NAME_terms``
    BM25 document frequency of every term (id = 32-bit hash of the term, as Milvus's own BM25 does).

BM25 in a sparse inner product: a passage's weight for term t is ``tf / (tf + K1 * (1 - B + B * dl /
avgdl))`` and the query's is ``idf(t) * count`` with ``idf = log(1 + (N - df + 0.5) / (df + 0.5))``
from ``NAME_terms``, so ``<query, passage>`` is bm25s' Lucene BM25 score. IDF lives on the query side,
so adding opinions changes no stored passage weight except through the average length: when that has
moved by more than ``AVGDL_TOLERANCE`` since the weights were written, ``sync`` rewrites them.

Dense search runs on an HNSW index; up to ``IndexSettings.exact_max`` vectors, where the local backend
searches exactly (a flat index), it is searched with ``ef`` = the number of vectors (``hnsw_ef``): the
candidate list then never fills, so the search visits every node it can reach and returns the exact top
n. With ``ef = max(128, n)`` as before, the demo library (4,807 vectors, 100 candidates per question)
lost 172 of the 10,100 exact candidates of pena_dev + scotus_dev (68 of 101 questions differed) and
ef >= 1,024 none; the role ranking lifts a candidate from rank 60-100 into the top 10, so the
misses moved pena_dev hit@3 and scotus_dev hit@1 by 2-2.5 points. Past ``exact_max`` both backends use
HNSW with ``ef = max(hnsw_ef_search, n)``.

Hybrid search is Milvus's ``hybrid_search`` with ``RRFRanker(k=rrf_k)``: the fusion is done by the
server, with the same formula as the local backend (sum of 1 / (rrf_k + rank)). Milvus returns only the
fused score, so each candidate's cosine (``scores["dense"]``, which the answerer reads) is computed
here from its stored vector.

Milvus has no multi-row transactions. Writes are ordered so that an interruption is harmless: an
opinion's passages are written with ids derived from (opinion id, ordinal), then the opinion record,
then the ``file`` record last; a re-run finds no file record, deletes whatever the interrupted run left
of that opinion and writes it again: no duplicate passages. One writer at a time (the ingest process or
the Ray job's driver); any number of readers.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from typing import Callable, Mapping

import numpy as np

from ..errors import BadQuestion, IndexNotFound
from ..settings import IndexSettings
from ..types import Retrieval
from .base import Filters, Ranked, fuse
from .milvus_io import (EMPTY_SPARSE, _guard, _query_all, _score, check_embedding, doc_terms, doc_weights, idf,
                        query_terms, term_id, BackendUnavailable, connect)  # noqa: F401 (re-exported)
from .milvus_store import WRITE_BATCH, MilvusStore

AVGDL_TOLERANCE = 0.01  # rewrite passage weights when the mean passage length moved more than this
SEARCH_LIMIT = 16_384  # Milvus's largest topk
COUNTS_SECONDS = 30.0

Progress = Callable[[str, int, int], None]


class MilvusBackend(MilvusStore):
    """A library in Milvus: its store (``MilvusStore``) and its indexes (``sync``, ``candidates``, ``status``,
    ``term_stats``): the ``backends.base.Backend`` seam."""

    kind = "milvus"

    def __init__(self, uri, dim=None, lexical: str = "client", create: bool = True, index: IndexSettings | None = None):
        self.index = index or IndexSettings()  # exact_max and HNSW breadth, as for the local vectors (``hnsw_ef``)
        super().__init__(uri, dim=dim, lexical=lexical, create=create)

    @property
    def store(self) -> "MilvusBackend":
        return self

    # -- indexes ------------------------------------------------------------------------------------
    @_guard
    def sync(self, embedder=None, progress: Progress | None = None, embed: bool = True, rebuild: bool = False,
             chunk_settings: dict | None = None) -> dict:
        """Rewrite BM25 weights if the mean passage length drifted; embed the passages without vectors."""
        if not self.client.has_collection(self.name):
            return {"bm25": 0, "bm25_added": 0, "removed": 0, "vectors_added": 0}
        m = self.meta()
        reweighted = 0
        avgdl = m["total_len"] / m["n"] if m["n"] else 0.0
        if m["n"] and abs(avgdl - m["avgdl_weights"]) > AVGDL_TOLERANCE * max(m["avgdl_weights"], 1e-9):
            reweighted = self._reweight(avgdl, progress)
        if chunk_settings is not None:
            self._put_meta({**self.meta(), "chunk": chunk_settings})
        added = 0
        if embed and embedder is not None:
            from ..index import manifest as mf

            m = self.meta()
            if rebuild:
                self._mark_unembedded()
            elif m.get("embedding"):
                check_embedding(self.uri, m["embedding"], embedder)
            if m.get("embedding") is None or rebuild:
                self._put_meta({**self.meta(), "embedding": mf.embedding_entry(embedder)})
            added = self._embed_missing(embedder, progress)
        self.client.flush(self.name)
        self._counts_cache = None
        return {"bm25": int(self.meta()["n"]), "bm25_added": reweighted, "removed": 0, "vectors_added": added}

    def _reweight(self, avgdl: float, progress: Progress | None) -> int:
        rows = _query_all(self.client, self.name, "", ["id", "text", "case_name", "court", "section", "dl"])
        total = len(rows)
        for lo in range(0, total, WRITE_BATCH):
            batch = []
            for r in rows[lo : lo + WRITE_BATCH]:
                tf = Counter(doc_terms(r["text"], " ".join(x for x in (r["case_name"], r["court"], r["section"]) if x)))
                batch.append({"id": r["id"], "lex": doc_weights(tf, r["dl"], avgdl) or EMPTY_SPARSE})
            self.client.upsert(self.name, batch, partial_update=True)
            if progress:
                progress("bm25", min(lo + WRITE_BATCH, total), total)
        self._put_meta({**self.meta(), "avgdl_weights": avgdl})
        return total

    def _mark_unembedded(self) -> None:
        ids = [r["id"] for r in _query_all(self.client, self.name, "embedded == true", ["id"])]
        for lo in range(0, len(ids), WRITE_BATCH):
            self.client.upsert(self.name, [{"id": i, "embedded": False} for i in ids[lo : lo + WRITE_BATCH]],
                               partial_update=True)

    def _embed_missing(self, embedder, progress: Progress | None, batch: int = 1024) -> int:
        todo = _query_all(self.client, self.name, "embedded == false", ["id"])
        ids = sorted(r["id"] for r in todo)
        total, done = len(ids), 0
        if progress and total:
            progress("embed", 0, total)
        for lo in range(0, total, batch):
            ps = self.passages(ids[lo : lo + batch])
            vecs = embedder.encode_documents([p.text for p in ps])
            rows = [{"id": p.id, "dense": np.asarray(v, dtype=np.float32).tolist(), "embedded": True}
                    for p, v in zip(ps, vecs)]
            for j in range(0, len(rows), WRITE_BATCH):
                self.client.upsert(self.name, rows[j : j + WRITE_BATCH], partial_update=True)
            done += len(ps)
            if progress:
                progress("embed", done, total)
        return done

    @_guard
    def status(self) -> dict:
        m = self.meta()
        emb = m.get("embedding") or {}
        n = int(m.get("n", 0))
        missing = len(_query_all(self.client, self.name, "embedded == false", ["id"])) \
            if self.client.has_collection(self.name) else 0
        return {"passages": n, "bm25": n, "vectors": n - missing,
                "vector_index": "milvus HNSW (IP)", "lexical_index": m.get("lexical", ""),
                "model": emb.get("model", ""), "dim": emb.get("dim", 0), "backend": self.uri.text}

    def _df(self, ids: list[int]) -> dict[int, int]:
        need = [i for i in ids if i not in self._df_cache]
        if need:
            have = {r["id"]: r["df"] for r in self.client.get(self.terms_name, ids=need, output_fields=["df"])}
            for i in need:
                self._df_cache[i] = int(have.get(i, 0))
            if len(self._df_cache) > 200_000:
                self._df_cache.clear()
                return self._df(ids)
        return {i: self._df_cache[i] for i in ids}

    def query_vector(self, question: str) -> dict[int, float]:
        """BM25 query weights: IDF (from the library's document frequencies) times the term's count."""
        n = int(self.meta().get("n", 0))
        counts = Counter(term_id(t) for t in query_terms(question))
        df = self._df(list(counts))
        return {d: idf(n, df[d]) * c for d, c in counts.items() if df[d] > 0}

    def _counts(self) -> tuple[int, int]:
        """(passages, passages with a vector); the count is a scan on Milvus Lite, so it is kept for
        ``COUNTS_SECONDS`` (this process's own writes reset it)."""
        n = int(self.meta().get("n", 0))
        cached = getattr(self, "_counts_cache", None)
        if cached and cached[0] == n and time.monotonic() - cached[1] < COUNTS_SECONDS:
            return n, cached[2]
        if not n or not self.client.has_collection(self.name):
            return n, 0
        rows = self.client.query(self.name, filter="embedded == false", output_fields=["count(*)"])
        embedded = n - int(rows[0]["count(*)"]) if rows else n
        self._counts_cache = (n, time.monotonic(), embedded)
        return n, embedded

    @_guard
    def candidates(self, question: str, n: int, mode: str, filters: Filters, embedder, rrf_k: int,
                   weights: Mapping[str, float], fusion: str = "server") -> tuple[Ranked, Retrieval]:
        """(passage id, score, details) best first: one retriever's ranking, or both fused by RRF on the
        server (``hybrid_search`` + ``RRFRanker(rrf_k)``). Fused here instead, as the local backend does,
        with ``fusion="client"``, with weights other than 1, and while some vectors are missing (a passage
        without one takes its BM25 rank as its dense rank, as locally)."""
        from pymilvus import AnnSearchRequest, RRFRanker

        total, embedded = self._counts()
        recorded = self.meta().get("embedding")
        used = mode if mode == "bm25" or (embedded and recorded) else "bm25"
        info = Retrieval(requested=mode, used=used, passages=total, embedded=embedded)
        if not total:
            raise IndexNotFound(f"{self.uri.text}: the library holds no passage yet; qa-bot ingest PATH --index {self.uri.text}")
        expr = self.filter_expr(filters) if filters else ""
        n = min(n, SEARCH_LIMIT)
        reqs, names = [], []
        if used in ("bm25", "hybrid"):
            if self.server_bm25:
                reqs.append(AnnSearchRequest(data=[question], anns_field="text_bm25", param={"metric_type": "BM25"},
                                             limit=n, expr=expr or None))
                names.append("bm25")
            else:
                q = self.query_vector(question)
                if q:
                    reqs.append(AnnSearchRequest(data=[q], anns_field="lex", param={"metric_type": "IP"}, limit=n,
                                                 expr=expr or None))
                    names.append("bm25")
        qv = None
        if used in ("dense", "hybrid"):
            check_embedding(self.uri, recorded, embedder)
            qv = np.asarray(embedder.encode_queries([question])[0], dtype=np.float32)
            dense_expr = "embedded == true" + (f" and ({expr})" if expr else "")
            reqs.append(AnnSearchRequest(data=[qv.tolist()], anns_field="dense",
                                         param={"metric_type": "IP", "params": {"ef": hnsw_ef(n, embedded, self.index)}},
                                         limit=n, expr=dense_expr))
            names.append("dense")
        if not reqs:
            return [], info
        partial = embedded < total
        if len(reqs) == 1 or fusion == "client" or partial or any(w != 1.0 for w in weights.values()):
            ranked, unembedded = {}, set()
            for name, r in zip(names, reqs):
                res = self.client.search(self.name, data=r.data, anns_field=r.anns_field, limit=r.limit,
                                         filter=r.expr or "", search_params=r.param, output_fields=["embedded"])
                ranked[name] = [(int(h["id"]), _score(name, h["distance"], self.server_bm25)) for h in res[0]]
                unembedded |= {int(h["id"]) for h in res[0] if not h.get("entity", {}).get("embedded", True)}
            return fuse(ranked, rrf_k, weights, used if len(reqs) > 1 else names[0], frozenset(unembedded)), info
        # the union of the routes, as the local fusion keeps (the per-opinion cap backfills from it)
        fields = ["dense"] + (["seq"] if "seq" in getattr(self, "_fields", {"seq"}) else [])
        res = self.client.hybrid_search(self.name, reqs, ranker=RRFRanker(rrf_k), limit=min(len(reqs) * n, SEARCH_LIMIT),
                                        output_fields=fields)
        out = []
        for h in res[0]:
            ent = h.get("entity", {})
            d = {"rrf": float(h["distance"])}
            if qv is not None and ent.get("dense") is not None:  # the cosine the answerer reads
                d["dense"] = float(np.dot(np.asarray(ent["dense"], dtype=np.float32), qv))
            out.append((int(h["id"]), float(h["distance"]), d, int(ent.get("seq", 0))))
        out.sort(key=lambda x: (-round(x[1], 7), x[3]))  # equal RRF scores: the earlier-written passage first
        if qv is not None:  # as locally: only the dense route's own candidates (the n best cosines) carry one
            by_cos = sorted((x for x in out if "dense" in x[2]), key=lambda x: -x[2]["dense"])
            for rank, x in enumerate(by_cos, 1):
                if rank <= n:
                    x[2]["dense_rank"] = float(rank)
                else:
                    del x[2]["dense"]
        return [x[:3] for x in out], info

    def filter_expr(self, filters: Filters) -> str:
        """A Milvus boolean expression for the court / year / case filters (validated above the seam)."""
        parts = []
        years, case = filters.years, filters.case
        low = [str(c).strip().lower() for c in filters.courts]
        if low:
            parts.append(f"(court_id_lc in {json.dumps(low)} or court_lc in {json.dumps(low)})")
        lo, hi = years or (None, None)
        if lo is not None:
            parts.append(f"year >= {int(lo)}")
        if hi is not None:
            parts.append(f"year <= {int(hi)}")
        if case:
            ops = self.case_opinions(case)
            if len(ops) > 10_000:
                raise BadQuestion(f"case {case!r} matches {len(ops)} opinions; name the case more precisely")
            parts.append(f"opinion_id in {json.dumps(ops)}")
        if filters.opinions:
            parts.append(f"opinion_id in {json.dumps(list(filters.opinions))}")
        if filters.part:
            parts.append(f"part like {json.dumps(filters.part + '%')}")
        if filters.author:  # as the structure stage wrote it ("Douglas"); a question's capitalisation may differ
            parts.append(f"(author in {json.dumps(sorted({filters.author, filters.author.title()}))})")
        return " and ".join(parts)

    @_guard
    def term_stats(self) -> "TermStats":
        return TermStats(self)



def hnsw_ef(n: int, vectors: int, index: IndexSettings) -> int:
    """HNSW search breadth for ``n`` results over ``vectors`` vectors: exhaustive (the exact top ``n``)
    up to ``index.exact_max`` vectors, where the local backend searches exactly; beyond, the local
    HNSW's ``max(hnsw_ef_search, n)``."""
    if vectors <= index.exact_max:
        return max(n, vectors, 1)
    return max(index.hnsw_ef_search, n)


class TermStats:
    """The library's term statistics for the answerer (``abstain.LibraryIdf``): document frequency by term
    and the opinions that use a term, looked up in Milvus on demand (nothing is loaded whole)."""

    def __init__(self, lib: MilvusBackend):
        self.lib = lib
        self.n = int(lib.meta().get("n", 0))
        self.df = _DfView(lib)

    def opinions_of(self, term: str) -> frozenset[str]:
        res = self.lib.client.search(self.lib.name, data=[{term_id(term): 1.0}], anns_field="lex", limit=SEARCH_LIMIT,
                                     output_fields=["opinion_id"], search_params={"metric_type": "IP"})
        return frozenset(h["entity"]["opinion_id"] for h in res[0])


class _DfView(dict):
    """``df.get(term)`` looks the term up in ``NAME_terms`` (cached)."""

    def __init__(self, lib: MilvusBackend):
        super().__init__()
        self.lib = lib

    def get(self, term, default=0):
        return self.lib._df([term_id(term)]).get(term_id(term), 0) or default

    def __getitem__(self, term):
        return self.get(term, 0)

    def __contains__(self, term):
        return self.get(term, 0) > 0
