"""Progressive first run and readers that never wait behind writers.

A library answers from BM25 as soon as it is stored; its vectors fill in behind (in a background
worker or a foreground sync), are committed at checkpoints, and searches take them as they land,
saying which mode ran. Searches and answers take no lock a writer holds: the tests below stop a
writer inside its embedding step (an embedder that blocks on an Event) and run searches, answers and
an upload meanwhile. None of them depends on speed: every wait is on an event, and the only timeouts
are deadlock guards far above any real duration.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from conftest import DATA, copy_pena

from qa_bot import Library
from qa_bot.index import manifest as mf
from qa_bot.index import sync as index_sync
from qa_bot.index.embed import FakeEmbedder
from qa_bot.index.writer import WriterBusy, writer_lock
from qa_bot.ingest.store import Store
from qa_bot.retrieve.search import Retriever, _fuse
from qa_bot.types import Meta, Opinion, Passage, Retrieval

GUARD = 300  # seconds: a deadlock guard, never a speed requirement
QUESTION = "What did the court hold about qualified immunity?"


class BlockingEmbedder(FakeEmbedder):
    """The fake embedder, except that a writer's document batches (not a reader's) stop until the test
    lets them through: ``let_one()`` one batch, ``let_all()`` every batch from then on. The deadlock
    guard lets a batch go after GUARD seconds and records that it had to."""

    def __init__(self, block: bool = True):
        super().__init__()
        self.cond = threading.Condition()
        self.free = not block
        self.permits = 0
        self.started = 0  # writer batches that reached the block
        self.documents = 0  # passages embedded by writers
        self.guard_fired = False
        self.readers = threading.local()

    def encode_documents(self, texts, progress=None):
        if getattr(self.readers, "reading", False):
            return super().encode_documents(texts, progress)
        with self.cond:
            self.started += 1
            self.cond.notify_all()
            if not self.cond.wait_for(lambda: self.free or self.permits > 0, GUARD):
                self.guard_fired = True
            elif not self.free:
                self.permits -= 1
            self.documents += len(texts)
        return super().encode_documents(texts, progress)

    def wait_started(self, n: int) -> bool:
        """Until ``n`` writer batches have reached the block (the n-th is held there unless let go)."""
        with self.cond:
            return self.cond.wait_for(lambda: self.started >= n, GUARD)

    def let_one(self) -> None:
        with self.cond:
            self.permits += 1
            self.cond.notify_all()

    def let_all(self) -> None:
        with self.cond:
            self.free = True
            self.cond.notify_all()

    @property
    def held(self) -> bool:
        """A writer batch is waiting at the block now."""
        with self.cond:
            return not self.free and self.started > 0


def reading(emb: BlockingEmbedder, fn, *args, **kwargs):
    """Run a reader's call, marking this thread as a reader (its document embeddings never block)."""
    emb.readers.reading = True
    try:
        return fn(*args, **kwargs)
    finally:
        emb.readers.reading = False


def open_lib(folder: Path, emb) -> Library:
    lib = Library.open(folder, create=True)
    lib._retriever = Retriever(lib.folder, lib.store, lib.settings, embedder=emb)
    return lib


def second_opinion(dest: Path) -> Path:
    """A small made-up opinion (not real law) on a topic Pena does not touch."""
    dest.mkdir(parents=True, exist_ok=True)
    path = dest / "zebra.txt"
    path.write_text(
        "Quill v. Lantern Ferries\n\nThe question presented is whether the zebra crossing rule governs lantern "
        "ferries on the canal. We hold that the zebra crossing rule governs lantern ferries because the ferries "
        "cross a public way at night. The ferry operators argued that lanterns are not vehicles; we reject that "
        "argument. The judgment of the district court is affirmed.\n", encoding="utf-8")
    return path


@pytest.fixture
def bm25_only(tmp_path):
    """A library holding Pena, stored and BM25-indexed, no vectors yet."""
    emb = BlockingEmbedder()
    lib = open_lib(tmp_path / "lib", emb)
    report = lib.ingest([copy_pena(tmp_path / "src")], embed=False)
    assert len(report.ingested) == 1
    yield lib, emb
    emb.let_all()
    lib.close()


