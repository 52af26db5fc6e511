"""The local backend: one library folder holding the SQLite store, the bm25s index and the FAISS vectors.

Its code stays where it grew (``retrieve.search``: the lock-free index snapshot and the local candidate
search; ``index.sync``: keeping the indexes in step with the store); this class presents it through the
``backends.base.Backend`` seam, next to the Milvus backend. It lives beside the search it presents, so
imports run one way: ``retrieve`` uses ``backends``, never the reverse.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

from ..backends.base import Filters, Progress
from ..ingest.store import Store
from ..settings import Settings
from .search import Retriever


class LocalBackend:
    kind = "local"

    def __init__(self, folder: str | Path, store: Store | None = None, settings: Settings | None = None,
                 retriever: Retriever | None = None):
        self.folder = Path(folder)
        self.uri = str(self.folder)
        self.store = store if store is not None else Store(self.folder)
        self.settings = settings or Settings.preset()
        self.retriever = retriever or Retriever(self.folder, self.store, self.settings)

    def close(self) -> None:
        self.store.close()

    def sync(self, embedder, progress: Progress | None = None, embed: bool = True, rebuild: bool = False) -> dict:
        if embedder is not None:
            self.retriever._embedder = embedder
        return self.retriever.sync(progress=progress, embed=embed, rebuild=rebuild)

    def status(self) -> dict:
        return self.retriever.status()

    def term_stats(self):
        return self.retriever.lexical()

    def candidates(self, question: str, n: int, mode: str, filters: Filters, embedder, rrf_k: int,
                   weights: Mapping[str, float]):
        r = self.retriever
        if embedder is not None:
            r._embedder = embedder
        allowed = r._allowed(filters.courts, filters.years, filters.case) if filters else None
        fused, info = r._candidates(question, n, mode, allowed, dict(weights), rrf_k)
        return (fused or []), info
