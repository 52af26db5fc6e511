"""The web chat: rendering escapes everything, uploads are sanitised and limited, the non-loopback
guard, and the ``/ask`` API through ``gradio_client`` against a real server over a real library."""

from __future__ import annotations

import re
import shutil

import pytest
from conftest import free_port, served_pena
from loadkit import ask_client as api_client

from qa_bot.types import (CANNOT_ANSWER, Answer, AnswerSentence, Citation, Footnote, Hit, Meta, Opinion, Paragraph,
                          Part, Passage)
from qa_bot.web import render as R
from qa_bot.web.viewer import render_opinion

XSS = ('<script>window.__xss=1</script> <img src=x onerror="window.__xss=2"> '
       '[click](javascript:window.__xss=3) <a href="javascript:window.__xss=4">link</a> ${window.__xss=5}')


def _no_live_html(out: str) -> None:
    """None of the payload's markup survives as markup."""
    assert "<script" not in out and "<img" not in out and "<a href=\"javascript" not in out
    assert "&lt;script&gt;" in out and "&lt;img" in out
    assert 'onerror="' not in out  # the quote is escaped too: onerror=&quot;


def _payload_opinion() -> Opinion:
    body = f"The court held that the zebra doctrine applies. {XSS} The rule is settled."
    note = f"See the record {XSS}."
    text = body + "\n" + note
    return Opinion(
        id="op1", meta=Meta(case_name=f"Doe v. {XSS}", citation="1 F.4th 2", court="Court <b>x</b>", court_id="ca2",
                            year=2021),
        text=text, pages=((0, 2), (20, 3)),
        paragraphs=(Paragraph(0, len(body), "body"), Paragraph(len(body) + 1, len(text), "footnote", footnote="1")),
        footnotes=(Footnote("1", len(body) + 1, len(text), marker=len(body), page=3),),
        parts=(Part(0, len(body), "majority", None),),
    )


def _payload_answer(op: Opinion) -> Answer:
    p = Passage(op.id, 0, op.text[:120], 0, 120, case_name=op.meta.case_name, citation=op.meta.citation,
                court=op.meta.court, court_id="ca2", year=2021, page_start=2, page_end=3, id=7)
    c = Citation(1, 7, op.id, 0, 48, op.text[:48], "2", f"Doe v. {XSS}, 1 F.4th 2, 2 (2d Cir. 2021)", "Doe, 1 F.4th at 2")
    return Answer(question=f"what about {XSS}?", sentences=(AnswerSentence(f"It held {XSS}.", (1,)),),
                  citations=(c,), hits=(Hit(p, 0.9, 1),), note=f"weak {XSS}")


def test_answer_rendering_escapes_and_links_citations():
    op = _payload_opinion()
    out = R.render_answer(_payload_answer(op))
    _no_live_html(out)
    assert 'data-cite="op1|0|48"' in out and ">[1]</a>" in out
    # Markdown link syntax stays text: no anchor has a javascript: href
    assert not re.search(r'href="\s*javascript', out, re.I)
    chat = R.render_chat([R.Turn(f"q {XSS}", out)])
    assert "<script" not in chat and chat.count("&lt;script&gt;") >= 4  # question, sentence, note, cite


def test_abstention_shows_sentinel_and_closest_passages():
    op = _payload_opinion()
    a = _payload_answer(op)
    abst = Answer(question="x", sentences=(AnswerSentence(CANNOT_ANSWER),), citations=(), hits=a.hits, abstained=True)
    out = R.render_answer(abst)
    assert CANNOT_ANSWER in out and "closest passages" in out and 'data-cite="op1|0|120"' in out
    _no_live_html(out)


def test_sources_escape_highlight_and_mark_use():
    op = _payload_opinion()
    a = _payload_answer(op)
    out = R.render_sources(a.hits, a, a.question)
    _no_live_html(out)
    assert "used in answer [1]" in out
    assert "<mark>The court held that the zebra doctrine applies. </mark>" in out
    unused = R.render_sources(a.hits, None, "zebra doctrine")
    assert "not used" in unused and "<mark>" in unused


def test_opinion_viewer_escapes_and_has_pages_footnotes_target():
    op = _payload_opinion()
    out = render_opinion(op, 4, 30)
    _no_live_html(out)
    assert out.count('id="qv-target"') == 1
    assert 'id="qv-page-3"' in out and ">*3<" in out and 'id="qv-page-2"' in out
    assert 'id="qv-fnref-1"' in out and 'data-fn="1"' in out and 'id="qv-fn-1"' in out and 'data-fnback="1"' in out
    assert render_opinion(op).count("qv-target") == 0