# -- answers before vectors -------------------------------------------------------------------------
def test_a_new_library_answers_from_bm25_and_says_so(bm25_only):
    lib, emb = bm25_only
    assert mf.load(lib.folder)["vectors"] is None
    hits = lib.search("qualified immunity", mode="hybrid")
    assert hits and hits.retrieval == Retrieval("hybrid", "bm25", len(lib.store.passage_ids()), 0)
    answer = reading(emb, lib.ask, QUESTION)
    assert answer.citations and not answer.abstained
    assert answer.retrieval.used == "bm25" and "no passage has its vectors yet" in answer.retrieval.note()
    assert emb.documents == 0  # nothing was embedded for the index


def test_background_worker_fills_vectors_and_hybrid_takes_them_as_they_land(bm25_only):
    lib, emb = bm25_only
    n = len(lib.store.passage_ids())
    worker = lib.embed_in_background(checkpoint_seconds=0, chunk=40, nice=0)  # commit after every chunk
    assert emb.wait_started(1)
    assert lib.index_status()["state"] == "embedding"
    # first chunk let through and committed (checkpoint 0), the second one held: searches see the first 40
    emb.let_one()
    assert emb.wait_started(2)
    hits = lib.search("qualified immunity", mode="hybrid")
    assert hits.retrieval.used == "hybrid" and hits.retrieval.embedded == 40 and hits.retrieval.passages == n
    assert not hits.retrieval.complete and f"{40 * 100 // n}% built" in hits.retrieval.note()
    dense = lib.search("qualified immunity", mode="dense", k=50, per_opinion_cap=0)
    assert dense and {h.passage.id for h in dense} <= set(range(1, 41))  # only the embedded part
    status = lib.index_status()
    assert status["vectors"] == 40 and status["passages"] == n and status["state"] == "embedding"
    emb.let_all()
    assert worker.wait_idle(GUARD)
    hits = lib.search("qualified immunity", mode="hybrid")
    assert hits.retrieval.complete and hits.retrieval.note() == "" and hits.retrieval.used == "hybrid"
    assert lib.index_status()["state"] == "complete" and lib.index_status()["vectors"] == n
    assert sorted(mf.expand(mf.load(lib.folder)["vectors"]["ids"]).tolist()) == lib.store.passage_ids()
    assert not emb.guard_fired


# -- readers never wait behind writers -----------------------------------------------------------
def test_search_ask_and_upload_complete_while_the_background_writer_is_mid_embedding(bm25_only, tmp_path):
    """Through the real app's handlers: the worker is stopped inside its embedding step; a search, an
    answer (API and streaming chat) and an upload all finish; then the worker is let go."""
    from qa_bot.web.app import build_app

    lib, emb = bm25_only
    app = build_app(lib, max_upload_mb=1).qa_app
    worker = lib.embed_in_background(checkpoint_seconds=0, chunk=1000, nice=0)
    assert emb.wait_started(1)  # the writer is inside encode_documents now
    assert lib.search("state created danger", mode="hybrid")
    out = reading(emb, app.api_ask, QUESTION, "extractive", "hybrid", 5)
    assert out["citations"] and out["retrieval"]["used"] == "bm25"
    chat = reading(emb, lambda: list(app.ask(QUESTION, [], "extractive", "hybrid", 5, [], None, None, None)))[-1][0]
    assert 'class="qa-cite"' in chat and "no passage has its vectors yet" in chat
    # an upload is a writer too: it stores and BM25-indexes while the fill is still embedding
    result, *_ = app.ingest([str(second_opinion(tmp_path / "up"))], progress=lambda *a, **k: None)
    assert "ingested" in result
    hits = lib.search("zebra crossing lantern ferries", mode="hybrid", k=3)
    assert "lantern ferries" in hits[0].passage.text
    assert emb.held and emb.started == 1 and not emb.guard_fired  # all of it while the writer was held
    emb.let_all()
    assert worker.wait_idle(GUARD)
    assert lib.index_status()["vectors"] == len(lib.store.passage_ids())  # the upload's passages too
    assert not emb.guard_fired


