"""Bad input to the benchmark commands gets one line naming the option (issue 11); nothing is measured here."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("args, says", [
    (["--sections", "nope"], "--sections 'nope': choose from embed, quality, first_answer, llamaindex"),
    (["--sections", "llamaindex", "--llamaindex-python", "/no/such/python"], "--llamaindex-python '/no/such/python'"),
    (["--sections", "bm25"], "--sections bm25 needs --corpus-index"),
    (["--passages", "0"], "--passages must be a positive number"),
])
def test_bench_all_bad_input_is_one_line(args, says, tmp_path):
    p = subprocess.run([sys.executable, str(ROOT / "eval" / "bench_all.py"), *args, "--out", str(tmp_path)],
                       capture_output=True, text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert p.returncode == 2
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and says in lines[0], p.stderr
    assert not list(tmp_path.iterdir())  # nothing written


@pytest.mark.parametrize("args, says", [
    (["--corpus", "/no/such/corpus"], "--corpus /no/such/corpus: no such file or folder"),
    (["--corpus", str(ROOT / "tests" / "data" / "scotus-subset"), "--limit", "-1"], "--limit and --workers must be 0 or more"),
])
def test_bench_ingest_speed_bad_input_is_one_line(args, says):
    p = subprocess.run([sys.executable, str(ROOT / "eval" / "bench_ingest_speed.py"), *args],
                       capture_output=True, text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert p.returncode == 2
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and says in lines[0], p.stderr


def _synthetic_vectors(*args):
    p = subprocess.run([sys.executable, str(ROOT / "eval" / "synthetic_vectors.py"), *map(str, args)],
                       capture_output=True, text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    return p.returncode, p.stderr.strip().splitlines(), p.stdout


def test_synthetic_vectors_refuses_bad_input_and_never_pass_for_real(tmp_path, monkeypatch):
    """eval/synthetic_vectors.py: one line for a missing library, a source without vectors and a library
    with real vectors; what it writes is searched through the library's own path, and every search and
    status over it says the vectors are synthetic until sync --rebuild embeds real ones."""
    import shutil

    from conftest import copy_pena
    from qa_bot.index import embed
    from qa_bot.library import Library
    from qa_bot.web.status import render_status

    bare, real = tmp_path / "bare", tmp_path / "real"
    with Library.open(bare, create=True) as lib:
        assert not lib.ingest([copy_pena(tmp_path / "src")], embed=False).failed
    shutil.copytree(bare, real)
    monkeypatch.setattr(embed, "Embedder", embed.FakeEmbedder)  # real's "real" vectors: the fake's (64-d)
    with Library.open(real) as lib:
        lib.sync()
        n = lib.retriever.status()["vectors"]
        assert n == len(lib.store.passage_ids()) > 0

    for args, says in [(["--index", tmp_path / "nope", "--from", real], f"--index {tmp_path / 'nope'}: no library at"),
                       (["--index", bare, "--from", tmp_path / "nope"], f"--from {tmp_path / 'nope'}: no library at"),
                       (["--index", bare, "--from", bare], f"--from {bare}: no vectors to draw synthetic vectors from"),
                       (["--index", real, "--from", real], f"--index {real}: the library already has {n} real vectors")]:
        rc, err, _ = _synthetic_vectors(*args)
        assert rc == 2 and len(err) == 1 and err[0].startswith("error: ") and says in err[0], err
    assert "synthetic" not in (real / "manifest.json").read_text()  # the refused library is untouched

    rc, err, out = _synthetic_vectors("--index", bare, "--from", real, "--seed", 3)
    assert rc == 0 and "SYNTHETIC" in out, err
    with Library.open(bare) as lib:
        st = lib.retriever.status()
        assert st["synthetic_vectors"] and st["vectors"] == st["passages"] == n and st["vector_index"] == "flat"
        assert "SYNTHETIC" in render_status(lib.index_status())  # the chat's status line
        hits = lib.search("qualified immunity", mode="hybrid")
        assert hits and hits.retrieval.synthetic and "SYNTHETIC" in hits.retrieval.note()
        assert "SYNTHETIC" in lib.ask("Was the right clearly established?").retrieval.note()
        assert not lib.search("qualified immunity", mode="bm25").retrieval.note()
        lib.sync(rebuild=True)  # real vectors replace them, and the mark goes with them
        assert not lib.retriever.status()["synthetic_vectors"]
        assert not lib.search("qualified immunity", mode="hybrid").retrieval.synthetic
    with Library.open(real) as lib:
        assert not lib.retriever.status()["synthetic_vectors"]