def test_opinion_parts_labelled():
    op = _payload_opinion()
    n = len(op.text)
    op2 = Opinion(op.id, op.meta, op.text, paragraphs=op.paragraphs[:1] + (Paragraph(len(op.text) - 10, n, "body"),),
                  parts=(Part(0, 20, "majority"), Part(n - 10, n, "dissent", "Jacobs, J.")))
    out = render_opinion(op2)
    assert "Opinion of the court" in out and "Dissenting opinion — Jacobs, J." in out


def test_ingest_and_library_tables_escape_names():
    out = R.render_ingest([(f"{XSS}.txt", "rejected", f"bad {XSS}")])
    _no_live_html(out)
    lib = R.render_opinions([("id<1>", Meta(case_name=XSS, court=XSS), 3)])
    _no_live_html(lib)


def test_markdown_export_and_json():
    op = _payload_opinion()
    a = _payload_answer(op)
    md = R.answer_markdown(a)
    assert "<script>" not in md and "[click](" not in md and "\\[click\\]" in md
    assert "## Citations" in md and "1 F.4th 2, 2 (2d Cir. 2021)" in md
    js = R.answer_json(a)
    assert js["citations"][0]["number"] == 1 and js["citations"][0]["quote"] == op.text[:48]


def test_parse_ref_rejects_bad_references():
    assert R.parse_ref("abc|1|5") == ("abc", 1, 5)
    for bad in ("", "abc", "abc|x|5", "abc|5|1", "|1|2"):
        with pytest.raises(ValueError):
            R.parse_ref(bad)


def test_safe_names_and_host_guard():
    from qa_bot.errors import QaBotError
    from qa_bot.web.app import auth_for, safe_name

    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name('<img src=x onerror="a">.txt') == "img_src_x_onerror_a_.txt"
    assert safe_name("..") == "upload" and safe_name("C:\\x\\..\\op.pdf") == "op.pdf"
    assert auth_for("127.0.0.1", {}) is None and auth_for("localhost", {}) is None and auth_for("::1", {}) is None
    with pytest.raises(QaBotError, match="QA_BOT_PASSWORD"):
        auth_for("0.0.0.0", {})
    assert auth_for("0.0.0.0", {"QA_BOT_PASSWORD": "s3cret"}) == [("qa-bot", "s3cret")]


def test_cli_serve_refuses_public_host_without_password(monkeypatch, capsys, tmp_path):
    from qa_bot.cli import main

    monkeypatch.delenv("QA_BOT_PASSWORD", raising=False)
    rc = main(["serve", "--host", "0.0.0.0", "--index", str(tmp_path / "none"), "--port", "1"])
    assert rc == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "QA_BOT_PASSWORD" in err and "Traceback" not in err


# -- a real library and server ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with served_pena(tmp_path_factory.mktemp("ui"), max_upload_mb=1) as (app, url, lib, _):
        yield app, url, lib


def test_ask_api_through_gradio_client(served):
    demo, url, _ = served
    client = api_client(url)
    out = client.predict(question="What did the court hold about qualified immunity?", answerer="extractive",
                         mode="hybrid", k=5, api_name="/ask")
    assert not out["abstained"]
    assert out["citations"] and all("432 F.3d 98" in c["full"] for c in out["citations"])
    assert any("qualified immunity" in c["quote"] for c in out["citations"])
    assert re.search(r"\[1\]", out["answer"])
    api = client.view_api(print_info=False, return_format="dict")
    assert list(api["named_endpoints"]) == ["/ask"]  # the UI's own events are private


def test_ask_api_reports_bad_input_as_message(served):
    _, url, _ = served
    client = api_client(url)
    with pytest.raises(Exception, match="mode"):
        client.predict(question="qualified immunity", mode="fuzzy", api_name="/ask")
    # issue 10, item 6: these used to return Python's own messages ("invalid literal for int()")
    with pytest.raises(Exception, match=r"k must be a whole number, not 'abc'"):
        client.predict(question="qualified immunity", k="abc", api_name="/ask")


