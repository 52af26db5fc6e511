"""The seam between qa-bot and where a library's passages and indexes live.

Above it (``Library``, ``retrieve.search.Retriever``: question validation, filter checks, per-opinion
caps, reranking; the answerer, eval and the web chat) nothing knows which backend runs. Below it:

* ``local`` (``retrieve.local``, beside the search it presents): one folder, the SQLite store + bm25s + FAISS, as always;
* ``milvus`` (``backends.milvus``): a Milvus server or cluster (``milvus://host:19530/NAME``) or a Milvus
  Lite file (``milvus-lite:///path/to/library.db``).

A backend is chosen per library by the ``--index`` value (``backends.uri``) and records itself with the
library (the local folder's ``manifest.json``; the Milvus collection's ``meta`` record): a library
built with one model or schema is refused by another, on either backend.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Mapping, Protocol, Sequence, runtime_checkable

from ..types import Meta, Opinion, Passage, Retrieval  # noqa: F401

Progress = Callable[[str, int, int], None]
Ranked = list[tuple[int, float, dict]]  # (passage id, score, per-retriever details) best first


@dataclass(frozen=True)
class Filters:
    """Court / year / case filters, already validated above the seam; and what a question points at:
    opinion ids, an opinion part ("dissent"; "concurrence" takes "concurrence in part" too), a Justice."""

    courts: tuple[str, ...] = ()
    years: tuple[int | None, int | None] | None = None
    case: str = ""
    opinions: tuple[str, ...] = ()
    part: str = ""
    author: str = ""

    def __bool__(self) -> bool:
        return bool(self.courts or self.years or self.case or self.opinions or self.part or self.author)


class TermStats(Protocol):
    """The library's BM25 term statistics, read by the answerer (``answer.abstain.LibraryIdf``)."""

    n: int  # passages
    df: Mapping[str, int]  # term -> passages using it

    def opinions_of(self, term: str) -> frozenset[str]: ...


class PassageStore(Protocol):
    """What the ingest pipeline writes through and what the answerer, eval and chat read."""

    def transaction(self): ...
    def add_opinion(self, op: Opinion, passages: Iterable[Passage], richness: int = 0,
                    sketch: Iterable[int] = ()) -> list[int]: ...
    def passages(self, ids: Iterable[int] | None = None) -> list[Passage]: ...
    def opinion(self, opinion_id: str) -> Opinion: ...
    def opinions(self) -> Iterator[tuple[str, Meta, int]]: ...
    def courts(self) -> list[tuple[str, str]]: ...
    def has_case(self, case: str) -> bool: ...
    def stats(self) -> dict: ...
    def close(self) -> None: ...


@runtime_checkable
class Backend(Protocol):
    kind: str  # "local" | "milvus"
    uri: str  # as given to --index (a folder for local)
    store: PassageStore

    def sync(self, embedder, progress: Progress | None = None, embed: bool = True, rebuild: bool = False) -> dict:
        """Bring the lexical and vector indexes up to date with the store; returns counts."""

    def status(self) -> dict:
        """passages, bm25, vectors, vector_index, lexical_index, model, dim."""

    def candidates(self, question: str, n: int, mode: str, filters: Filters, embedder, rrf_k: int,
                   weights: Mapping[str, float]) -> tuple[Ranked, "Retrieval"]:
        """Up to ``n`` candidates per retriever (bm25, dense), fused by reciprocal rank fusion in hybrid
        mode (sum of weight / (rrf_k + rank)); filtered; not capped, not reranked; with the search that
        actually ran (``types.Retrieval``: a library without vectors yet answers from BM25)."""

    def term_stats(self) -> TermStats | None: ...

    def close(self) -> None: ...


def fuse(ranked: Mapping[str, Sequence[tuple[int, float]]], rrf_k: int, weights: Mapping[str, float],
          mode: str, unembedded: frozenset = frozenset()) -> list[tuple[int, float, dict]]:
    """(passage id, score, per-mode details) best first. Single mode keeps that retriever's score;
    hybrid sums weight / (rrf_k + rank) over retrievers (reciprocal rank fusion). A BM25 candidate in
    ``unembedded`` (no vector yet) counts its BM25 rank as its dense rank too (``dense_missing``)."""
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
        if pid in unembedded and "bm25_rank" in d and "dense" in ranked:
            d["dense_missing"] = 1.0
            d["rrf"] += weights.get("dense", 1.0) / (rrf_k + d["bm25_rank"])
    order = sorted(details, key=lambda pid: (-details[pid]["rrf"], pid))
    return [(pid, details[pid]["rrf"], details[pid]) for pid in order]
