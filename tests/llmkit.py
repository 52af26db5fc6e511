"""A scripted OpenAI-compatible chat endpoint for the generative answerer's tests: a real
``http.server`` on 127.0.0.1 in a thread, whose reply to each request is decided by a script
``(model, messages) -> (status, content type, SSE pieces or a raw body, delay in seconds)``.
A list of SSE pieces is streamed as ``chat.completion.chunk`` events; a string is sent as it is.
Shared by test_llm (good, garbage, slow ... models) and test_hostile (a model that obeys an
injection), each with its own script; every request is kept in ``server.requests``."""

from __future__ import annotations

import json
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Iterator

Script = Callable[[str, list], tuple[int, str, "list[str] | str", float]]


class _Handler(BaseHTTPRequestHandler):
    server: "ScriptedServer"

    def log_message(self, *args):  # keep test output quiet
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
        status, ctype, payload, delay = self.server.script(body["model"], body["messages"])
        time.sleep(delay)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.end_headers()
        if isinstance(payload, str):
            self.wfile.write(payload.encode())
            return
        try:
            for piece in payload:
                chunk = {"choices": [{"index": 0, "delta": {"content": piece}}]}
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.flush()
            self.wfile.write(b"data: [DONE]\n\n")
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
            pass


class ScriptedServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, script: Script):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.script = script
        self.requests: list[dict] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


@contextmanager
def scripted_endpoint(script: Script) -> Iterator[ScriptedServer]:
    """A running ``ScriptedServer`` for ``script`` (its base URL is ``.url``), shut down on exit."""
    server = ScriptedServer(script)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
