"""Stage 2, index: passages -> vectors (``embed``, FAISS in ``vectors``) and BM25 (``lexical``), recorded
in a checksummed manifest (``manifest``)."""
