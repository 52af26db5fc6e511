"""``<folder>/manifest.json``: what the search indexes beside the store were built with and from.

Versioned (``{"format": 1, ...}``) and written atomically last, after the index files it names, so it
always describes a consistent set. Index files carry a generation number in their name
(``vectors.3.faiss``): a new file never overwrites the one the current manifest points at, so an
interrupted save leaves the previous index usable. Each file's sha256 is checked on load.

    {"format": 1, "updated": "...",
     "embedding": {"model", "identity", "resolved", "dim", "normalize", "query_prompt", "document_prompt"},
     "chunk": {...ChunkSettings...},
     "vectors": {"file", "kind", "count", "sha256", "ids": [[lo, hi], ...], "deleted": [...]},
     "lexical": {"file", "kind", "count", "sha256", "ids": [[lo, hi], ...]}}
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from pathlib import Path
from typing import Iterable

import numpy as np

from ..atomic import write_json
from ..errors import IndexCorrupt, IndexMismatch, IndexNotFound

FORMAT = 1
NAME = "manifest.json"


def empty() -> dict:
    return {"format": FORMAT, "embedding": None, "chunk": None, "vectors": None, "lexical": None}


def load(folder: Path) -> dict:
    """The manifest in ``folder`` (an empty one when there is none yet)."""
    path = Path(folder) / NAME
    if not path.exists():
        return empty()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeError, ValueError) as e:
        raise IndexCorrupt(f"{path}: unreadable manifest ({e}); delete it and run qa-bot sync") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise IndexCorrupt(f"{path}: manifest format {data.get('format') if isinstance(data, dict) else '?'}, "
                           f"this qa-bot reads format {FORMAT}; delete it and run qa-bot sync")
    return {**empty(), **data}


def save(folder: Path, data: dict) -> None:
    path = Path(folder) / NAME
    data = {**data, "format": FORMAT, "updated": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")}
    write_json(path, data)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verified_path(folder: Path, entry: dict, what: str) -> Path:
    """The path of an index file named in the manifest, after checking it exists and its checksum."""
    path = Path(folder) / entry["file"]
    if not path.exists():
        raise IndexNotFound(f"{path}: the {what} index named in {NAME} is missing; run qa-bot sync to rebuild it")
    if sha256_file(path) != entry.get("sha256"):
        raise IndexCorrupt(f"{path}: checksum does not match {NAME} (the {what} index is damaged or was "
                           "changed outside qa-bot); run qa-bot sync to rebuild it")
    return path


def next_file(folder: Path, stem: str, suffix: str, current: dict | None) -> str:
    """A fresh generation-numbered file name (``vectors.4.faiss``)."""
    gen = 1
    if current and current.get("file"):
        try:
            gen = int(current["file"].split(".")[-2]) + 1
        except (ValueError, IndexError):
            gen = 1
    return f"{stem}.{gen}{suffix}"


def cleanup(folder: Path, stem: str, suffix: str, keep: str) -> None:
    """Delete older generations (and stray temp files) of an index file once the manifest moved on."""
    for p in Path(folder).glob(f"{stem}.*"):
        if p.name != keep and (p.name.endswith(suffix) or p.name.endswith(".tmp")):
            p.unlink(missing_ok=True)


def ranges(ids: Iterable[int]) -> list[list[int]]:
    """Sorted ids as inclusive runs: [1, 2, 3, 7] -> [[1, 3], [7, 7]] (compact for mostly dense ids)."""
    arr = np.unique(np.fromiter(ids, dtype=np.int64))
    if not len(arr):
        return []
    breaks = np.flatnonzero(np.diff(arr) != 1)
    starts = np.concatenate([[arr[0]], arr[breaks + 1]])
    ends = np.concatenate([arr[breaks], [arr[-1]]])
    return [[int(a), int(b)] for a, b in zip(starts, ends)]


def expand(runs: list[list[int]]) -> np.ndarray:
    if not runs:
        return np.zeros(0, dtype=np.int64)
    return np.concatenate([np.arange(a, b + 1, dtype=np.int64) for a, b in runs])


def embedding_entry(embedder) -> dict:
    from ..offline import resolve_model

    return {
        "model": embedder.name, "identity": embedder.identity, "resolved": resolve_model(embedder.name),
        "dim": int(embedder.dim), "normalize": bool(embedder.normalize),
        "query_prompt": embedder.query_prompt, "document_prompt": embedder.document_prompt,
    }


def check_embedding(folder: Path, recorded: dict | None, embedder) -> None:
    """``IndexMismatch`` when the vectors were built with another model, prompts or normalisation."""
    if not recorded:
        return
    if recorded.get("identity") != embedder.identity:
        raise IndexMismatch(
            f"{Path(folder) / NAME}: the vectors were built with embedding model {recorded.get('model')!r} "
            f"but the settings ask for {embedder.name!r}; query with --model {recorded.get('model')} or "
            "rebuild the vectors with that model (qa-bot sync --rebuild)")
    for key in ("query_prompt", "document_prompt", "normalize"):
        if key in recorded and recorded[key] != getattr(embedder, key):
            raise IndexMismatch(
                f"{Path(folder) / NAME}: the vectors were built with {key}={recorded[key]!r} but the settings "
                f"ask for {getattr(embedder, key)!r} (model {embedder.name!r})")
