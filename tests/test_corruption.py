"""Damaged libraries (issue 10, Build 2): every file of a library truncated, bit-flipped, deleted or
swapped in from another library, model or version is detected with a message naming the file and the
command that repairs it; the repair gives back a working library; a damaged library never gives a
wrong answer, and a damaged vector file does not stop BM25 searches (item 8)."""

from __future__ import annotations

import json
import random
import shutil
import sqlite3

import pytest
from conftest import DATA

from qa_bot.cli import main
from qa_bot.library import Library

QUESTION = "What did the court hold about qualified immunity?"
FILES = ("library.sqlite", "lexical", "vectors", "manifest.json")


def _build(folder, paths) -> None:
    lib = Library.open(folder, create=True)
    try:
        report = lib.ingest(paths)
        assert not report.failed, report.lines()
    finally:
        lib.close()


@pytest.fixture(scope="module")
def libraries(tmp_path_factory):
    """Library A (Pena, with the real model's vectors) and B (another opinion): B's files are the
    'swapped from another library' damage."""
    root = tmp_path_factory.mktemp("corrupt")
    _build(root / "A", [DATA / "pena-v-deprisco.txt"])
    cap = next(p for p in sorted((DATA / "cap" / "json").glob("*.json")) if "truncated" not in p.name)
    _build(root / "B", [cap])
    return root


def _file(folder, name):
    if name in ("lexical", "vectors"):
        (path,) = folder.glob(f"{name}.*")
        return path
    return folder / name


def _cli(capsys, *args) -> tuple[int, str, str]:
    rc = main(list(args))
    out = capsys.readouterr()
    assert "Traceback" not in out.err, out.err
    return rc, out.out, out.err


def _answer(capsys, folder, mode="hybrid") -> tuple[int, str, str]:
    return _cli(capsys, "ask", QUESTION, "--mode", mode, "--index", str(folder), "--quiet")


@pytest.fixture
def lib_a(libraries, tmp_path):
    shutil.copytree(libraries / "A", tmp_path / "A")
    return tmp_path / "A"


@pytest.fixture(scope="module")
def baseline(libraries, tmp_path_factory):
    import contextlib
    import io

    folder = tmp_path_factory.mktemp("base") / "A"
    shutil.copytree(libraries / "A", folder)
    out = {}
    for mode in ("bm25", "hybrid"):
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            assert main(["ask", QUESTION, "--mode", mode, "--index", str(folder), "--quiet"]) == 0
        out[mode] = buf.getvalue()
    return out


def test_a_damaged_vector_file_does_not_stop_bm25(lib_a, capsys, baseline):
    path = _file(lib_a, "vectors")
    path.write_bytes(path.read_bytes()[:1000])
    rc, out, _ = _answer(capsys, lib_a, "bm25")
    # item 8: this failed on the vector file's checksum. A BM25 answer reads the stored vectors when it can
    # (their cosine scores its sentences); with the file damaged it is scored on the words alone, so it
    # may quote other sentences of the same passages - but it answers, with cites.
    assert rc == 0 and "[1]" in out and "Pena v. DePrisco, 432 F.3d 98, " in out
    rc, _, err = _answer(capsys, lib_a, "hybrid")
    assert rc == 2 and str(path) in err and "qa-bot sync" in err


@pytest.mark.parametrize("content", ['{"format": 9, "lexical": null}', "{ damaged", '["a list"]'])
def test_sync_rebuild_replaces_a_damaged_or_other_version_manifest(lib_a, capsys, baseline, content):
    (lib_a / "manifest.json").write_text(content, encoding="utf-8")
    rc, _, err = _answer(capsys, lib_a, "bm25")
    assert rc == 2 and "manifest.json" in err and "qa-bot sync --rebuild" in err
    rc, _, err = _cli(capsys, "sync", "--index", str(lib_a), "--quiet")
    assert rc == 2  # a plain sync does not guess
    rc, out, err = _cli(capsys, "sync", "--rebuild", "--index", str(lib_a), "--quiet")
    assert rc == 0, err
    rc, out, _ = _answer(capsys, lib_a, "hybrid")
    assert rc == 0 and out == baseline["hybrid"]
