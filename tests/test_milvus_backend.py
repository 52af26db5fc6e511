"""The Milvus backend on Milvus Lite (embedded) and on a Milvus Lite gRPC server (the client path a cluster
uses): same BM25 scores, same fusion, same filters, same opinions and pin cites as the local backend;
resumable writes; refusal of another model's or schema's collection; one clear message when Milvus is
down."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("pymilvus", reason="the Milvus backend needs pymilvus: pip install -e '.[scale]'")
pytest.importorskip("milvus_lite", reason="Milvus Lite (the embedded engine the tests use) is not installed")

from qa_bot import cli  # noqa: E402
from qa_bot.backends import milvus as mv  # noqa: E402
from qa_bot.backends.base import Filters  # noqa: E402
from qa_bot.retrieve.local import LocalBackend  # noqa: E402
from qa_bot.backends.uri import parse  # noqa: E402
from qa_bot.errors import BadQuestion, IndexMismatch, IndexNotFound  # noqa: E402
from qa_bot.index.embed import FakeEmbedder  # noqa: E402
from qa_bot.ingest.pipeline import ingest  # noqa: E402
from qa_bot.library import Library  # noqa: E402
from qa_bot.settings import IndexSettings  # noqa: E402

DATA = Path(__file__).parent / "data"
SOURCES = [DATA / "scotus-subset", DATA / "pena-v-deprisco.txt", DATA / "cap" / "json"]
QUESTIONS = ["qualified immunity clearly established", "expectation of privacy in a telephone booth",
             "42 U.S.C. § 1983 state-created danger", "Second Circuit off-duty police officer drinking",
             "women bartenders licence", "exclusionary rule good faith", "railroad crossing negligence"]
WEIGHTS = {"bm25": 1.0, "dense": 1.0}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The same opinions in a local library and a Milvus Lite one, both synced with the fake embedder."""
    root = tmp_path_factory.mktemp("milvus")
    emb = FakeEmbedder()
    local = LocalBackend(root / "local")
    report = ingest(local.store, SOURCES)
    assert len(report.ingested) >= 4, report.lines()
    local.sync(emb)
    lib = mv.MilvusBackend(parse(f"milvus-lite://{root / 'lib.db'}"), dim=emb.dim)
    report2 = ingest(lib, SOURCES)
    assert report2.summary() == report.summary()
    lib.sync(emb)
    yield local, lib, emb, root
    lib.close()
    local.close()


def _key(store, pid):
    p = store.passages([pid])[0]
    return p.opinion_id, p.ordinal


def test_uri_forms_and_errors():
    u = parse("milvus-lite:///tmp/x/my-lib.db")
    assert u.lite and u.collection == "my_lib" and str(u.path) == "/tmp/x/my-lib.db"
    assert parse("milvus-lite:///tmp/x/lib.db#cases").collection == "cases"
    s = parse("milvus://db.internal:19531/uscases")
    assert not s.lite and s.address == "http://db.internal:19531" and s.collection == "uscases"
    assert parse("milvus://10.0.0.5/uscases").address.endswith(":19530")
    for bad, word in [("milvus://host:19530/", "no collection"), ("milvus-lite:///tmp/x/lib.sqlite", ".db"),
                      ("milvus://host/9bad-name", "collection name"), ("milvus://:19530/x", "host")]:
        with pytest.raises(BadQuestion, match=word):
            parse(bad)


def test_store_contents_and_opinions_match_local(built):
    local, lib, _, _ = built
    assert lib.stats() == local.store.stats()
    assert sorted(lib.courts()) == sorted(local.store.courts())
    ops = [(oid, meta, n) for oid, meta, n in local.store.opinions()]
    assert [(o, m, n) for o, m, n in lib.opinions()] == ops
    for oid, _, _ in ops:  # clean text, page map and footnotes come back whole: pin cites are the same
        a, b = local.store.opinion(oid), lib.opinion(oid)
        assert (a.text, a.pages, a.footnotes, a.paragraphs, a.parts, a.meta) == \
               (b.text, b.pages, b.footnotes, b.paragraphs, b.parts, b.meta)
    lp = {(p.opinion_id, p.ordinal): p for p in local.store.passages()}
    mp = {(p.opinion_id, p.ordinal): p for p in lib.passages()}
    assert lp.keys() == mp.keys()
    for k, p in lp.items():
        q = mp[k]
        assert (p.text, p.pin, p.case_name, p.citation, p.court_id, p.year, p.section, p.part, p.footnote) == \
               (q.text, q.pin, q.case_name, q.citation, q.court_id, q.year, q.section, q.part, q.footnote)


