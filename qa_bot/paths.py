"""Where libraries live: ``--index`` takes a name (a folder under ``embeddings/``) or a path."""

from __future__ import annotations

import os
import re
from pathlib import Path

DEMO = "demo"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def embeddings_root() -> Path:
    """``$QA_BOT_EMBEDDINGS`` if set, else ``./embeddings`` (the repository's folder when run from it)."""
    return Path(os.environ.get("QA_BOT_EMBEDDINGS") or Path.cwd() / "embeddings")


def resolve_index(index: str | os.PathLike | None) -> Path:
    if index is None or str(index) == "":
        return embeddings_root() / DEMO
    s = str(index)
    if os.sep in s or "/" in s or s.startswith(".") or Path(s).is_absolute():
        return Path(s).expanduser()
    if not _NAME.match(s):
        from .errors import BadQuestion

        raise BadQuestion(f"--index {s!r}: a name must be letters, digits, '.', '_' or '-' (or give a path)")
    return embeddings_root() / s


def is_demo(folder: Path) -> bool:
    return folder.resolve() == (embeddings_root() / DEMO).resolve()