def test_upload_handler_limits_sanitises_and_reports(served, tmp_path, data_dir):
    demo, _, lib = served
    app = demo.qa_app
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * (app.max_upload + 1))
    exe = tmp_path / "tool.exe"
    exe.write_bytes(b"MZ")
    odd = tmp_path / "Pena <copy> v2.txt"
    shutil.copy(data_dir / "pena-v-deprisco.txt", odd)
    result, table, *_ = app.ingest([str(big), str(exe), str(odd)], progress=lambda *a, **k: None)
    assert "over the 1 MB upload limit" in result and "unsupported file type .exe" in result
    assert "duplicate" in result and "Pena &lt;copy&gt; v2.txt" in result
    stored = sorted(p.name for p in (lib.folder / "uploads").iterdir())
    assert stored == ["Pena_copy_v2.txt"]
    assert "Pena v. DePrisco" in table


def test_chat_handler_streams_keeps_history_and_filters(served):
    demo, _, _ = served
    app = demo.qa_app
    q = "What did the court hold about qualified immunity?"
    steps = list(app.ask(q, [], "extractive", "hybrid", 5, [], None, None, None))
    assert "qa-pending" in steps[0][0] and steps[0][1] == ""  # the question shows at once, box cleared
    chat, _, sources, turns, download, cites = steps[-1]
    assert 'class="qa-cite"' in chat and "qa-pending" not in chat and "used in answer" in sources
    assert cites.startswith("[1] Pena v. DePrisco, 432 F.3d 98, ")
    md = open(download.value["path"] if isinstance(download.value, dict) else download.value, encoding="utf-8").read()
    assert md.startswith(f"# {q}") and "## Citations" in md
    # a follow-up is answered in the same conversation; filters reach the retriever
    steps = list(app.ask("And the officers?", turns, "extractive", "bm25", 3, ["ca2"], 2000, 2010, "Pena"))
    chat, _, _, turns2, _, _ = steps[-1]
    assert len(turns2) == 2 and chat.count('class="qa-msg qa-user"') == 2 and 'class="qa-cite"' in chat
    chat = list(app.ask("qualified immunity", [], "extractive", "hybrid", 5, ["scotus"], None, None, None))[-1][0]
    assert 'class="qa-error"' in chat and "unknown court" in chat
    chat, _, sources, *_ = list(app.ask("qualified immunity", [], "extractive", "hybrid", 5, [], 1990, 1999, None))[-1]
    assert "qa-abstain" in chat and "The library holds no answer" in chat  # nothing from the 1990s here
    assert "No passages matched" in sources


def test_the_llm_model_field_reaches_the_llm_answerer(served, monkeypatch):
    """Before: the chat had no LLM model field, so choosing the llm answerer failed with 'no LLM model
    named: set QA_BOT_LLM_MODEL (or AnswerSettings.llm_model)'. The model typed in the field is the one
    asked (here a scripted OpenAI-compatible endpoint that quotes the first passage it is given)."""
    import re

    from llmkit import scripted_endpoint

    demo, _, lib = served

    def quoting_model(model, messages):
        user = messages[-1]["content"]
        text = re.search(r"<<<PASSAGE 1\n(.*?)\nPASSAGE 1>>>", user, re.S).group(1)
        from qa_bot.ingest.sentences import sentence_spans

        s, e = sentence_spans(text)[0]
        return 200, "text/event-stream", [text[s:e], " [1]"], 0

    q = "What did the court hold about qualified immunity?"
    with scripted_endpoint(quoting_model) as server:
        monkeypatch.setattr(lib, "settings", lib.settings.with_(answer={"llm_base_url": server.url, "llm_model": ""}))
        chat, _, sources, _, _, cites = list(demo.qa_app.ask(q, [], "llm", "bm25", 3, [], None, None, None,
                                                             " my-local-model "))[-1]
        assert [r["body"]["model"] for r in server.requests] == ["my-local-model"]
        assert 'class="qa-cite"' in chat and 'class="qa-error"' not in chat, chat
        assert cites.startswith("[1] Pena v. DePrisco, 432 F.3d 98, ") and "used in answer" in sources
        chat = list(demo.qa_app.ask(q, [], "llm", "bm25", 3, [], None, None, None, ""))[-1][0]
        assert 'class="qa-error"' in chat and "needs a model" in chat and len(server.requests) == 1


def test_password_from_environment_protects_the_app(served):
    """What ``--host 0.0.0.0`` with QA_BOT_PASSWORD launches: a login in front of the UI and the API."""
    import httpx

    from qa_bot.web.app import auth_for, build_app, launch_kwargs

    _, _, lib = served
    auth = auth_for("0.0.0.0", {"QA_BOT_PASSWORD": "pw-123", "QA_BOT_USER": "clerk"})
    demo = build_app(lib)
    port = free_port()
    demo.launch(prevent_thread_lock=True, quiet=True, **launch_kwargs("127.0.0.1", port, 1, auth))
    try:
        url = f"http://127.0.0.1:{port}/"
        assert httpx.get(url + "gradio_api/info").status_code == 401
        ok = httpx.post(url + "login", data={"username": "clerk", "password": "pw-123"})
        bad = httpx.post(url + "login", data={"username": "clerk", "password": "nope"})
        assert ok.status_code == 200 and bad.status_code == 400
        assert "/ask" in api_client(url, auth=("clerk", "pw-123")).view_api(print_info=False, return_format="dict")["named_endpoints"]
    finally:
        demo.close()