def test_bm25_scores_equal_local(built):
    """Client-side BM25 weights in a sparse field rank exactly like the local bm25s index."""
    local, lib, emb, _ = built
    for q in QUESTIONS:
        a, _ = local.candidates(q, 30, "bm25", Filters(), emb, 10, WEIGHTS)
        b, _ = lib.candidates(q, 30, "bm25", Filters(), emb, 10, WEIGHTS)
        assert a, q
        sa = [(round(s, 3), _key(local.store, pid)) for pid, s, _ in a]
        sb = [(round(s, 3), _key(lib, pid)) for pid, s, _ in b]
        assert [s for s, _ in sa] == [s for s, _ in sb], q
        assert sorted(sa) == sorted(sb), q  # same passages at each score (ties may come in another order)


def test_server_rrf_equals_client_rrf(built):
    """Milvus hybrid_search with RRFRanker(k) ranks as our own reciprocal rank fusion of the same lists."""
    _, lib, emb, _ = built
    for q in QUESTIONS:
        server, info = lib.candidates(q, 50, "hybrid", Filters(), emb, 10, WEIGHTS, fusion="server")
        assert info.used == "hybrid" and info.embedded == info.passages
        client, _ = lib.candidates(q, 50, "hybrid", Filters(), emb, 10, WEIGHTS, fusion="client")
        assert [round(s, 6) for _, s, _ in server] == [round(s, 6) for _, s, _ in client], q
        assert {p for p, _, _ in server} == {p for p, _, _ in client}
        # the cosine the answerer reads: on the dense route's own candidates, as locally
        assert {p for p, _, d in server if "dense" in d} == {p for p, _, d in client if "dense" in d}


def test_dense_search_is_exact_where_local_is(built):
    """Up to IndexSettings.exact_max vectors the local backend searches exactly (flat); Milvus's HNSW is
    then searched with ef = the number of vectors, so the dense candidates are the exact ones too (with
    ef = max(128, n) the demo library lost 172 of 10,100 candidates of the dev sets' questions, which
    the role ranking can lift into the top 10). Past exact_max both use HNSW with max(ef_search, n)."""
    local, lib, emb, _ = built
    index = IndexSettings()
    assert mv.hnsw_ef(100, 4_807, index) == 4_807 and mv.hnsw_ef(500, 300, index) == 500
    assert mv.hnsw_ef(100, index.exact_max + 1, index) == index.hnsw_ef_search
    assert mv.hnsw_ef(500, index.exact_max + 1, index) == 500
    vectors = lib.status()["vectors"]
    n = vectors // 2
    assert n >= 150
    asked = []  # the breadth each dense request gives Milvus, single route and server-side hybrid
    search, hybrid = lib.client.search, lib.client.hybrid_search

    def spy_search(*args, **kw):
        if kw.get("anns_field") == "dense":
            asked.append(kw["search_params"]["params"]["ef"])
        return search(*args, **kw)

    def spy_hybrid(name, reqs, *args, **kw):
        asked.extend(r.param["params"]["ef"] for r in reqs if r.anns_field == "dense")
        return hybrid(name, reqs, *args, **kw)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(lib.client, "search", spy_search)
        mp.setattr(lib.client, "hybrid_search", spy_hybrid)
        lib.candidates(QUESTIONS[0], 50, "dense", Filters(), emb, 10, WEIGHTS)
        lib.candidates(QUESTIONS[0], 50, "hybrid", Filters(), emb, 10, WEIGHTS, fusion="server")
    assert asked == [vectors, vectors]
    for q in QUESTIONS:
        a, _ = local.candidates(q, n, "dense", Filters(), emb, 10, WEIGHTS)
        b, info = lib.candidates(q, n, "dense", Filters(), emb, 10, WEIGHTS)
        assert info.used == "dense"
        sa = [round(s, 5) for _, s, _ in a]
        assert sa == [round(s, 5) for _, s, _ in b], q
        # the same passages above the last score (ties at the cut may be either)
        keys = lambda store, ranked: {_key(store, pid) for pid, s, _ in ranked if round(s, 5) > sa[-1]}  # noqa: E731
        assert keys(local.store, a) == keys(lib, b), q


