"""Stage 3, retrieve: a question -> ranked ``Hit``s (``search``: BM25, dense or hybrid fusion, filters,
per-opinion caps, optional rerank; and keeping the indexes in step with the store)."""
