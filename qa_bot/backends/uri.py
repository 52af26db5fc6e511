"""Where a library's passages and indexes live, as a URI given to ``--index``.

    NAME or PATH                          local: a folder (SQLite store + bm25s + FAISS), as before
    milvus-lite:///path/to/library.db     embedded Milvus Lite (no server); collection = the file's stem
    milvus-lite:///path/to/x.db#NAME      ... with another collection name
    milvus://host:19530/NAME              a Milvus server or cluster (``milvuss://`` for TLS)

Nothing else in qa-bot parses these: ``parse`` returns a ``BackendURI`` and ``qa_bot.backends.open``
opens it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import BadQuestion

SCHEMES = ("milvus", "milvuss", "milvus-lite")
_COLLECTION = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,200}$")


@dataclass(frozen=True)
class BackendURI:
    kind: str  # "local" | "milvus"
    text: str  # as the user wrote it (for messages)
    path: Path | None = None  # local folder, or the Milvus Lite .db file
    address: str = ""  # "http://host:19530" for a server
    collection: str = ""

    @property
    def lite(self) -> bool:
        return self.kind == "milvus" and self.path is not None

    @property
    def client_uri(self) -> str:
        """What ``pymilvus.MilvusClient(uri=...)`` takes."""
        return str(self.path) if self.path is not None else self.address


def is_uri(index: str | os.PathLike | None) -> bool:
    return index is not None and str(index).split(":", 1)[0].lower() in SCHEMES and "://" in str(index)


def parse(index: str | os.PathLike) -> BackendURI:
    """A ``milvus://`` or ``milvus-lite://`` URI as a ``BackendURI`` (``BadQuestion`` naming what is wrong)."""
    text = str(index)
    u = urlsplit(text)
    scheme = u.scheme.lower()
    if scheme not in SCHEMES:
        raise BadQuestion(f"--index {text!r}: unknown scheme {u.scheme!r}; valid: {', '.join(SCHEMES)} "
                          "(or a library name or folder)")
    if scheme == "milvus-lite":
        if not u.path or u.path.endswith("/"):
            raise BadQuestion(f"--index {text!r}: expected milvus-lite:///path/to/library.db")
        path = Path((u.netloc + u.path) if u.netloc not in ("", "localhost") else u.path).expanduser()
        if path.suffix != ".db":
            raise BadQuestion(f"--index {text!r}: a Milvus Lite library is a path ending in .db "
                              "(milvus-lite:///path/to/library.db)")
        name = u.fragment or _collection_name(path.stem)
        _check_collection(text, name)
        return BackendURI("milvus", text, path=path, collection=name)
    if not u.hostname:
        raise BadQuestion(f"--index {text!r}: expected milvus://host:19530/COLLECTION")
    name = u.path.strip("/")
    if not name:
        raise BadQuestion(f"--index {text!r}: no collection named; expected milvus://host:19530/COLLECTION")
    _check_collection(text, name)
    port = u.port or 19530
    proto = "https" if scheme == "milvuss" else "http"
    return BackendURI("milvus", text, address=f"{proto}://{u.hostname}:{port}", collection=name)


def _collection_name(stem: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_]", "_", stem)
    return name if name and not name[0].isdigit() else f"lib_{name}"


def _check_collection(text: str, name: str) -> None:
    if not _COLLECTION.match(name):
        raise BadQuestion(f"--index {text!r}: collection name {name!r} must start with a letter or '_' and "
                          "hold only letters, digits and '_'")