def test_filters_select_what_local_selects(built):
    local, lib, emb, _ = built
    for courts, years, case in [(("ca2",), None, ""), ((), (1940, 1970), ""), ((), None, "Katz"),
                                (("scotus",), (1960, 2000), ""), ((), None, "432 F.3d 98")]:
        want = {_key(local.store, pid) for pid in local.store.passage_ids_where(courts, years, case)}
        assert want, (courts, years, case)
        f = Filters(courts, years, case)
        got, _ = lib.candidates("the court held", 16384, "bm25", f, emb, 10, WEIGHTS)
        got_keys = {_key(lib, pid) for pid, _, _ in got}
        assert got_keys and got_keys <= want, (courts, years, case)
        dense, _ = lib.candidates("the court held", 500, "dense", f, emb, 10, WEIGHTS)
        assert {_key(lib, pid) for pid, _, _ in dense} == want


def test_interrupted_write_resumes_without_duplicates(tmp_path):
    """An opinion whose passages were written but whose file record was not (the process died) is
    written again from scratch by the next ingest: no duplicate passages, the same counts."""
    lib = mv.MilvusBackend(parse(f"milvus-lite://{tmp_path / 'r.db'}"), dim=FakeEmbedder.dim)
    real = lib.record_file
    calls = []

    def die_on_second(sha, source, status, opinion_id=None):
        calls.append(source)
        if len(calls) == 2:
            raise KeyboardInterrupt  # killed between the passages and the file record
        return real(sha, source, status, opinion_id)

    lib.record_file = die_on_second
    with pytest.raises(KeyboardInterrupt):
        ingest(lib, SOURCES)
    lib.record_file = real
    report = ingest(lib, SOURCES)
    local = LocalBackend(tmp_path / "local")
    local_report = ingest(local.store, SOURCES)
    assert [r.source for r in report.failed] == [r.source for r in local_report.failed]  # the test data's bad entries
    assert lib.stats()["passages"] == local.store.stats()["passages"] == len(lib.passage_ids())
    keys = [(p.opinion_id, p.ordinal) for p in lib.passages()]
    assert len(keys) == len(set(keys))
    assert lib.stats()["opinions"] == local.store.stats()["opinions"]
    local.close()
    lib.close()


def test_other_model_or_schema_refused(built, tmp_path):
    _, lib, _, root = built
    other = FakeEmbedder(name="another-model")
    with pytest.raises(IndexMismatch, match="another-model"):
        lib.sync(other)
    with pytest.raises(IndexMismatch, match="another-model"):
        lib.candidates("privacy", 10, "dense", Filters(), other, 10, WEIGHTS)
    # a collection of that name that qa-bot did not make
    from pymilvus import MilvusClient

    c = MilvusClient(str(tmp_path / "foreign.db"))
    c.create_collection("foreign", dimension=8)
    c.close()
    with pytest.raises(IndexMismatch, match="not made by qa-bot"):
        mv.MilvusBackend(parse(f"milvus-lite://{tmp_path / 'foreign.db'}"), dim=8)
    with pytest.raises(IndexNotFound, match="no qa-bot library"):
        mv.MilvusBackend(parse(f"milvus-lite://{tmp_path / 'empty.db'}"), create=False)


