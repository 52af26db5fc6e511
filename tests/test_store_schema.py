"""The store's schema: ordered migrations in one transaction, a newer store refused, and checksums of
stored text verified before anything is quoted (issue 10, items 2 and 3)."""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from conftest import DATA

from qa_bot.errors import StoreCorrupt
from qa_bot.ingest import schema
from qa_bot.ingest.store import DB_NAME, Store
from qa_bot.library import Library


@pytest.fixture(scope="module")
def pena_store(tmp_path_factory):
    root = tmp_path_factory.mktemp("schema")
    lib = Library.open(root / "lib", create=True)
    report = lib.ingest([DATA / "pena-v-deprisco.txt"], embed=False)
    assert len(report.ingested) == 1
    lib.close()
    return root / "lib"


@pytest.fixture
def lib_dir(pena_store, tmp_path):
    dest = tmp_path / "lib"
    shutil.copytree(pena_store, dest)
    return dest


def _downgrade_to_v1(folder) -> None:
    """What a version-1 store looks like: no checksum columns, no store id or generation."""
    db = sqlite3.connect(folder / DB_NAME)
    db.execute("ALTER TABLE opinions DROP COLUMN cite_sum")
    db.execute("ALTER TABLE opinions DROP COLUMN body_sum")
    db.execute("ALTER TABLE passages DROP COLUMN checksum")
    db.execute("DROP TABLE IF EXISTS sentence_roles")  # version 3's
    db.execute("DELETE FROM meta WHERE key IN ('store_id', 'generation')")
    db.execute("UPDATE meta SET value='1' WHERE key='schema_version'")
    db.commit()
    db.close()


def _columns(folder, table: str) -> set[str]:
    db = sqlite3.connect(folder / DB_NAME)
    try:
        return {r[1] for r in db.execute(f"PRAGMA table_info({table})")}
    finally:
        db.close()


def test_new_store_is_created_at_v1_and_migrated_to_current(tmp_path):
    with Store(tmp_path / "new") as st:
        assert st.get_meta("schema_version") == str(schema.SCHEMA_VERSION)
        assert len(st.identity()["id"]) == 32 and st.identity()["generation"] == 0
    assert {"cite_sum", "body_sum"} <= _columns(tmp_path / "new", "opinions")
    assert schema.SCHEMA_VERSION == 1 + len(schema.MIGRATIONS)


@pytest.mark.parametrize("row", [(7, "a1b2", 0, "Held: \u00a7 1983 \ud800 \u2014 text", 0, 40, "", "majority", None, 98, 99,
                                  "12", 57), (1 << 40, "", -1, "", None, None)])
def test_a_checksum_finished_from_the_id_is_the_rows_checksum(row):
    """A worker sums a passage's row but its id; the writer finishes the checksum from the id it gives:
    the same checksum as the whole row's (what every read verifies, and what the migration computed)."""
    assert schema.digest(row[:1], schema.summed(row[1:])) == schema.digest(row)
    assert schema.digest(row[:1], schema.summed(row[2:])) != schema.digest(row)


def test_v1_store_is_upgraded_in_place_with_checksums(lib_dir):
    with Store(lib_dir) as st:
        before = [(p.id, p.text) for p in st.passages()]
    _downgrade_to_v1(lib_dir)
    assert "checksum" not in _columns(lib_dir, "passages")
    with Store(lib_dir) as st:
        assert st.get_meta("schema_version") == str(schema.SCHEMA_VERSION)
        assert [(p.id, p.text) for p in st.passages()] == before  # read back through the checksums
        assert st.identity()["id"]


def test_a_failing_migration_leaves_the_old_version_intact(lib_dir, monkeypatch):
    _downgrade_to_v1(lib_dir)

    def broken(db):
        schema._v2(db)
        raise RuntimeError("disk full halfway through the upgrade")

    monkeypatch.setattr(schema, "MIGRATIONS", (broken,))
    with pytest.raises(RuntimeError):
        Store(lib_dir)
    assert "checksum" not in _columns(lib_dir, "passages")  # rolled back as one transaction
    monkeypatch.undo()
    with Store(lib_dir) as st:
        assert st.get_meta("schema_version") == str(schema.SCHEMA_VERSION)


def test_a_store_from_a_newer_qa_bot_is_refused_with_a_message(lib_dir):
    db = sqlite3.connect(lib_dir / DB_NAME)
    db.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(schema.SCHEMA_VERSION + 1),))
    db.commit()
    db.close()
    with pytest.raises(StoreCorrupt, match=r"library\.sqlite: written by a newer qa-bot .*upgrade qa-bot"):
        Store(lib_dir)


def test_each_write_transaction_advances_the_generation(lib_dir):
    with Store(lib_dir) as st:
        g = st.identity()["generation"]
        with st.transaction():
            st.record_duplicate("x.txt", "0" * 64, "op", "test")
        assert st.identity()["generation"] == g + 1
        with pytest.raises(ValueError), st.transaction():
            st.record_duplicate("y.txt", "1" * 64, "op", "test")
            raise ValueError("rolled back")
        assert st.identity()["generation"] == g + 1


