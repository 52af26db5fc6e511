"""The child process of the crash suite: runs a ``qa-bot`` command and SIGKILLs itself at a chosen point.

    python tests/crashkit.py POINT N COUNTS_FILE -- ingest SRC --index LIB

``POINT`` is where to die, at its ``N``-th occurrence (``none``: run to the end; ``census``: run to the end
and write how often each point occurred, as JSON, to ``COUNTS_FILE``):

* ``commit-before`` / ``commit-after``: a store write transaction, just before / after its COMMIT
  (per-opinion commits of an ingest);
* ``replace-before`` / ``replace-after``: an atomic file write, after the temp file is written and
  fsynced but before its rename / after the rename, before the folder's fsync (BM25 save, vector
  checkpoint, manifest switch);
* ``bm25-save``: just before a BM25 index is written;
* ``embed-batch``: after a batch of passages is embedded, before it is committed;
* ``vector-commit``: as a vector checkpoint begins (under the writer lock);
* ``manifest-save``: just before the manifest is switched.

The embedder is the deterministic hashed one (crash safety does not depend on the vectors' quality),
embedding in batches of 16 with a checkpoint after every batch, so an ingest passes every point many
times. The number of passages embedded is appended to ``COUNTS_FILE`` after each batch, so the parent
can tell whether a resumed run embedded again what was already committed.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    point, n, counts = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    argv = sys.argv[sys.argv.index("--") + 1:]
    hits = {"n": 0}
    census: dict[str, int] = {}
    if point == "census":
        import atexit
        import json

        atexit.register(lambda: counts.write_text(json.dumps(census)))

    def at(name: str) -> None:
        census[name] = census.get(name, 0) + 1
        if name == point:
            hits["n"] += 1
            if hits["n"] == n:
                os.kill(os.getpid(), signal.SIGKILL)

    from qa_bot import atomic
    from qa_bot.index import embed, lexical
    from qa_bot.index import manifest as mf
    from qa_bot.index import sync
    from qa_bot.ingest import store

    class CountingEmbedder(embed.FakeEmbedder):
        def encode_documents(self, texts, progress=None):
            out = super().encode_documents(texts, progress)
            if point != "census":
                with open(counts, "a") as f:
                    f.write(f"{len(texts)}\n")
            at("embed-batch")
            return out

    embed.Embedder = CountingEmbedder
    fill = sync.fill_vectors
    sync.fill_vectors = lambda *a, **k: fill(*a, **{**k, "checkpoint_seconds": 0, "chunk": 16})

    def wrap(owner, name, before=None, after=None):
        real = getattr(owner, name)

        def wrapped(*a, **k):
            if before:
                at(before)
            out = real(*a, **k)
            if after:
                at(after)
            return out
        setattr(owner, name, wrapped)

    real_replace = os.replace

    def replace(src, dst, *a, **k):
        tmp = str(src).endswith(".tmp")
        if tmp:
            at("replace-before")
        real_replace(src, dst, *a, **k)
        if tmp:
            at("replace-after")

    atomic.os.replace = replace  # the os module: this child only
    tx_exit = store._Tx.__exit__

    def exit_(self, exc_type, *rest):
        if not exc_type:
            at("commit-before")
        out = tx_exit(self, exc_type, *rest)
        if not exc_type:
            at("commit-after")
        return out

    store._Tx.__exit__ = exit_
    wrap(lexical.Lexical, "save", before="bm25-save")
    wrap(sync._Committer, "_commit", before="vector-commit")
    wrap(mf, "save", before="manifest-save")
    from qa_bot.cli import main as cli

    return cli(argv)


if __name__ == "__main__":
    sys.exit(main())
