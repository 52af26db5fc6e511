"""Ingest orchestration: idempotence, incremental ingest, near-duplicates, bad input, interruptions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import copy_pena

from qa_bot.cli import main
from qa_bot.ingest.loaders._common import sha256_bytes
from qa_bot.ingest.pipeline import ingest, richness, sketch
from qa_bot.ingest.store import Store
from qa_bot.settings import Settings

SETTINGS = Settings.preset()


def _opinion_text(name: str, topic: str) -> str:
    """A small, realistic-enough opinion whose wording depends on ``topic`` (so sketches differ)."""
    return (
        f"{name}\n\n"
        f"The plaintiff brought this action under 42 U.S.C. \u00a7 1983 alleging that the officers' handling of the "
        f"{topic} violated his rights under the Fourteenth Amendment. The district court granted summary judgment "
        f"to the defendants on the {topic} claim, and the plaintiff appealed.\n\n"
        f"We review a grant of summary judgment de novo. Having considered the record on the {topic} question, we "
        f"conclude that the officers are entitled to qualified immunity because no clearly established law "
        f"governed the {topic} at the time. The judgment of the district court is affirmed.\n"
    )


def _write(folder: Path, name: str, text: str) -> Path:
    p = folder / name
    p.write_text(text, encoding="utf-8")
    return p


def _counts(store: Store) -> dict:
    q = lambda sql: store.db.execute(sql).fetchone()[0]  # noqa: E731
    return {
        "opinions": q("SELECT COUNT(*) FROM opinions"),
        "passages": q("SELECT COUNT(*) FROM passages"),
        "files": q("SELECT COUNT(*) FROM files"),
        "orphan_passages": q("SELECT COUNT(*) FROM passages WHERE opinion_id NOT IN (SELECT id FROM opinions)"),
        "orphan_sketch": q("SELECT COUNT(*) FROM sketch WHERE opinion_id NOT IN (SELECT id FROM opinions)"),
        "orphan_files": q("SELECT COUNT(*) FROM files WHERE opinion_id IS NOT NULL"
                          " AND opinion_id NOT IN (SELECT id FROM opinions)"),
    }


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "lib")
    yield s
    s.close()


@pytest.fixture
def pena(tmp_path, data_dir) -> tuple[Path, Path]:
    """The seed in its CAP form (with its metadata sidecar) and its normalised ML-corpus form."""
    d = tmp_path / "seeds"
    d.mkdir()
    for name in ("pena-v-deprisco.txt", "pena-v-deprisco.json", "pena-v-deprisco.normalized.txt"):
        shutil.copyfile(data_dir / name, d / name)
    return d / "pena-v-deprisco.txt", d / "pena-v-deprisco.normalized.txt"


def test_same_file_twice_is_stored_once(store, tmp_path):
    a = _write(tmp_path, "a.txt", _opinion_text("Smith v. Jones", "traffic stop"))
    first = ingest(store, [a], SETTINGS)
    assert [r.status for r in first.ingested] == ["ingested"] and not first.failed
    before = _counts(store)
    second = ingest(store, [a, a], SETTINGS)
    assert not second.ingested and len(second.duplicates) == 2
    assert all("identical bytes" in line for line in second.lines())
    assert _counts(store) == before
    assert before["opinions"] == 1 and before["passages"] >= 1


def test_adding_a_file_does_not_redo_the_others(store, tmp_path, monkeypatch):
    folder = tmp_path / "ops"
    folder.mkdir()
    _write(folder, "a.txt", _opinion_text("Smith v. Jones", "traffic stop"))
    _write(folder, "b.txt", _opinion_text("Doe v. Roe", "strip search of an arrestee"))
    ingest(store, [folder], SETTINGS)
    ids_before = store.passage_ids()

    from qa_bot.ingest import structure

    built = []
    real_build = structure.build
    monkeypatch.setattr(structure, "build", lambda doc: built.append(doc.source) or real_build(doc))
    c = _write(folder, "c.txt", _opinion_text("Roe v. Wade County", "denial of medical care"))
    report = ingest(store, [folder], SETTINGS)
    assert built == [str(c)]
    assert [r.source for r in report.ingested] == [str(c)]
    assert len(report.duplicates) == 2
    assert store.passage_ids()[: len(ids_before)] == ids_before  # the earlier passages kept their ids
    assert store.stats()["opinions"] == 3


@pytest.mark.parametrize("order", ["rich_first", "poor_first"])
def test_pena_and_its_normalised_copy_are_one_opinion(store, pena, order):
    rich, poor = pena
    paths = [rich, poor] if order == "rich_first" else [poor, rich]
    report = ingest(store, paths, SETTINGS)
    assert not report.failed
    assert [r.source for r in report.ingested] == [str(rich)]
    assert [r.source for r in report.duplicates] == [str(poor)]
    assert "near-duplicate, kept the richer version" in report.duplicates[0].detail
    assert "Pena v. DePrisco" in report.duplicates[0].detail
    (oid, meta, n), = list(store.opinions())
    assert meta.citation == "432 F.3d 98" and n > 20
    op = store.opinion(oid)
    assert op.pages and op.footnotes and op.source == str(rich)
    assert store.stats()["duplicates_skipped"] == 1
    c = _counts(store)
    assert c["orphan_passages"] == c["orphan_sketch"] == c["orphan_files"] == 0
    # both files are now known: ingesting them again changes nothing and reports both as duplicates
    again = ingest(store, [poor, rich], SETTINGS)
    assert not again.ingested and len(again.duplicates) == 2
    assert _counts(store) == c


def test_sketch_sees_the_normalised_copy_and_not_a_different_opinion(pena, data_dir):
    from qa_bot.ingest import loaders, structure

    rich, poor = (structure.build(next(iter(loaders.load(p)))) for p in pena)
    a, b = sketch(rich.text), sketch(poor.text)
    assert len(b & a) / len(b) >= 0.8
    other = sketch(_opinion_text("Smith v. Jones", "traffic stop") * 3)
    assert not other & a or len(other & a) / len(other) < 0.2
    assert richness(rich) > richness(poor)


def test_sketch_overlap_looks_hashes_up_and_sizes_only_the_five(store):
    """The near-duplicate query reads the rows of the new opinion's hashes, not the whole sketch table
    (scanning it for every opinion made a whole-corpus ingest quadratic); the five most shared come
    first, ties by opinion id, each with its own sketch size."""
    from qa_bot.ingest.store import SKETCH_OVERLAP

    store.db.execute("PRAGMA foreign_keys=OFF")  # sketch rows alone, without their opinions
    sizes = {"a": 10, "b": 6, "c": 6, "d": 3, "e": 3, "f": 3, "g": 50}
    shared = {"a": 8, "b": 5, "c": 5, "d": 2, "e": 2, "f": 2, "g": 0}  # of the query's hashes 0..9
    rows = [(h if h < shared[o] else 1000 + 100 * i + h, o) for i, (o, n) in enumerate(sizes.items()) for h in range(n)]
    store.db.executemany("INSERT INTO sketch(hash, opinion_id) VALUES (?, ?)", rows)
    assert store.sketch_overlap(range(10)) == [("a", 8, 10), ("b", 5, 6), ("c", 5, 6), ("d", 2, 3), ("e", 2, 3)]
    assert store.sketch_overlap([]) == [] and store.sketch_overlap([999]) == []
    plan = " | ".join(r[-1] for r in store.db.execute("EXPLAIN QUERY PLAN " + SKETCH_OVERLAP))
    assert "SCAN q" in plan and "SEARCH s USING INDEX sketch_hash" in plan and "SCAN s" not in plan, plan


def test_bad_input_through_the_cli(embeddings_root, tmp_path, data_dir, capsys):
    good_dir = tmp_path / "earlier"
    good_dir.mkdir()
    earlier = _write(good_dir, "earlier.txt", _opinion_text("Early v. Bird", "seizure of a vehicle"))
    assert main(["ingest", str(earlier), "--index", "mixed", "--no-embed", "--quiet"]) == 0
    capsys.readouterr()

    mixed = tmp_path / "mixed"
    mixed.mkdir()
    good = _write(mixed, "good.txt", _opinion_text("Good v. Case", "search of a backpack"))
    (mixed / "empty.txt").write_bytes(b"")
    (mixed / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (mixed / "cp1252.txt").write_bytes("The officer\u2019s conduct was \u201cunreasonable.\u201d".encode("cp1252"))
    (mixed / "blank.txt").write_text("   \n\n  *12  \n", encoding="utf-8")
    _write(mixed, "meta.txt", _opinion_text("Meta v. Data", "arrest warrant"))
    (mixed / "meta.json").write_text('{"case_name": "Meta v. Data", ', encoding="utf-8")
    missing = tmp_path / "nowhere.txt"

    status = main(["ingest", str(mixed), str(missing), "--index", "mixed", "--no-embed", "--quiet"])
    out = capsys.readouterr().out.splitlines()
    assert status == 1
    rejected = [line for line in out if line.startswith("rejected")]
    expected = {"empty.txt": "empty", "binary.txt": "binary", "cp1252.txt": "UTF-8", "blank.txt": "no opinion text",
                "meta.json": "malformed", "nowhere.txt": "no such file"}
    for name, why in expected.items():
        lines = [line for line in rejected if name in line]
        assert len(lines) == 1, (name, out)
        assert why in lines[0], lines[0]
    assert len(rejected) == len(expected)
    assert any(line.startswith("ingested") and str(good) in line and " passages" in line for line in out)
    print("\n".join(out))

    with Store(embeddings_root / "mixed") as s:
        names = {m.case_name or Path(oid).name for oid, m, n in s.opinions() if n > 0}
        assert len(names) == 2
        texts = [s.opinion(oid).text for oid, _, _ in s.opinions()]
        assert any("Early v. Bird" in t for t in texts) and any("Good v. Case" in t for t in texts)
        assert _counts(s)["orphan_passages"] == 0


def test_interrupted_ingest_leaves_the_store_consistent(store, tmp_path, monkeypatch):
    from qa_bot.ingest import chunk as chunking

    a = _write(tmp_path, "a.txt", _opinion_text("First v. Case", "traffic stop"))
    b = _write(tmp_path, "b.txt", _opinion_text("Second v. Case", "warrantless entry into a home"))
    c = _write(tmp_path, "c.txt", _opinion_text("Third v. Case", "use of a taser"))
    real_chunk = chunking.chunk
    calls = []

    def interrupted(op, settings, *model_tokens):
        calls.append(op.id)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real_chunk(op, settings, *model_tokens)

    monkeypatch.setattr(chunking, "chunk", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ingest(store, [a, b, c], SETTINGS)
    c1 = _counts(store)
    assert c1["opinions"] == 1 and c1["files"] == 1 and c1["passages"] >= 1
    assert c1["orphan_passages"] == c1["orphan_sketch"] == c1["orphan_files"] == 0

    # an interruption inside the transaction (after the opinion row was written) rolls it back whole
    monkeypatch.setattr(chunking, "chunk", real_chunk)
    real_record = store.record_file

    def fail_after_insert(*args, **kw):
        raise KeyboardInterrupt

    monkeypatch.setattr(store, "record_file", fail_after_insert)
    with pytest.raises(KeyboardInterrupt):
        ingest(store, [b], SETTINGS)
    assert _counts(store) == c1
    monkeypatch.setattr(store, "record_file", real_record)

    # resuming stores the rest and leaves the first untouched
    report = ingest(store, [a, b, c], SETTINGS)
    assert [r.source for r in report.ingested] == [str(b), str(c)]
    c2 = _counts(store)
    assert c2["opinions"] == 3 and c2["orphan_passages"] == c2["orphan_sketch"] == 0


def test_a_crash_on_one_file_does_not_stop_the_batch(store, tmp_path, monkeypatch):
    from qa_bot.ingest import chunk as chunking

    a = _write(tmp_path, "a.txt", _opinion_text("First v. Case", "traffic stop"))
    b = _write(tmp_path, "b.txt", _opinion_text("Second v. Case", "warrantless entry into a home"))
    real_chunk = chunking.chunk

    def broken(op, settings, *model_tokens):
        if "Second" in op.text:
            raise RuntimeError("chunker bug")
        return real_chunk(op, settings, *model_tokens)

    monkeypatch.setattr(chunking, "chunk", broken)
    progress = []
    report = ingest(store, [a, b], SETTINGS, progress=lambda *x: progress.append(x))
    assert [r.source for r in report.ingested] == [str(a)]
    assert len(report.failed) == 1 and "chunker bug" in report.failed[0].detail
    assert report.lines()[1].startswith(f"rejected  {b}  ")
    assert progress == [("ingest", 1, 2), ("ingest", 2, 2)]
    assert store.seen(sha256_bytes(b.read_bytes())) is None  # not recorded: retried next time


def test_info_through_the_cli(embeddings_root, tmp_path, capsys):
    src = tmp_path / "one"
    copy_pena(src)
    assert main(["ingest", str(src / "pena-v-deprisco.txt"), "--index", "one", "--no-embed", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ingested  ") and "Pena v. DePrisco, 432 F.3d 98:" in out and "passages)" in out

    assert main(["info", "--index", "one", "--json"]) == 0
    import json

    info = json.loads(capsys.readouterr().out)
    with Store(embeddings_root / "one") as s:
        n_passages = len(s.passage_ids())
    assert info["opinions"] == 1 and info["passages"] == n_passages
    assert info["footnotes"] == 23 and info["pages"] >= 10
    assert info["size_bytes"] > 0 and info["size"].endswith(("KB", "MB"))

    assert main(["info", "--index", "one"]) == 0
    text = capsys.readouterr().out
    assert "opinions: 1" in text and f"passages: {n_passages}" in text

    assert main(["info", "--index", "nothing-here"]) == 2
    assert "no library" in capsys.readouterr().err



def test_a_changed_file_replaces_its_earlier_version(store, tmp_path):
    a = _write(tmp_path, "a.txt", _opinion_text("Smith v. Jones", "traffic stop"))
    ingest(store, [a], SETTINGS)
    old_ids = store.passage_ids()
    a.write_text(_opinion_text("Smith v. Jones", "traffic stop") + "\nRehearing denied.\n", encoding="utf-8")
    report = ingest(store, [a], SETTINGS)
    assert len(report.ingested) == 1 and "replaced the earlier version" in report.lines()[0]
    assert sorted(report.removed_passage_ids) == old_ids
    (oid, _, _), = list(store.opinions())
    assert "Rehearing denied." in store.opinion(oid).text
    c = _counts(store)
    assert c["opinions"] == 1 and c["files"] == 1
    assert c["orphan_passages"] == c["orphan_sketch"] == c["orphan_files"] == 0
