"""Damaged libraries (issue 10, Build 2): every file of a library truncated, bit-flipped, deleted or
swapped in from another library, model or version is detected with a message naming the file and the
command that repairs it; the repair gives back a working library; a damaged library never gives a
wrong answer, and a damaged vector file does not stop BM25 searches (item 8)."""

from __future__ import annotations

import random
import shutil
import sqlite3

import pytest
from conftest import DATA, LONG

from qa_bot.cli import main
from qa_bot.library import Library

QUESTION = "What did the court hold about qualified immunity?"
FILES = ("library.sqlite", "library.sqlite-wal", "lexical", "vectors", "manifest.json")
DAMAGES = ("truncate", "bitflip", "delete", "swap")
FLIPS = 25 if LONG else 1  # bit-flip trials per file (seeded)
# Every message about a damaged file names it and one of these repairs.
REPAIRS = ("qa-bot check --repair", "qa-bot sync", "restore it from a backup", "upgrade qa-bot")


@pytest.fixture(autouse=True, scope="module")
def fake_embedder():
    """The suite is about files, not vectors' quality: a deterministic hashed embedder keeps it quick.
    (The long form, QA_BOT_LONG=1, runs the same cases; crash and load suites use the real model.)"""
    from qa_bot.index import embed
    from qa_bot.ingest import chunk

    real, real_tokens = embed.Embedder, chunk.default_model_tokens
    embed.Embedder = embed.FakeEmbedder
    chunk.default_model_tokens = lambda model=None: real_tokens()  # the fake has no tokenizer: MiniLM's
    yield
    embed.Embedder, chunk.default_model_tokens = real, real_tokens


def _build(folder, paths) -> None:
    lib = Library.open(folder, create=True)
    try:
        report = lib.ingest(paths)
        assert not report.failed, report.lines()
    finally:
        lib.close()


CAP = DATA / "cap" / "json"


@pytest.fixture(scope="module")
def libraries(tmp_path_factory):
    """A: Pena and one CAP case; W: A plus another case whose transaction is still in the WAL (the
    folder copied while a connection holds it open); B: another library, whose files are the 'swapped
    in from another library' damage."""
    root = tmp_path_factory.mktemp("corrupt")
    _build(root / "A", [DATA / "pena-v-deprisco.txt", CAP / "0456-01.json"])
    _build(root / "B", [CAP / "0833-01.json"])
    _with_wal(root / "A", root / "W", CAP / "0833-01.json")
    _with_wal(root / "B", root / "BW", DATA / "pena-v-deprisco.normalized.txt")  # its WAL is swapped into W
    return root


def _with_wal(src, dest, more) -> None:
    """``dest``: ``src`` after ingesting ``more``, copied while a connection still holds the WAL (as a
    crash or a copy of a running library leaves it)."""
    work = dest.with_name(dest.name + ".src")
    shutil.copytree(src, work)
    lib = Library.open(work)
    lib.store.db.execute("PRAGMA wal_autocheckpoint=0")
    lib.ingest([more])
    holder = sqlite3.connect(work / "library.sqlite")  # keeps the WAL when the library closes
    holder.execute("PRAGMA wal_autocheckpoint=0")
    holder.execute("SELECT count(*) FROM passages").fetchone()
    lib.close()
    shutil.copytree(work, dest)
    holder.close()
    assert (dest / "library.sqlite-wal").stat().st_size > 0


def _file(folder, name):
    if name in ("lexical", "vectors"):
        (path,) = folder.glob(f"{name}.*")
        return path
    return folder / name


def _damage(folder, name, damage, other, seed=0) -> None:
    path = _file(folder, name)
    if damage == "truncate":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif damage == "bitflip":
        data = bytearray(path.read_bytes())
        rng = random.Random(f"{name}-{seed}")
        for _ in range(1 + seed % 3):  # one to three flipped bits
            i = rng.randrange(len(data))
            data[i] ^= 1 << rng.randrange(8)
        path.write_bytes(bytes(data))
    elif damage == "delete":
        path.unlink()
    elif damage == "swap":
        src = _file(other, name) if name != "library.sqlite-wal" else other / "library.sqlite-wal"
        path.unlink()
        shutil.copy(src, folder / (src.name if name in ("lexical", "vectors") else name))


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
    """What each library answers before any damage (W read through its WAL)."""
    import contextlib
    import io

    out = {}
    for name in ("A", "B", "W", "BW"):
        folder = tmp_path_factory.mktemp("base") / name
        shutil.copytree(libraries / name, folder)
        for mode in ("bm25", "hybrid"):
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                assert main(["ask", QUESTION, "--mode", mode, "--index", str(folder), "--quiet"]) == 0
            out[name, mode] = buf.getvalue()
    return out