def test_chat_handler_resumed_on_other_threads_finishes_and_holds_nothing(served):
    """Gradio resumes a streaming handler on whichever worker thread is free. Each step here runs on a
    new thread; the handler must finish, and nothing it touched may stay held: the library's writer lock
    is free afterwards from yet another thread, also after a question abandoned after its first step
    (CI once hung every later question when a lock held across ``yield`` was released by a thread that
    did not own it; answers now take no lock at all)."""
    import threading

    from qa_bot.index.writer import writer_lock

    demo, _, lib = served
    app = demo.qa_app
    gen = app.ask("What did the court hold about qualified immunity?", [], "extractive", "hybrid", 5, [], None,
                  None, None)
    steps, errors, finished = [], [], threading.Event()
    took = threading.Semaphore(0)

    def step():
        try:
            steps.append(next(gen))
        except StopIteration:
            steps.append(None)
        except BaseException as e:  # noqa: BLE001 -- reported below
            errors.append(e)
        took.release()
        finished.wait(120)  # stay alive, so the next step cannot reuse this thread's id

    workers = []
    try:
        while not errors and (not steps or steps[-1] is not None):
            workers.append(threading.Thread(target=step, daemon=True))
            workers[-1].start()
            assert took.acquire(timeout=60), "a step of the chat handler hung"
    finally:
        finished.set()
    assert len(workers) > 3 and not errors, errors
    assert 'class="qa-cite"' in steps[-2][0]
    gen2 = app.ask("qualified immunity", [], "extractive", "hybrid", 5, [], None, None, None)
    next(gen2)
    next(gen2)
    gen2.close()
    box: list = []

    def take_and_free():
        with writer_lock(lib.folder, blocking=False):
            box.append(True)

    t = threading.Thread(target=take_and_free)
    t.start()
    t.join(15)
    assert box == [True]
    chat = list(app.ask("qualified immunity", [], "extractive", "hybrid", 5, [], None, None, None))[-1][0]
    assert 'class="qa-cite"' in chat


def test_twenty_concurrent_api_users_all_get_answers(served):
    """20 clients asking at once through the real server and queue: every one gets its own cited answer.
    Correctness, not speed: the clients wait as long as a loaded machine needs (this test failed with
    httpx.ReadTimeout on a busy CI machine when gradio_client's default timeouts applied), and the work
    is bounded (one question each)."""
    from concurrent.futures import ThreadPoolExecutor

    _, url, lib = served
    questions = ["What did the court hold about qualified immunity?",
                 "When does a state actor's encouragement create a danger under the Due Process Clause?",
                 "What did the district court rule on the motion to dismiss?",
                 "What is the Patrolmen's Benevolent Association?"]

    def one(i: int) -> tuple[str, dict]:
        q = f"{questions[i % len(questions)]} ({i})"
        return q, api_client(url).predict(question=q, answerer="extractive", mode="hybrid", k=5, api_name="/ask")

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(one, range(20)))
    assert len(results) == 20
    for q, out in results:
        assert out["question"] == q and not out["abstained"] and out["citations"], (q, out)
        assert all("432 F.3d 98" in c["full"] for c in out["citations"])
        assert all(c["quote"] in lib.opinion(c["opinion_id"]).text for c in out["citations"])


def test_upload_cache_and_old_downloads_are_cleared(served):
    """Issue 10, item 8: Gradio's upload cache was never cleared, nor the answer downloads."""
    import os

    from qa_bot.web.app import CACHE_SECONDS

    demo, _, _ = served
    assert demo.delete_cache == (CACHE_SECONDS, CACHE_SECONDS)
    old = demo.qa_app.exports / "answer-0-old.md"
    old.write_text("an answer from yesterday", encoding="utf-8")
    os.utime(old, (0, 0))
    steps = list(demo.qa_app.ask("qualified immunity", [], "extractive", "bm25", 3, [], None, None, None))
    assert 'class="qa-cite"' in steps[-1][0] and not old.exists()
