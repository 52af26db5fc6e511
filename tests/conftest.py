"""Shared fixtures. Real data lives in tests/data (see tests/data/SOURCE.md); no test reads ../shared."""

from __future__ import annotations

import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def embeddings_root(tmp_path, monkeypatch) -> Path:
    """An empty embeddings/ folder for this test (QA_BOT_EMBEDDINGS points at it)."""
    root = tmp_path / "embeddings"
    root.mkdir()
    monkeypatch.setenv("QA_BOT_EMBEDDINGS", str(root))
    return root


@pytest.fixture(scope="session")
def pena_opinion():
    """Pena v. DePrisco as the ingest stage builds it (text loader with its sidecar, structure), untagged."""
    from qa_bot.ingest import loaders, structure

    (doc,) = list(loaders.load(DATA / "pena-v-deprisco.txt"))
    return structure.build(doc)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served_pena(root: Path, max_upload_mb: int):
    """The web chat over a real library holding Pena v. DePrisco, served on a free loopback port:
    yields (gradio app, url, library, root)."""
    from qa_bot.library import Library
    from qa_bot.web.app import build_app, launch_kwargs

    src = root / "src"
    src.mkdir()
    for name in ("pena-v-deprisco.txt", "pena-v-deprisco.json"):
        shutil.copy(DATA / name, src / name)
    lib = Library.open(root / "index", create=True)
    report = lib.ingest([src / "pena-v-deprisco.txt"])
    assert len(report.ingested) == 1, report.lines()
    app = build_app(lib, max_upload_mb=max_upload_mb)
    app.queue()
    port = free_port()
    app.launch(prevent_thread_lock=True, quiet=True, **launch_kwargs("127.0.0.1", port, max_upload_mb, None))
    try:
        yield app, f"http://127.0.0.1:{port}/", lib, root
    finally:
        app.close()
        lib.close()