@pytest.mark.parametrize("sql, what", [
    ("UPDATE passages SET text = replace(text, 'jury', 'kury') WHERE text LIKE '%jury%'", "passage"),
    ("UPDATE opinions SET citation = '432 F.3d 99'", "metadata of opinion"),
    ("UPDATE passages SET page_start = page_start + 1", "passage"),
])
def test_changed_text_is_never_quoted(lib_dir, sql, what):
    """A change the checksums do not cover (a flipped bit SQLite's integrity check cannot see) is
    reported naming the file and the repair command, never returned as text."""
    db = sqlite3.connect(lib_dir / DB_NAME)
    db.execute(sql)
    db.commit()
    db.close()
    with Library.open(lib_dir) as lib:
        with pytest.raises(StoreCorrupt, match=rf"{DB_NAME}: (the )?{what}.* does not match its checksum"):
            lib.search("jury qualified immunity", mode="bm25", k=20)
        with pytest.raises(StoreCorrupt):
            lib.store.passages()


def test_a_flipped_bit_in_the_file_is_caught_where_integrity_check_says_ok(lib_dir):
    """The issue's case: 'jury' became 'kury' in the file's bytes; SQLite's integrity check still passes."""
    path = lib_dir / DB_NAME
    data = path.read_bytes()
    assert b"jury" in data
    path.write_bytes(data.replace(b"jury", b"kury"))
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    with Library.open(lib_dir) as lib:
        with pytest.raises(StoreCorrupt, match="does not match its checksum"):
            lib.search("jury", mode="bm25", k=50)
        db = sqlite3.connect(path)
        (opinion_id,) = db.execute("SELECT id FROM opinions").fetchone()
        db.close()
        with pytest.raises(StoreCorrupt, match=f"opinion {opinion_id}"):
            lib.opinion(opinion_id)  # the viewer shows nothing rather than the changed text


def _cli(capsys, *args) -> tuple[int, str, str]:
    from qa_bot.cli import main

    rc = main(list(args))
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return rc, out.out, out.err


def test_an_emptied_store_is_reported_and_sync_never_makes_the_loss_permanent(lib_dir, capsys):
    """Issue 10, item 2: ``: > library.sqlite`` used to show 0 opinions, answer 'no answer', and the
    suggested sync then deleted every passage from BM25 and the vectors."""
    manifest = (lib_dir / "manifest.json").read_text()
    (lib_dir / DB_NAME).write_bytes(b"")
    for args in (["info"], ["search", "jury"], ["ask", "What did the jury find?"], ["sync", "--no-embed"]):
        rc, out, err = _cli(capsys, *args, "--index", str(lib_dir), "--quiet")
        assert rc == 2 and "replaced or emptied" in err and "qa-bot sync --rebuild" in err, (args, out, err)
    assert (lib_dir / "manifest.json").read_text() == manifest  # the indexes still list the lost passages
    rc, out, _ = _cli(capsys, "sync", "--rebuild", "--no-embed", "--index", str(lib_dir), "--quiet")
    assert rc == 0 and out.startswith("bm25: 0 passages")  # only when asked for explicitly


def test_a_store_with_a_missing_table_is_reported_not_searched_as_empty(lib_dir, capsys):
    db = sqlite3.connect(lib_dir / DB_NAME)
    db.execute("DROP TABLE passages")
    db.commit()
    db.close()
    for args in (["info"], ["search", "jury"], ["sync", "--no-embed"], ["sync", "--rebuild", "--no-embed"]):
        rc, _, err = _cli(capsys, *args, "--index", str(lib_dir), "--quiet")
        assert rc == 2 and "table(s) passages missing" in err and str(lib_dir) in err, (args, err)


def test_a_store_that_went_back_in_time_is_reported(lib_dir, tmp_path, capsys):
    """An older copy of library.sqlite put back (or a lost -wal file) after the indexes moved on."""
    shutil.copy(lib_dir / DB_NAME, tmp_path / "older.sqlite")
    rc, *_ = _cli(capsys, "ingest", str(DATA / "pena-v-deprisco.normalized.txt"), "--no-embed", "--index",
                  str(lib_dir), "--quiet")
    shutil.copy(tmp_path / "older.sqlite", lib_dir / DB_NAME)
    rc, _, err = _cli(capsys, "search", "jury", "--index", str(lib_dir), "--quiet")
    assert rc == 2 and "older than the search indexes" in err and "library.sqlite-wal" in err
    rc, _, err = _cli(capsys, "sync", "--no-embed", "--index", str(lib_dir), "--quiet")
    assert rc == 2
    rc, _, _ = _cli(capsys, "sync", "--rebuild", "--no-embed", "--index", str(lib_dir), "--quiet")
    assert rc == 0
    rc, out, _ = _cli(capsys, "search", "jury", "--mode", "bm25", "--index", str(lib_dir), "--quiet")
    assert rc == 0 and "Pena v. DePrisco" in out
