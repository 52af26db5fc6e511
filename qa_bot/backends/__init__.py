"""Where a library lives (stage between index and retrieve): ``local`` (a folder: SQLite + bm25s + FAISS)
or ``milvus`` (a Milvus server, cluster or Milvus Lite file), chosen by the ``--index`` value. See
``base`` for the seam, ``uri`` for the URI forms."""