def test_search_and_ask_complete_while_a_foreground_sync_is_mid_embedding(bm25_only):
    lib, emb = bm25_only
    done = threading.Event()
    errors = []

    def sync():
        try:
            lib.sync()
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)
        done.set()

    t = threading.Thread(target=sync, daemon=True)
    t.start()
    assert emb.wait_started(1)
    assert lib.search("qualified immunity", mode="dense")  # answers from BM25 meanwhile
    assert reading(emb, lib.ask, QUESTION).citations
    assert not done.is_set() and emb.held
    emb.let_all()
    assert done.wait(GUARD) and not errors and not emb.guard_fired
    assert lib.search("qualified immunity", mode="dense").retrieval.used == "dense"


def test_a_served_chat_answers_through_gradio_client_while_the_writer_is_blocked(bm25_only):
    from conftest import free_port
    from loadkit import ask_client as api_client
    from qa_bot.web.app import build_app, launch_kwargs

    lib, emb = bm25_only
    demo = build_app(lib, max_upload_mb=1)
    demo.queue()
    port = free_port()
    demo.launch(prevent_thread_lock=True, quiet=True, **launch_kwargs("127.0.0.1", port, 1, None))
    try:
        emb.readers = _AllReaders()  # the server's threads are readers: their embeddings are not held
        lib.embed_in_background(checkpoint_seconds=0, nice=0)
        assert emb.wait_started(1)
        out = api_client(f"http://127.0.0.1:{port}/").predict(
            question=QUESTION, answerer="extractive", mode="hybrid", k=5, api_name="/ask")
        assert out["citations"] and out["retrieval"]["used"] == "bm25"
        assert emb.held and emb.started == 1 and not emb.guard_fired
    finally:
        emb.let_all()
        demo.close()


class _AllReaders(threading.local):
    """Every thread but the background worker counts as a reader."""

    @property
    def reading(self) -> bool:
        return not threading.current_thread().name.startswith("qa-bot-embed")

    @reading.setter
    def reading(self, value) -> None:
        pass


# -- the fill: resumable, validated against the store ------------------------------------------------
def test_a_stopped_fill_keeps_its_work_and_the_next_one_embeds_only_the_rest(bm25_only):
    lib, emb = bm25_only
    emb.let_all()
    n = len(lib.store.passage_ids())
    stop = threading.Event()
    calls = []

    def progress(stage, done, total):
        calls.append(done)
        if done >= 30:
            stop.set()

    added = index_sync.fill_vectors(lib.folder, lib.store, lib.settings, emb, progress, chunk=30, stop=stop)
    assert added == 30 and mf.load(lib.folder)["vectors"]["count"] == 30
    before = emb.documents
    assert index_sync.fill_vectors(lib.folder, lib.store, lib.settings, emb, chunk=30) == n - 30
    assert emb.documents - before == n - 30  # nothing embedded twice
    assert sorted(mf.expand(mf.load(lib.folder)["vectors"]["ids"]).tolist()) == lib.store.passage_ids()


