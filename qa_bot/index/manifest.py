"""``<folder>/manifest.json``: what the search indexes beside the store were built with and from.

Versioned (``{"format": 1, ...}``) and written atomically last, after the index files it names, so it
always describes a consistent set. Index files carry a generation number in their name
(``vectors.3.faiss``): a new file never overwrites the one the current manifest points at, so an
interrupted save leaves the previous index usable. Each file's sha256 is checked on load, and the
manifest's own ``checksum`` (sha256 of the rest of it) too. ``store`` records which store the indexes
were built from (``Store.identity()``): indexes are never used with, or synced against, a store that
was replaced, emptied or went back in time (``check_store``); ``qa-bot sync --rebuild`` is the explicit
way to index a store anew, and it also replaces a manifest that is damaged or of another version.

    {"format": 1, "updated": "...", "checksum": "...", "store": {"id", "generation"},
     "embedding": {"model", "identity", "resolved", "dim", "normalize", "query_prompt", "document_prompt",
                   "encoder", "precision"},
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

from ..atomic import stale_temps, write_json
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
    fix = f"run qa-bot sync --rebuild --index {Path(folder)} to rebuild the search indexes from the store"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeError, ValueError, RecursionError) as e:
        raise IndexCorrupt(f"{path}: unreadable manifest ({type(e).__name__}: {str(e)[:200]}); {fix}") from None
    fmt = data.get("format") if isinstance(data, dict) else None
    if isinstance(fmt, int) and fmt > FORMAT:
        raise IndexCorrupt(f"{path}: written by a newer qa-bot (manifest format {fmt}, this qa-bot reads {FORMAT}); "
                           f"upgrade qa-bot, or {fix}")
    if fmt != FORMAT:
        raise IndexCorrupt(f"{path}: not a format-{FORMAT} manifest (format {fmt!r}); {fix}")
    if "checksum" in data and data["checksum"] != _checksum(data):
        raise IndexCorrupt(f"{path}: the manifest does not match its checksum (damaged); {fix}")
    for key in ("embedding", "chunk", "vectors", "lexical", "store"):
        entry = data.get(key)
        if entry is not None and not isinstance(entry, dict) or key in ("vectors", "lexical") and entry and (
                not isinstance(entry.get("file"), str) or "/" in entry["file"] or "\\" in entry["file"]):
            raise IndexCorrupt(f"{path}: malformed {key!r} entry; {fix}")
    return {**empty(), **data}


def save(folder: Path, data: dict) -> None:
    path = Path(folder) / NAME
    data = {k: v for k, v in data.items() if k != "checksum"}
    data = {**data, "format": FORMAT, "updated": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")}
    write_json(path, {**data, "checksum": _checksum(data)})


def _checksum(data: dict) -> str:
    body = {k: v for k, v in data.items() if k != "checksum"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def check_store(folder: Path, data: dict, store) -> None:
    """``StoreCorrupt`` unless the indexes ``data`` describes were built from ``store`` as it is now: the
    same store (not one replaced or emptied since) at the same or a later generation (not one that lost
    write transactions). A manifest from before store ids is accepted unless it lists passages while
    the store holds none."""
    from ..errors import StoreCorrupt

    listed = max((data.get(k) or {}).get("count", 0) for k in ("lexical", "vectors"))
    if not listed:
        return
    rec, now = data.get("store") or {}, store.identity()
    db = store.path
    rebuild = (f"to index what the store holds now instead, run qa-bot sync --rebuild --index {Path(folder)} "
               "(the indexes are rebuilt; nothing in the store changes)")
    if rec.get("id") and rec["id"] != now["id"] or not rec and not store.has_passages():
        n = len(store.passage_ids())
        seen = (f"{NAME} was written for store {str(rec['id'])[:8]} with {listed} passages; this is store "
                f"{now['id'][:8]} with {n}") if rec else f"{NAME} lists {listed} indexed passages; this store holds none"
        raise StoreCorrupt(f"{db}: not the store the search indexes beside it were built from ({seen}): it was "
                           f"replaced or emptied. Restore the original {db.name} from a backup; {rebuild}")
    if now["generation"] < int(rec.get("generation") or 0):
        raise StoreCorrupt(f"{db}: older than the search indexes beside it (write generation {now['generation']}, "
                           f"{NAME} records {rec['generation']}): committed changes were lost (a deleted or damaged "
                           f"{db.name}-wal, or an older copy put back). Restore the missing file if you can; {rebuild}")


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
        raise IndexNotFound(f"{path}: the {what} index named in {NAME} is missing; "
                            f"run qa-bot sync --index {Path(folder)} to rebuild it")
    if sha256_file(path) != entry.get("sha256"):
        raise IndexCorrupt(f"{path}: checksum does not match {NAME} (the {what} index is damaged or was "
                           f"changed outside qa-bot); run qa-bot sync --index {Path(folder)} to rebuild it")
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
    """Delete older generations of an index file once the manifest moved on, and the temp files an
    interrupted save of one left behind (``.vectors.3.faiss.*.tmp``: as large as the index). Call it
    under the writer lock, so no other writer is mid-save."""
    for p in Path(folder).glob(f"{stem}.*"):
        if p.name != keep and (p.name.endswith(suffix) or p.name.endswith(".tmp")):
            p.unlink(missing_ok=True)
    for p in stale_temps(folder, stem):
        p.unlink(missing_ok=True)


def remove_stale_temps(folder: Path) -> None:
    """Every temp file an interrupted save left in ``folder`` (index files and the manifest); under the
    writer lock."""
    for name in ("vectors", "lexical", NAME):
        for p in stale_temps(folder, name):
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
        "encoder": getattr(embedder, "encoder", "torch"), "precision": getattr(embedder, "precision", "fp32"),
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
    built, asked = recorded.get("precision", "fp32"), getattr(embedder, "precision", "fp32")
    if built != asked:  # indexes from before encoders were recorded were all built in fp32 (torch)
        raise IndexMismatch(
            f"{Path(folder) / NAME}: the vectors were embedded in {built} (encoder "
            f"{recorded.get('encoder', 'torch')!r}) but the settings ask for the {asked} encoder "
            f"{getattr(embedder, 'encoder', 'torch')!r}; query with --encoder {recorded.get('encoder', 'torch')} "
            "or re-embed the library with the new encoder (qa-bot sync --rebuild --encoder ...)")
    for key in ("query_prompt", "document_prompt", "normalize"):
        if key in recorded and recorded[key] != getattr(embedder, key):
            raise IndexMismatch(
                f"{Path(folder) / NAME}: the vectors were built with {key}={recorded[key]!r} but the settings "
                f"ask for {getattr(embedder, key)!r} (model {embedder.name!r})")


def check_chunk(folder: Path, recorded: dict | None, chunk) -> None:
    """``IndexMismatch`` when the library's passages were cut with other chunk settings than ``chunk``
    (``ChunkSettings``): one library, one way of cutting opinions into passages."""
    from dataclasses import asdict

    if not recorded:
        return
    asked = asdict(chunk)
    diff = [f"{k}={recorded[k]!r} (asked: {asked[k]!r})" for k in asked if k in recorded and recorded[k] != asked[k]]
    if diff:
        raise IndexMismatch(f"{Path(folder) / NAME}: the library's passages were cut with other chunk settings: "
                            f"{', '.join(diff)}; ingest with the library's own settings (what Library.open gives "
                            "without settings) or into a new library")


def recorded_embedding(folder: Path, backend=None) -> dict | None:
    """The ``embedding`` entry a library's vectors were made with (Milvus keeps it in its own meta); None
    when it has no vectors yet, or its manifest is damaged (reported where the manifest is read to search)."""
    if backend is not None:
        return (backend.meta() or {}).get("embedding") if callable(getattr(backend, "meta", None)) else None
    try:
        m = load(folder)
    except IndexCorrupt:
        return None
    return m.get("embedding") if m.get("vectors") else None
