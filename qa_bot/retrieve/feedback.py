"""Pseudo-relevance feedback: a second search with what the first search's best passages share.

A question and the passage that answers it often share few words ("throw out the claims" against "we
dismiss"); the passages the first search ranks highest are mostly about the question's topic, and the
words they share - weighted by how rarely the library uses them - are words the answer is likely to use
too (Lavrenko and Croft's relevance model, RM3 as Anserini runs it; Rocchio's 1971 formula for vectors).
Each retriever searches again with its query moved toward the first round's top passages (the fused list
in hybrid mode, so either retriever's finds feed both), and the lists are fused again:

* BM25 (``RetrieveSettings.bm25_prf_docs`` > 0): the query's own terms and the feedback passages' top
  ``bm25_prf_terms`` terms, interpolated by ``bm25_prf_weight`` (``index.lexical.Lexical.search``);
* dense (``dense_prf_docs`` > 0): the question's vector plus ``dense_prf_weight`` times the mean of the
  feedback passages' stored vectors, normalised (``rocchio``).

Both are off by default; the measurements are in eval/reports/README.md ("Retrieval levers").
"""

from __future__ import annotations

from typing import Callable, Mapping

import numpy as np

from ..backends.base import fuse
from ..settings import RetrieveSettings

Ranked = dict[str, list[tuple[int, float]]]


def wanted(rs: RetrieveSettings) -> bool:
    return bool(rs.bm25_prf_docs or rs.dense_prf_docs)


def rocchio(query: np.ndarray, feedback: np.ndarray, weight: float) -> np.ndarray:
    """``query`` + ``weight`` x the mean of the ``feedback`` rows, at unit length (the stored vectors
    are normalised, so the inner product stays a cosine). No feedback: the query unchanged."""
    if not len(feedback) or weight <= 0:
        return query
    moved = np.asarray(query, dtype=np.float32) + weight * np.asarray(feedback, dtype=np.float32).mean(axis=0)
    norm = float(np.linalg.norm(moved))
    return (moved / norm).astype(np.float32) if norm > 0 else query


def second_round(fused: list, ranked: Ranked, rs: RetrieveSettings, *, bm25: Callable | None = None,
                 dense: Callable | None = None, vectors_of: Callable | None = None, query_vector=None,
                 rrf_k: int, weights: Mapping[str, float], mode: str, unembedded: frozenset = frozenset()) -> list:
    """``fused`` (the first round, best first) searched again with feedback, fused again.

    ``bm25(feedback_ids)`` and ``dense(vector)`` run one retriever's search with its feedback;
    ``vectors_of(ids)`` gives the stored vectors of those ids that have one; ``query_vector`` is the
    question's. A retriever not in ``ranked`` (the mode does not use it) is left out."""
    again = dict(ranked)
    if rs.bm25_prf_docs and bm25 is not None and "bm25" in ranked:
        again["bm25"] = bm25([pid for pid, _, _ in fused[:rs.bm25_prf_docs]])
    if rs.dense_prf_docs and dense is not None and "dense" in ranked and query_vector is not None:
        ids = np.asarray([pid for pid, _, _ in fused[:rs.dense_prf_docs] if pid not in unembedded], dtype=np.int64)
        if len(ids):
            again["dense"] = dense(rocchio(query_vector, vectors_of(ids), rs.dense_prf_weight))
    if all(again[name] is ranked[name] for name in ranked):
        return fused
    return fuse(again, rrf_k, weights, mode, unembedded)