def test_vectors_of_text_replaced_during_embedding_are_dropped_not_committed(tmp_path):
    """An ingest that replaces an opinion while a fill embeds its old text: the commit keeps only
    vectors whose passage still holds the embedded text; the next fill embeds the new text."""
    folder = tmp_path / "lib"
    store = Store(folder)
    text = [f"Paragraph {i} about the zebra crossing rule and lantern ferries on the canal." for i in range(6)]
    op = Opinion(id="a", meta=Meta(case_name="A v. B"), text="\n".join(text))
    with store.transaction():
        ids = store.add_opinion(op, [Passage("a", i, t, 0, len(t)) for i, t in enumerate(text)])
    settings = Library(folder).settings
    index_sync.prepare(folder, store, settings)
    emb = BlockingEmbedder()
    t = threading.Thread(target=index_sync.fill_vectors, args=(folder, store, settings, emb), daemon=True)
    t.start()
    assert emb.wait_started(1)
    new_text = [f"Replaced paragraph {i}: habeas corpus and the writ of mandamus." for i in range(6)]
    with writer_lock(folder):  # what an ingest does: store change, then prepare, under the writer lock
        with store.transaction():
            store.remove_opinion("a")
            op2 = Opinion(id="c", meta=Meta(case_name="C v. D"), text="\n".join(new_text))
            assert store.add_opinion(op2, [Passage("c", i, x, 0, len(x)) for i, x in enumerate(new_text)]) == ids
        index_sync.prepare(folder, store, settings)
    emb.let_all()
    t.join(GUARD)
    assert index_sync.missing_vectors(folder, store) == ids  # the old text's vectors were not committed
    assert index_sync.fill_vectors(folder, store, settings, emb) == len(ids)
    _, vec = Retriever(folder, store, settings, embedder=FakeEmbedder())._load()
    stored = np.stack([vec.index.reconstruct(i) for i in ids])
    np.testing.assert_allclose(stored, FakeEmbedder().encode_documents(new_text), atol=1e-6)  # the new text's
    store.close()


