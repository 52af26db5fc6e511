"""Shared fixtures. Real data lives in tests/data (see tests/data/SOURCE.md); no test reads ../shared."""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
# The reliability suites (crash, corruption, fuzzing) run a short form in CI and a long form with
# QA_BOT_LONG=1 (eval/reliability/run_long.sh), whose counts the README reports.
LONG = os.environ.get("QA_BOT_LONG") == "1"


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


# Terry, Katz, Chimel and Bivens from the bundled demo corpus (qa_bot/demo/scotus, cluster ids), with Pena
QUESTION_CASES = (107729, 107564, 107979, 108375)


def build_question_library(folder: Path):
    """A real library (real model, real vectors) of Pena v. DePrisco and four Supreme Court opinions from
    the bundled demo corpus: the cases issue 8's example questions name, and Chimel and Bivens, whose
    passages used to answer them (a Chimel sentence for Katz's test, Bivens's caption for Pena)."""
    import json

    from qa_bot import demo
    from qa_bot.library import Library

    src = folder.parent / f"{folder.name}-src"
    corpus = src / "scotus"
    rows = [json.loads(line) for line in (demo.DATA / "scotus" / "cases.jsonl").read_text().splitlines()]
    rows = [r for r in rows if r["cluster_id"] in QUESTION_CASES]
    for r in rows:
        for o in r["opinions"]:
            (corpus / o["file"]).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(demo.DATA / "scotus" / o["file"], corpus / o["file"])
    (corpus / "cases.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    for name in ("pena-v-deprisco.txt", "pena-v-deprisco.json"):
        shutil.copy(DATA / name, src / name)
    lib = Library.open(folder, create=True)
    report = lib.ingest([src / "pena-v-deprisco.txt", corpus])
    assert len(report.ingested) == 1 + len(QUESTION_CASES), report.lines()
    return lib


@pytest.fixture(scope="session")
def question_lib(tmp_path_factory):
    lib = build_question_library(tmp_path_factory.mktemp("questions") / "lib")
    yield lib
    lib.close()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served(lib, max_upload_mb: int = 20):
    """The web chat over ``lib`` on a free loopback port: yields (gradio app, url)."""
    from qa_bot.web.app import build_app, launch_kwargs

    app = build_app(lib, max_upload_mb=max_upload_mb)
    app.queue()
    port = free_port()
    app.launch(prevent_thread_lock=True, quiet=True, **launch_kwargs("127.0.0.1", port, max_upload_mb, None))
    try:
        yield app, f"http://127.0.0.1:{port}/"
    finally:
        app.close()


@contextmanager
def served_pena(root: Path, max_upload_mb: int):
    """The web chat over a real library holding Pena v. DePrisco, served on a free loopback port:
    yields (gradio app, url, library, root)."""
    from qa_bot.library import Library

    src = root / "src"
    src.mkdir()
    for name in ("pena-v-deprisco.txt", "pena-v-deprisco.json"):
        shutil.copy(DATA / name, src / name)
    lib = Library.open(root / "index", create=True)
    report = lib.ingest([src / "pena-v-deprisco.txt"])
    assert len(report.ingested) == 1, report.lines()
    try:
        with served(lib, max_upload_mb) as (app, url):
            yield app, url, lib, root
    finally:
        lib.close()
