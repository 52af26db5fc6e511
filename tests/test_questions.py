"""The question path: any text a user (or a script) sends is either answered or refused with a
``BadQuestion`` message, in every retrieval mode (issue 10, item 6)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DATA

from qa_bot.library import Library


@pytest.fixture(scope="module")
def pena(tmp_path_factory):
    lib = Library.open(tmp_path_factory.mktemp("q") / "lib", create=True)
    lib.ingest([DATA / "pena-v-deprisco.txt"])  # with the real model's vectors: dense mode is the one that failed
    yield lib
    lib.close()


@pytest.mark.parametrize("mode", ["bm25", "dense", "hybrid"])
def test_lone_surrogates_are_dropped_like_control_characters(pena, mode):
    """'contract \\ud800' raised a TypeError from the model's tokenizer in dense and hybrid mode."""
    hits = pena.search("qualified \ud800immunity \udcff", mode=mode, k=3)
    assert hits and hits[0].passage.citation == "432 F.3d 98"
    assert not pena.ask("What about qualified \ud800 immunity?", mode=mode).abstained


def test_cli_question_with_a_byte_that_is_not_utf8(pena):
    """A shell passes bytes; Python decodes a bad one as a lone surrogate. No traceback."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    cli = [sys.executable, "-c", "import sys; from qa_bot.cli import main; sys.exit(main())"]
    for command in ("search", "ask"):
        r = subprocess.run(cli + [command, b"qualified immunity \xed\xa0\x80 \xff", "--index", str(pena.folder),
                                  "--quiet"], capture_output=True, env=env, timeout=600)
        assert r.returncode == 0 and b"Traceback" not in r.stderr, r.stderr.decode("utf-8", "replace")[-800:]
        assert b"Pena" in r.stdout
