"""Talking to the running chat as its users do, for the load test and its long-form script.

``event(url, api_name, data, session)`` fires one of the page's own (private) events the way the
browser does - join the queue with the event's id and this session's hash, read the event stream to
its end - so a chat session keeps its server-side state between questions exactly as in a browser.
``upload(url, files)`` uploads files and presses Ingest likewise. ``ask_client(url)`` is a
``gradio_client`` for ``/ask`` with timeouts long enough for a loaded machine: correctness under load is
what the tests assert, never speed.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import httpx

TIMEOUT = httpx.Timeout(900.0, connect=60.0)  # a loaded CI machine is slow, not broken


def config(url: str) -> dict:
    return httpx.get(url + "config", timeout=TIMEOUT).json()


def event(url: str, api_name: str, data: list, session: str, cfg: dict | None = None) -> list:
    """The final output of the page's event ``api_name`` run with ``data`` in ``session``."""
    cfg = cfg or config(url)
    dep = next(d for d in cfg["dependencies"] if d.get("api_name") == api_name)
    with httpx.Client(timeout=TIMEOUT) as http:
        http.post(url + "gradio_api/queue/join", json={"data": data, "fn_index": dep["id"], "session_hash": session,
                                                       "event_data": None, "trigger_id": None}).raise_for_status()
        with http.stream("GET", url + f"gradio_api/queue/data?session_hash={session}") as stream:
            for line in stream.iter_lines():
                if line.startswith("data:"):
                    msg = json.loads(line[5:])
                    if msg.get("msg") == "process_completed":
                        if not msg.get("success", True):
                            raise RuntimeError(f"{api_name} failed: {msg.get('output')}")
                        return msg["output"]["data"]
    raise RuntimeError(f"the event stream of {api_name} ended without a result")


def new_session() -> str:
    return uuid.uuid4().hex[:11]


def chat(url: str, question: str, session: str, cfg: dict | None = None, mode: str = "hybrid") -> str:
    """Ask in the chat of ``session``; returns the conversation's HTML after the answer."""
    return event(url, "ui_ask", [question, None, "extractive", mode, 5, [], None, None, None, ""], session, cfg)[0]


def upload(url: str, files: list[Path], cfg: dict | None = None) -> str:
    """Upload ``files`` and press Ingest as the Library tab does; returns the result table's HTML."""
    with httpx.Client(timeout=TIMEOUT) as http:
        sent = http.post(url + "gradio_api/upload",
                         files=[("files", (p.name, p.read_bytes(), "application/octet-stream")) for p in files])
        sent.raise_for_status()
    data = [{"path": path, "orig_name": p.name, "meta": {"_type": "gradio.FileData"}}
            for path, p in zip(sent.json(), files)]
    return event(url, "ui_ingest", [data], new_session(), cfg)[0]


def ask_client(url: str, **kwargs):
    """gradio_client's default 20 s timeout made the 20-concurrent-users test fail with httpx.ReadTimeout
    on a busy machine."""
    from gradio_client import Client

    return Client(url, verbose=False, httpx_kwargs={"timeout": TIMEOUT}, analytics_enabled=False, **kwargs)