# -- the writer lock -------------------------------------------------------------------------------
def test_writer_lock_one_writer_across_threads_and_processes(tmp_path):
    folder = tmp_path / "lib"
    folder.mkdir()
    with writer_lock(folder):
        with writer_lock(folder):  # re-entrant in its own thread (an ingest calls prepare)
            pass
        box = []

        def other():
            try:
                with writer_lock(folder, blocking=False):
                    box.append("got it")
            except WriterBusy:
                box.append("busy")

        t = threading.Thread(target=other)
        t.start()
        t.join(GUARD)
        assert box == ["busy"]
    # another process holding it: this one is refused without blocking, then gets it once it is let go
    code = ("import sys, time; from qa_bot.index.writer import writer_lock\n"
            f"with writer_lock({str(folder)!r}):\n    print('held', flush=True); sys.stdin.readline()\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            env={**__import__("os").environ, "PYTHONPATH": str(Path(__file__).parent.parent)})
    try:
        assert proc.stdout.readline().strip() == "held"
        with pytest.raises(WriterBusy):
            with writer_lock(folder, blocking=False):
                pass
        proc.stdin.write("\n")
        proc.stdin.flush()
        assert proc.wait(GUARD) == 0
        with writer_lock(folder, blocking=False):
            pass
    finally:
        proc.kill()


# -- the store and the snapshot ------------------------------------------------------------------
def test_store_readers_see_committed_rows_only_and_do_not_wait(tmp_path):
    store = Store(tmp_path / "lib")
    inside, commit = threading.Event(), threading.Event()

    def write():
        with store.transaction():
            t = "An uncommitted paragraph about the zebra crossing rule."
            store.add_opinion(Opinion(id="w", meta=Meta(case_name="W v. X"), text=t), [Passage("w", 0, t, 0, len(t))])
            inside.set()
            commit.wait(GUARD)

    t = threading.Thread(target=write)
    t.start()
    assert inside.wait(GUARD)
    assert [oid for oid, _, _ in store.opinions()] == [] and store.passage_ids() == []  # not yet, and no wait
    commit.set()
    t.join(GUARD)
    assert [oid for oid, _, _ in store.opinions()] == ["w"]
    store.close()


def test_snapshot_reloads_only_what_changed_and_keeps_serving_the_old_one(bm25_only):
    lib, emb = bm25_only
    emb.let_all()
    r = lib.retriever
    first = r.snapshot()
    assert first.vectors is None and r.snapshot() is first  # unchanged manifest: the same object
    lib.sync()
    second = r.snapshot()
    assert second is not first and second.lexical is first.lexical  # BM25 unchanged: not reloaded
    assert second.embedded == len(lib.store.passage_ids())
    # while one thread loads a changed manifest, another is served the snapshot it has
    index_sync.prepare(lib.folder, lib.store, lib.settings, rebuild=True)
    with r._load_lock:
        assert r.snapshot() is second
    assert r.snapshot().vectors is None


# -- fusion and wording ------------------------------------------------------------------------------
def test_partial_hybrid_counts_a_missing_vector_as_its_bm25_rank():
    ranked = {"bm25": [(1, 9.0), (2, 8.0), (3, 7.0)], "dense": [(3, 0.9), (4, 0.8)]}
    fused = {pid: (score, d) for pid, score, d in _fuse(ranked, 60, {}, "hybrid", frozenset({1, 2}))}
    assert fused[1][0] == pytest.approx(2 / 61) and fused[1][1]["dense_missing"] == 1.0
    assert fused[3][0] == pytest.approx(1 / 63 + 1 / 61) and "dense_missing" not in fused[3][1]
    assert fused[4][0] == pytest.approx(1 / 62)
    complete = {pid: s for pid, s, _ in _fuse(ranked, 60, {}, "hybrid")}
    assert complete[1] == pytest.approx(1 / 61)  # with every vector present nothing is imputed


def test_retrieval_notes_say_what_ran():
    assert Retrieval("hybrid", "hybrid", 100, 100).note() == "" and Retrieval("bm25", "bm25", 100, 0).note() == ""
    partial = Retrieval("hybrid", "hybrid", 4814, 1925)
    assert partial.percent == 39 and "39% built (1,925 of 4,814 passages)" in partial.note()
    assert partial.label() == "hybrid (vectors over 39% of passages)"
    assert "keyword (BM25) search alone" in Retrieval("dense", "bm25", 10, 0).note()
    assert "was not searched" in Retrieval("dense", "dense", 10, 5).note()
    assert Retrieval("hybrid", "bm25", 10, 0).label() == "BM25 (hybrid asked; vectors 0% built)"


def test_status_line_shows_parsed_embedded_and_eta():
    from qa_bot.web.status import render_status

    st = {"passages": 4814, "bm25": 4814, "vectors": 1925, "state": "embedding", "eta_seconds": 150.0, "rate": 19.3,
          "error": ""}
    html = render_status(st)
    assert "4,814 passages searchable by keyword" in html and "vectors 1,925 of 4,814 (39%)" in html
    assert "about 2 min left at 19 passages/s" in html and "qa-status-building" in html
    done = render_status({**st, "vectors": 4814, "state": "complete", "eta_seconds": None})
    assert "vectors complete" in done and "qa-status-ready" in done
    bad = render_status({**st, "state": "error", "error": "model <x> missing"})
    assert "qa-status-error" in bad and "model &lt;x&gt; missing" in bad
    building = render_status({**st, "vectors": 0, "passages": 116, "building": {"done": 1, "total": 28}})
    assert "building the library: 1 of 28 files stored, answers cover those" in building


def test_cli_search_and_ask_say_the_vectors_are_incomplete(bm25_only, capsys):
    from qa_bot.cli import main

    lib, _ = bm25_only
    assert main(["search", "qualified immunity", "--index", str(lib.folder), "--mode", "dense", "--k", "2"]) == 0
    out = capsys.readouterr()
    assert "Dense search was asked for, but no passage has its vectors yet" in out.err and "Pena" in out.out
    assert main(["ask", QUESTION, "--index", str(lib.folder), "--mode", "bm25"]) == 0
    assert "Search:" not in capsys.readouterr().out  # BM25 asked, BM25 ran: nothing to say


def test_in_process_llm_generates_one_answer_at_a_time(monkeypatch):
    from qa_bot.answer import llm
    from qa_bot.settings import AnswerSettings

    active, peak, gate = [0], [0], threading.Event()

    class FakeLlama:
        def reset(self):  # each answer starts from an empty context
            assert active[0] == 0, "the context was reset while another answer was generating"

        def create_chat_completion(self, **kwargs):
            active[0] += 1
            peak[0] = max(peak[0], active[0])
            try:
                for word in ("one ", "two "):
                    gate.wait(GUARD)
                    yield {"choices": [{"delta": {"content": word}}]}
            finally:
                active[0] -= 1

    monkeypatch.setattr(llm, "_llama", lambda path: FakeLlama())
    st = AnswerSettings(gguf_path="fake.gguf")
    first = llm._gguf_stream([], st)
    gate.set()
    assert next(first) == "one "  # the first generation holds the model
    second_started = threading.Event()
    out = []

    def second():
        second_started.set()
        out.extend(llm._gguf_stream([], st))

    t = threading.Thread(target=second)
    t.start()
    assert second_started.wait(GUARD)
    assert list(first) == ["two "]  # finishing (or closing) the first lets the second in
    t.join(GUARD)
    assert out == ["one ", "two "] and peak[0] == 1


def test_case_names_the_answerer_knows_follow_the_library_as_it_grows(bm25_only, tmp_path):
    """An answer given while the library is still being built (or before an upload) must not leave
    the answerer believing the later opinions' case names are not in the library."""
    import json

    from qa_bot.answer.abstain import library_case_names

    lib, emb = bm25_only
    assert [n for _, n in library_case_names(lib)] == ["Pena v. DePrisco"]
    path = second_opinion(tmp_path / "up")
    path.write_text(path.read_text(encoding="utf-8").replace(
        "The question presented is", "The question presented in Quill v. Lantern Ferries is"), encoding="utf-8")
    path.with_suffix(".json").write_text(json.dumps({"case_name": "Quill v. Lantern Ferries", "court_id": "ca2",
                                                      "year": 2021}), encoding="utf-8")
    lib.ingest([path], embed=False)
    assert sorted(n for _, n in library_case_names(lib)) == ["Pena v. DePrisco", "Quill v. Lantern Ferries"]
    answer = reading(emb, lib.ask, "Does the zebra crossing rule govern lantern ferries in Quill v. Lantern Ferries?")
    assert not answer.abstained and answer.citations[0].full.startswith("Quill v. Lantern Ferries")


def test_bm25_is_published_during_an_ingest_into_a_new_library_not_a_short_upload(tmp_path, monkeypatch):
    """A new library publishes BM25 after its first file (it answers while the rest comes in); a
    short upload into a library that already answers publishes once, at its end."""
    from qa_bot import library

    calls = []
    real = index_sync.prepare
    monkeypatch.setattr(index_sync, "prepare", lambda *a, **k: calls.append(1) or real(*a, **k))
    monkeypatch.setattr(library, "GROWING_PUBLISH_SECONDS", 1e9)  # however slow the machine: not yet
    lib = open_lib(tmp_path / "lib", FakeEmbedder())
    src = copy_pena(tmp_path / "src")
    lib.ingest([src, DATA / "courtlistener" / "marron-lawbox.txt"], embed=False)
    assert len(calls) == 2  # after Pena, and at the end
    calls.clear()
    lib.ingest([second_opinion(tmp_path / "up"), DATA / "courtlistener" / "bullington-columbia.txt"], embed=False)
    assert len(calls) == 1
    lib.close()


def test_a_stop_does_not_wait_for_the_rest_of_an_embedding_round(bm25_only):
    """The background worker's stop (Library.close) is noticed between the encoder's batches, keeping
    the rounds committed before it."""
    lib, emb = bm25_only
    emb.let_all()
    stop = threading.Event()
    seen = []

    class Batched(FakeEmbedder):
        def encode_documents(self, texts, progress=None):
            for i in range(0, len(texts), 10):  # ten at a time, reporting each like the real encoder
                seen.append(i)
                if len(seen) == 8:  # the third batch of the second round
                    stop.set()
                if progress:
                    progress("embed", min(i + 10, len(texts)), len(texts))
            return super().encode_documents(texts)

    added = index_sync.fill_vectors(lib.folder, lib.store, lib.settings, Batched(), chunk=50, stop=stop)
    assert added == 50 and len(seen) == 8  # round 1 (5 batches) committed; round 2 stopped at its 3rd