def test_a_library_of_another_qa_bot_schema_refused(tmp_path, capsys):
    """A qa-bot library recorded with another schema version, or whose passage collection lacks fields
    this version reads, is refused on open (API and CLI: one message naming the URI) and left as it was."""
    newer = f"milvus-lite://{tmp_path / 'newer.db'}"
    lib = mv.MilvusBackend(parse(newer), dim=FakeEmbedder.dim)
    assert not ingest(lib, [DATA / "pena-v-deprisco.txt"]).failed
    n = lib.stats()["passages"]
    lib._put_meta({**lib.meta(), "schema": 99})
    lib.close()
    with pytest.raises(IndexMismatch, match="library schema 99"):
        mv.MilvusBackend(parse(newer), create=False)
    code = cli.main(["search", "privacy", "--index", newer])
    err = capsys.readouterr().err
    assert code != 0 and newer in err and "schema 99" in err and "Traceback" not in err
    with pytest.raises(IndexMismatch, match="library schema 99"):
        mv.MilvusBackend(parse(newer))  # ingest opens with create=True: refused all the same
    from pymilvus import MilvusClient

    c = MilvusClient(str(tmp_path / "newer.db"))  # nothing was changed by the refusals
    assert c.query("newer", filter="", output_fields=["count(*)"])[0]["count(*)"] == n
    c.close()

    older = f"milvus-lite://{tmp_path / 'older.db'}"
    lib = mv.MilvusBackend(parse(older), dim=FakeEmbedder.dim)
    ingest(lib, [DATA / "pena-v-deprisco.txt"])
    lib.client.drop_collection(lib.name)
    lib.client.create_collection(lib.name, dimension=FakeEmbedder.dim)  # a passage collection without our fields
    lib.close()
    with pytest.raises(IndexMismatch, match="lacks fields"):
        mv.MilvusBackend(parse(older), create=False)
    code = cli.main(["ask", "privacy", "--index", older])
    err = capsys.readouterr().err
    assert code != 0 and older in err and "lacks fields" in err and "Traceback" not in err


def test_milvus_down_is_one_clear_message(tmp_path, capsys):
    from conftest import free_port

    port = free_port()
    uri = f"milvus://127.0.0.1:{port}/cases"
    with pytest.raises(mv.BackendUnavailable) as e:
        mv.MilvusBackend(parse(uri))
    assert uri in str(e.value) and "19530" in str(e.value) and "\n" not in str(e.value)
    code = cli.main(["search", "privacy", "--index", uri])
    err = capsys.readouterr().err
    assert code != 0 and uri in err and "Traceback" not in err


def test_library_on_a_milvus_server(tmp_path, capsys):
    """The cluster code path (milvus://host:port/NAME, gRPC) against a Milvus Lite server process:
    ingest, search with filters and pin cites through the public CLI, then the server goes away."""
    from conftest import free_port

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "milvus_lite", "server", "--data-dir", str(tmp_path / "srv"),
                               "--host", "127.0.0.1", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        uri = f"milvus://127.0.0.1:{port}/pena"
        deadline = time.monotonic() + 120
        while True:
            try:
                mv.connect(parse(uri)).close()
                break
            except mv.BackendUnavailable:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.5)
        assert cli.main(["ingest", str(DATA / "pena-v-deprisco.txt"), "--index", uri, "--quiet"]) == 0
        capsys.readouterr()
        assert cli.main(["search", "off-duty officer drinking", "--index", uri, "--court", "ca2", "--k", "3"]) == 0
        out = capsys.readouterr().out
        assert "Pena v. DePrisco, 432 F.3d 98" in out
        with Library.open(uri) as lib:
            hits = lib.search("state-created danger", k=3, courts=["ca2"])
            assert hits and all(h.passage.pin for h in hits)
            assert lib.opinion(hits[0].passage.opinion_id).text[hits[0].passage.start:hits[0].passage.end] \
                == hits[0].passage.text
    finally:
        server.terminate()
        server.wait(30)
    code = cli.main(["search", "privacy", "--index", uri])
    err = capsys.readouterr().err
    assert code != 0 and uri in err and "Traceback" not in err


def test_a_library_reopens_in_a_new_process(built):
    """Milvus Lite starts a reopened library's collections released: opening loads them."""
    local, lib, emb, root = built
    code = (f"from qa_bot.library import Library\n"
            f"lib = Library.open('milvus-lite://{root / 'lib.db'}')\n"
            f"print(lib.store.stats()['passages'], len(lib.search('expectation of privacy', k=3, mode='bm25')))\n")
    lib.close()  # Milvus Lite: one process per file
    try:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600,
                             env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])})
        assert out.returncode == 0, out.stderr[-2000:]
        assert out.stdout.split() == [str(local.store.stats()["passages"]), "3"]
    finally:
        lib.client = mv.connect(lib.uri)
        for c in (lib.docs_name, lib.terms_name, lib.name):
            lib.client.load_collection(c)