def _cases():
    for name in FILES:
        for damage in DAMAGES:
            for seed in range(FLIPS if damage == "bitflip" else 1):
                yield pytest.param(name, damage, seed, id=f"{name}-{damage}-{seed}")


@pytest.mark.parametrize("name, damage, seed", list(_cases()))
def test_damage_is_detected_named_and_repaired(libraries, baseline, tmp_path, capsys, name, damage, seed):
    """Each file of a library damaged one way: the answer is the undamaged one, or a message naming
    the file and its repair; ``qa-bot check --repair`` then gives a library that answers as before."""
    lib = "W" if name == "library.sqlite-wal" else "A"
    folder = tmp_path / lib
    shutil.copytree(libraries / lib, folder)
    _damage(folder, name, damage, libraries / ("BW" if lib == "W" else "B"), seed)
    rc, out, err = _answer(capsys, folder)
    if rc == 0:
        assert out == baseline[lib, "hybrid"], "a damaged library gave another answer"
    else:
        named = name.split("-")[0] if name != "library.sqlite-wal" else "library.sqlite"
        assert rc == 2 and named in err and any(r in err for r in REPAIRS), err
    rc, out, err = _cli(capsys, "check", "--repair", "--index", str(folder), "--quiet")
    if name == "library.sqlite" and damage == "delete":
        assert rc == 2 and "restore it from a backup" in err  # the indexes hold no text to rebuild from
        return
    if rc == 1:  # part of the store could not be read nor traced to its file: said, then ingested again
        assert "lost " in out and "ingest" in out, out + err
        rc, *_ = _cli(capsys, "ingest", str(DATA / "pena-v-deprisco.txt"), str(CAP / "0456-01.json"), "--index",
                      str(folder), "--quiet")
    assert rc == 0, out + err
    rc, out, err = _cli(capsys, "check", "--index", str(folder), "--quiet")
    assert rc == 0 and "damaged" not in out, out
    rc, out, _ = _answer(capsys, folder)
    if name.startswith("library.sqlite") and damage == "swap":
        # another library's valid store (or WAL, which SQLite applies whole): the indexes are rebuilt for it
        expected = baseline["BW" if lib == "W" else "B", "hybrid"]
    elif lib == "W":
        expected = (baseline["W", "hybrid"], baseline["A", "hybrid"])  # the WAL's transaction kept, or lost
    else:
        expected = baseline[lib, "hybrid"]
    assert rc == 0 and out in (expected if isinstance(expected, tuple) else (expected,))


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
    assert rc == 0 and out == baseline["A", "hybrid"]


def test_check_tells_pending_work_from_damage(tmp_path, capsys):
    rc, *_ = _cli(capsys, "ingest", str(DATA / "pena-v-deprisco.txt"), "--no-embed", "--index", str(tmp_path / "L"),
                  "--quiet")
    rc, out, _ = _cli(capsys, "check", "--index", str(tmp_path / "L"))
    assert rc == 0 and out.startswith("pending ") and "no vector index yet; run qa-bot sync" in out


def test_repair_names_what_it_could_not_recover(tmp_path, capsys):
    """An opinion whose stored text is damaged and whose file is gone is named, not silently dropped."""
    src = tmp_path / "pena.txt"
    shutil.copy(DATA / "pena-v-deprisco.txt", src)
    folder = tmp_path / "L"
    rc, *_ = _cli(capsys, "ingest", str(src), str(CAP / "0456-01.json"), "--index", str(folder), "--quiet")
    src.unlink()
    db = folder / "library.sqlite"
    db.write_bytes(db.read_bytes().replace(b"jury", b"kury"))
    rc, out, err = _cli(capsys, "check", "--repair", "--index", str(folder), "--quiet")
    assert rc == 1 and f"lost      ee756d7f64f27f3d ({src})" in out, out
    assert "library.sqlite.damaged-" in out and list(folder.glob("library.sqlite.damaged-*"))
    rc, out, _ = _cli(capsys, "search", "jury", "--mode", "bm25", "--index", str(folder), "--quiet")
    assert rc == 0 and "Pena" not in out  # the rest of the library works; the lost opinion is gone, as said
