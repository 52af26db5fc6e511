"""Loaders: one small module per input format behind one registry.

Each loader module defines::

    NAME: str                                   # "text", "courtlistener-html", ...
    DESCRIPTION: str                            # one line for error messages and --help
    def sniff(path: Path, head: bytes) -> bool  # is this file (or folder) mine?
    def load(path: Path) -> Iterator[Document | InputError]

``load`` yields one ``Document`` per opinion in the file (a CSV or a corpus folder holds many) and
yields (not raises) an ``InputError`` for a bad entry so the rest of the file still loads; it raises
``InputError`` when the whole file is unusable. A loader that sets ``DEFERS = True`` also takes
``load(path, defer=True)`` and then yields ``Pending`` documents, parsed later by whoever prepares them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from ...errors import InputError, UnknownFormat
from ...types import Document
from ._common import Pending

__all__ = ["Pending", "detect", "formats", "iter_files", "load", "registry"]

# Order matters: the first loader whose sniff() says yes wins. Folder loaders come first.
_MODULES = ("scotus", "cap", "courtlistener", "csvrows", "pdf", "text")


def registry() -> dict:
    import importlib

    return {m.NAME: m for m in (importlib.import_module(f"{__name__}.{name}") for name in _MODULES)}


def formats() -> list[str]:
    return [f"{name} ({m.DESCRIPTION})" for name, m in registry().items()]


def detect(path: Path):
    """The loader module for ``path``; ``UnknownFormat`` (listing the known formats) if none fits."""
    head = b""
    if path.is_file():
        with open(path, "rb") as f:
            head = f.read(4096)
    for m in registry().values():
        if m.sniff(path, head):
            return m
    raise UnknownFormat(str(path), list(registry()))


def iter_files(paths) -> Iterator[Path | InputError]:
    """Expand files and folders (recursively) into loadable paths. A folder that one loader claims
    whole (a corpus layout) is yielded as itself. Sidecar ``NAME.json`` metadata files are skipped."""
    for raw in paths:
        p = Path(raw)
        if not p.exists():
            yield InputError(str(p), "no such file or folder")
            continue
        if p.is_file():
            yield p
            continue
        yield from _walk_folder(p)


def _walk_folder(folder: Path) -> Iterator[Path]:
    """Files under ``folder`` in name order; a (sub)folder that a loader claims whole is yielded as itself."""
    try:
        claimed = detect(folder) is not None
    except UnknownFormat:
        claimed = False
    if claimed:
        yield folder
        return
    for x in sorted(folder.iterdir()):
        if x.name.startswith("."):
            continue
        if x.is_dir():
            yield from _walk_folder(x)
        elif x.is_file():
            if x.suffix.lower() == ".json" and any(x.with_suffix(s).exists() for s in (".txt", ".html", ".pdf", ".xml")):
                continue  # sidecar metadata, read by the loader of its opinion file
            yield x


def load(path: str | Path, defer: bool = False) -> Iterator[Document | Pending | InputError]:
    """Every opinion in ``path`` (file or folder), with an ``InputError`` in place of each bad one.
    ``defer``: a loader that can (``DEFERS``) yields ``Pending`` documents instead of parsed ones."""
    for p in iter_files([path]):
        if isinstance(p, InputError):
            yield p
            continue
        try:
            m = detect(p)
            yield from (m.load(p, defer=True) if defer and getattr(m, "DEFERS", False) else m.load(p))
        except InputError as e:
            yield e
        except (OSError, UnicodeError, ValueError) as e:
            yield InputError(str(p), f"could not be read ({type(e).__name__}: {e})")


