"""One immutable view of a library's search indexes: the manifest as read, with the BM25 and vector
indexes it names, loaded (``retrieve.search.Retriever`` makes and swaps them; searches share them
without a lock)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import manifest as mf
from .lexical import Lexical
from .vectors import Vectors


@dataclass(frozen=True)
class Snapshot:
    """The indexes one manifest names, loaded; never changed after it is made (searches share it)."""

    key: bytes | None  # the manifest file's bytes when it was read
    manifest: dict
    lexical: Lexical | None
    vectors: Vectors | None
    unembedded: frozenset = frozenset()  # BM25 passage ids without a vector (while they fill in)
    broken: tuple = ()  # (("lexical" | "vectors", the error), ...): a damaged file blocks only its own modes

    @property
    def passages(self) -> int:
        return len(self.lexical) if self.lexical is not None else len(self.vectors or ())

    @property
    def embedded(self) -> int:
        return len(self.vectors) if self.vectors is not None else 0

    @property
    def synthetic(self) -> bool:
        """Its vectors are a benchmark's (eval/synthetic_vectors.py marks the manifest), not the passages'."""
        return self.vectors is not None and bool(self.manifest.get("synthetic"))


def manifest_key(folder: Path) -> bytes | None:
    """The manifest's bytes (a few KB, read per search): unlike its size, inode or mtime - which a file
    replaced twice within the file system's timestamp tick can keep - they always tell a change."""
    try:
        return (folder / mf.NAME).read_bytes()
    except FileNotFoundError:
        return None
