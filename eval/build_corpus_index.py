"""Build the whole Supreme Court corpus index and print how long each stage took.

    .venv/bin/python eval/build_corpus_index.py [--index scotus] [--corpus ../shared/corpora/scotus-citator]

Equivalent to the documented commands, timed:

    qa-bot ingest /work/shared/corpora/scotus-citator --index scotus --no-embed   # store + BM25
    qa-bot sync --index scotus                                                     # embeddings (resumable)

Splitting ingest from embedding shows the cost of each; an interrupted sync resumes where it stopped.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = Path(os.environ.get("QA_BOT_SHARED", ROOT.parent / "shared")) / "corpora" / "scotus-citator"


def run(args: list[str]) -> float:
    print("$ qa-bot " + " ".join(args), flush=True)
    t = time.perf_counter()
    rc = subprocess.call([sys.executable, "-m", "qa_bot.cli", *args], cwd=ROOT)
    took = time.perf_counter() - t
    if rc != 0:
        sys.exit(f"qa-bot {args[0]} failed with exit code {rc}")
    return took


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", default="scotus")
    ap.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    args = ap.parse_args()
    t_ingest = run(["ingest", args.corpus, "--index", args.index, "--no-embed"])
    t_sync = run(["sync", "--index", args.index])
    sys.path.insert(0, str(ROOT))
    from qa_bot.library import Library

    with Library.open(args.index) as lib:
        status = lib.retriever.status()
    n = max(status["passages"], 1)
    print(f"ingest + BM25: {t_ingest:.0f} s; embedding: {t_sync:.0f} s ({status['vectors'] / max(t_sync, 1e-9):.0f} "
          f"passages/s); {status['passages']} passages, {status['vectors']} vectors ({status['vector_index']})")
    print(f"per 1,000 passages: ingest {1000 * t_ingest / n:.1f} s, embed {1000 * t_sync / n:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
