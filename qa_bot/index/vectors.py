"""Dense vectors in FAISS, keyed by store passage ids (``IndexIDMap2``).

Exact search (``IndexFlatIP``: inner product of normalised vectors = cosine) up to
``IndexSettings.exact_max`` vectors; past it the index is converted once to HNSW (``IndexHNSWFlat``,
inner product), which takes new vectors without training (IVF would need retraining as the library
grows).

Threshold, measured with 384-d vectors on this 2-core machine, one thread, top 100 per query:
flat search costs 2.2 ms at 25k vectors, 9.4 ms at 100k, 19.7 ms at 200k (linear), while embedding
the question with MiniLM costs ~10-20 ms. Up to 200k vectors (the whole 1,069-opinion Supreme Court
corpus is ~100k passages) exact search therefore at most doubles query latency and keeps results
exact; beyond it latency keeps growing linearly, so HNSW (~1 ms per query, built at ~2.4k vectors/s,
which is far faster than embedding them) takes over. Hence ``exact_max = 200_000``.

Removal: flat removes ids in place; HNSW cannot, so removed ids go to a ``deleted`` set that search
filters out (``IDSelectorNot``), and the index is compacted (rebuilt from its own stored vectors, no
re-embedding) once deleted ids exceed a fifth of it or a deleted id comes back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import faiss
import numpy as np

from ..atomic import atomic_path
from ..errors import IndexCorrupt
from ..settings import IndexSettings

SMALL_FILTER = 20_000  # filtered HNSW searches over at most this many ids are done exactly
# One query is searched on one thread. With OpenMP's default (a thread per core) a single query's flat scan
# over the whole corpus took p50 56 ms against 14.6 ms on one thread on this 2-core machine under other
# work (threads spinning at a barrier while the cores are busy): eval/bench_all.py --sections latency.
SEARCH_THREADS = 1


class Vectors:
    def __init__(self, dim: int, settings: IndexSettings | None = None, kind: str = "flat"):
        self.dim = int(dim)
        self.settings = settings or IndexSettings()
        self.kind = kind
        self.index = faiss.IndexIDMap2(self._base(kind))
        self.deleted: set[int] = set()

    def _base(self, kind: str):
        if kind == "flat":
            return faiss.IndexFlatIP(self.dim)
        if kind == "hnsw":
            base = faiss.IndexHNSWFlat(self.dim, self.settings.hnsw_m, faiss.METRIC_INNER_PRODUCT)
            base.hnsw.efSearch = self.settings.hnsw_ef_search
            return base
        raise IndexCorrupt(f"unknown vector index kind {kind!r}")

    # -- contents -----------------------------------------------------------------------------------
    def ids(self) -> np.ndarray:
        all_ids = faiss.vector_to_array(self.index.id_map).astype(np.int64)
        if self.deleted:
            all_ids = all_ids[~np.isin(all_ids, np.fromiter(self.deleted, dtype=np.int64))]
        return all_ids

    def __len__(self) -> int:
        return int(self.index.ntotal) - len(self.deleted)

    def vectors_of(self, ids: np.ndarray) -> np.ndarray:
        """The stored vectors of ``ids`` (all held by this index), one row each."""
        return self._vectors(ids)

    def _vectors(self, ids: np.ndarray) -> np.ndarray:
        if not len(ids):
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self.index.reconstruct(int(i)) for i in ids]).astype(np.float32)

    def _rebuild(self, kind: str) -> None:
        ids = self.ids()
        vecs = self._vectors(ids)
        self.kind = kind
        self.index = faiss.IndexIDMap2(self._base(kind))
        self.deleted = set()
        if len(ids):
            self.index.add_with_ids(vecs, ids)

    # -- changes ------------------------------------------------------------------------------------
    def add(self, ids: Iterable[int], vectors: np.ndarray) -> None:
        ids = np.asarray(list(ids), dtype=np.int64)
        if not len(ids):
            return
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.shape != (len(ids), self.dim):
            raise ValueError(f"expected {len(ids)} vectors of dimension {self.dim}, got {vectors.shape}")
        if self.deleted and self.deleted.intersection(ids.tolist()):
            self._rebuild(self.kind)  # a deleted id is back: drop the old vectors for good first
        if self.kind == "flat" and len(self) + len(ids) > self.settings.exact_max:
            self._rebuild("hnsw")
        self.index.add_with_ids(vectors, ids)

    def remove(self, ids: Iterable[int]) -> int:
        ids = np.asarray(sorted(set(int(i) for i in ids)), dtype=np.int64)
        present = ids[np.isin(ids, self.ids())] if len(ids) else ids
        if not len(present):
            return 0
        if self.kind == "flat":
            self.index.remove_ids(faiss.IDSelectorBatch(present))
        else:
            self.deleted.update(present.tolist())
            if len(self.deleted) * 5 > self.index.ntotal:
                self._rebuild(self.kind)
        return len(present)

    # -- search -------------------------------------------------------------------------------------
    def search(self, query: np.ndarray, n: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Up to ``n`` (passage id, inner product) pairs, best first. ``allowed``: passage ids to keep."""
        if len(self) == 0 or n <= 0:
            return []
        q = np.ascontiguousarray(query, dtype=np.float32).reshape(1, self.dim)
        if allowed is not None:
            allowed = np.asarray(allowed, dtype=np.int64)
            if self.deleted:
                allowed = allowed[~np.isin(allowed, np.fromiter(self.deleted, dtype=np.int64))]
            if self.kind != "flat" and len(allowed) <= SMALL_FILTER:
                return self._exact(q, n, allowed)
        keep = []  # selectors must outlive the search call
        sel = None
        if allowed is not None:
            sel = faiss.IDSelectorBatch(allowed)
            keep.append(sel)
        elif self.deleted:
            inner = faiss.IDSelectorBatch(np.fromiter(self.deleted, dtype=np.int64))
            sel = faiss.IDSelectorNot(inner)
            keep += [inner, sel]
        if self.kind == "hnsw":
            params = faiss.SearchParametersHNSW(sel=sel, efSearch=max(self.settings.hnsw_ef_search, n))
        else:
            params = faiss.SearchParameters(sel=sel) if sel is not None else None
        n = min(n, int(self.index.ntotal))
        before = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(SEARCH_THREADS)  # OpenMP keeps this per thread: other threads are untouched
        try:
            scores, ids = self.index.search(q, n, params=params)
        finally:
            faiss.omp_set_num_threads(before)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]

    def _exact(self, q: np.ndarray, n: int, allowed: np.ndarray) -> list[tuple[int, float]]:
        present = allowed[np.isin(allowed, faiss.vector_to_array(self.index.id_map))]
        if not len(present):
            return []
        scores = self._vectors(present) @ q[0]
        top = np.argsort(-scores, kind="stable")[:n]
        return [(int(present[i]), float(scores[i])) for i in top]

    # -- persistence --------------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        with atomic_path(path) as tmp:
            faiss.write_index(self.index, tmp)

    @classmethod
    def load(cls, path: Path, kind: str, settings: IndexSettings | None = None,
             deleted: Iterable[int] = ()) -> "Vectors":
        path = Path(path)
        try:
            index = faiss.read_index(str(path))
        except RuntimeError as e:
            raise IndexCorrupt(f"{path}: unreadable vector index ({str(e).splitlines()[0][:200]}); "
                               "run qa-bot sync to rebuild it") from None
        if not isinstance(index, faiss.IndexIDMap2):
            raise IndexCorrupt(f"{path}: not an id-mapped vector index; run qa-bot sync to rebuild it")
        out = cls(index.d, settings, kind)
        out.index = index
        if kind == "hnsw":
            faiss.downcast_index(index.index).hnsw.efSearch = out.settings.hnsw_ef_search
        out.deleted = set(int(i) for i in deleted)
        return out
