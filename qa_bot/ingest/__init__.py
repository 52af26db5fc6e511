"""Stage 1, ingest: files -> ``Document`` (``loaders/``) -> ``Opinion`` (``structure``) -> ``Passage``s
(``sentences``, ``chunk``) -> the SQLite store (``store``); ``pipeline`` runs them for a batch of files."""
