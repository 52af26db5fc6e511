"""Runs a ``qa-bot`` command with every network call the Python process makes written down.

    python tests/netwatch.py LOG -- serve --index LIB --port 7861 --quiet

An audit hook (``sys.addaudithook``, PEP 578) sees every ``socket.connect``, ``socket.sendto``,
``socket.getaddrinfo`` and ``socket.bind`` of any library in the process (gradio, httpx, huggingface_hub,
urllib, ...) before it happens, and appends one JSON line per call to ``LOG``: the event and its host.
The exposure suite then checks that none of them went anywhere but loopback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

_EVENTS = {"socket.connect", "socket.sendto", "socket.getaddrinfo", "socket.bind"}


def main() -> int:
    log = open(sys.argv[1], "a", buffering=1, encoding="utf-8")
    argv = sys.argv[sys.argv.index("--") + 1:]

    def hook(event: str, args: tuple) -> None:
        if event not in _EVENTS:
            return
        if event == "socket.getaddrinfo":
            host = args[0]
        else:
            address = args[1] if len(args) > 1 else None
            host = address[0] if isinstance(address, tuple) and address else address
        if isinstance(host, bytes):
            host = host.decode("utf-8", "replace")
        log.write(json.dumps({"event": event, "host": host if isinstance(host, (str, type(None))) else repr(host)}) + "\n")

    sys.addaudithook(hook)
    from qa_bot.cli import main as cli

    return cli(argv)


if __name__ == "__main__":
    sys.exit(main())
