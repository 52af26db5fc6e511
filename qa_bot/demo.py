"""The demo library's sources: *Pena v. DePrisco* plus the Supreme Court opinions a civil-rights or
criminal-procedure practitioner expects next to it, bundled in ``qa_bot/demo/`` (see its SOURCE.md;
``eval/make_demo.py`` selects them).

``Library.open(None)`` builds the demo library from ``demo_sources()`` on first use
(``qa_bot.library.build_demo``, in place, resumable).
"""

from __future__ import annotations

from pathlib import Path

from .errors import QaBotError

DATA = Path(__file__).parent / "demo"


def demo_sources() -> list[Path]:
    """What the demo ingests: the seed opinion first (its .json is its sidecar; on a first run the chat
    answers about it while the rest is still coming in), then the SCOTUS corpus folder."""
    return [DATA / "pena-v-deprisco.txt", DATA / "scotus"]


def check_sources(sources: list[Path]) -> None:
    """A ``QaBotError`` naming the missing files when the bundled demo data is incomplete."""
    missing = [str(p) for p in sources if not p.exists()]
    if missing:
        raise QaBotError(f"the bundled demo data is missing ({', '.join(missing)}); reinstall qa-bot")
