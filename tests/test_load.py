"""Load: 20 concurrent users on loopback while an upload is ingested (issue 10, Build 4 / item 9).

Asserts correctness under concurrency, never speed, so it passes on a machine at load 15: every
request is answered (0 errors); every chat session's conversation holds its own questions, in order,
and no other session's (no answer delivered to the wrong session); every ``/ask`` answer is the answer
to the question sent and quotes the opinion it cites word for word; the upload is stored and its
opinions are searchable while and after the users ask. The work is bounded (20 users x 3 questions)
and every client waits as long as a loaded machine needs. Latency and memory are measured side by
side by ``eval/reliability/load.py`` (README "Reliability").
"""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import DATA, free_port

import loadkit

USERS = 20  # half in the chat (stateful sessions), half through /ask
QUESTIONS = 3
BASE = ["What did the court hold about qualified immunity?",
        "When does a state actor's encouragement create a danger under the Due Process Clause?",
        "What did the district court rule on the motion to dismiss?",
        "Did the officers know about Grey's drinking before the accident?"]
UPLOAD = [DATA / "courtlistener" / "marron-lawbox.txt", DATA / "courtlistener" / "bullington-columbia.txt",
          DATA / "cap" / "html" / "0456-01.html"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The chat as ``qa-bot serve`` runs it (its queue settings), over a library holding Pena."""
    from qa_bot.library import Library
    from qa_bot.web.app import QUEUE_SIZE, build_app, launch_kwargs

    lib = Library.open(tmp_path_factory.mktemp("load") / "lib", create=True)
    assert len(lib.ingest([DATA / "pena-v-deprisco.txt"]).ingested) == 1
    demo = build_app(lib)
    demo.queue(max_size=QUEUE_SIZE)
    port = free_port()
    demo.launch(prevent_thread_lock=True, quiet=True, **launch_kwargs("127.0.0.1", port, 20, None))
    yield f"http://127.0.0.1:{port}/", lib
    demo.close()
    lib.close()


def _question(user: int, i: int) -> str:
    return f"{BASE[(user + i) % len(BASE)]} (user {user}, question {i})"


def test_twenty_users_during_an_upload_each_get_their_own_answers(server):
    url, lib = server
    cfg = loadkit.config(url)
    errors: list[str] = []
    uploaded: dict = {}

    def do_upload():
        try:
            uploaded["html"] = loadkit.upload(url, UPLOAD, cfg)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(f"upload: {e!r}")

    def chat_user(user: int) -> list[str]:
        session = loadkit.new_session()
        html = ""
        for i in range(QUESTIONS):
            html = loadkit.chat(url, _question(user, i), session, cfg)
        return re.findall(r'class="qa-msg qa-user"[^>]*>([^<]*)<', html)

    def api_user(user: int) -> list[tuple[str, dict]]:
        client = loadkit.ask_client(url)
        return [(q, client.predict(question=q, answerer="extractive", mode="hybrid", k=5, api_name="/ask"))
                for q in (_question(user, i) for i in range(QUESTIONS))]

    uploader = threading.Thread(target=do_upload)
    uploader.start()
    with ThreadPoolExecutor(max_workers=USERS) as pool:
        chats = {u: pool.submit(chat_user, u) for u in range(USERS // 2)}
        apis = {u: pool.submit(api_user, u) for u in range(USERS // 2, USERS)}
        results = {}
        for u, f in {**chats, **apis}.items():
            try:
                results[u] = f.result()
            except Exception as e:  # noqa: BLE001 - every failure is listed, not just the first
                errors.append(f"user {u}: {e!r}")
    uploader.join()
    assert not errors, errors

    for u in chats:  # each conversation: its own questions, in order, and nothing else
        assert results[u] == [_question(u, i).replace("'", "&#x27;") for i in range(QUESTIONS)], results[u]
    quoted = 0
    for u in apis:
        for q, out in results[u]:
            assert out["question"] == q, (q, out["question"])  # the answer to the question sent
            assert not out["abstained"] and out["citations"], out
            for c in out["citations"]:
                text = lib.opinion(c["opinion_id"]).text
                assert c["quote"] in text  # quoted word for word from the opinion it cites
                quoted += 1
    assert quoted >= USERS // 2 * QUESTIONS

    assert uploaded["html"].count("<b>ingested</b>") == len(UPLOAD), uploaded["html"]
    hits = lib.search("Marron search warrant seized ledger", mode="bm25", k=3)
    assert hits and "marron-lawbox" in lib.opinion(hits[0].passage.opinion_id).source
