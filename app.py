"""Run the web chat: ``python app.py [--index NAME|PATH] [--port 7860] [--host 127.0.0.1]``.

The same as ``qa-bot serve``: the demo library is built on first run (progress in the terminal);
binding to a non-loopback host requires ``QA_BOT_PASSWORD``.
"""

import sys

from qa_bot import offline  # noqa: F401  (analytics off, offline switches) -- before gradio loads
from qa_bot.cli import main

if __name__ == "__main__":
    sys.exit(main(["serve", *sys.argv[1:]]))
