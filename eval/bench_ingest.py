"""Ingest benchmark: the whole shared SCOTUS citator corpus through loaders -> structure -> chunk ->
store (no embedding, no retriever) into a temporary library, then the figures::

    .venv/bin/python eval/bench_ingest.py [--corpus ../shared/corpora/scotus-citator] [--keep DIR]

Prints opinions, passages, tokens, seconds, characters per second and every failure with its reason.
Exit status 1 when any opinion failed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qa_bot.ingest.pipeline import human_size, folder_size, ingest  # noqa: E402
from qa_bot.settings import Settings  # noqa: E402
from qa_bot.ingest.store import Store  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpora" / "scotus-citator"))
    ap.add_argument("--keep", default=None, help="build the library here instead of a temporary folder")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench_ingest_") as tmp:
        folder = Path(args.keep or tmp)
        store = Store(folder)
        done = [0]

        def progress(stage: str, n: int, total: int) -> None:
            if n - done[0] >= 100:
                done[0] = n
                print(f"  {n} opinions ... {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)

        t0 = time.perf_counter()
        report = ingest(store, [args.corpus], Settings.preset(), progress=progress)
        seconds = time.perf_counter() - t0
        stats = store.stats()
        chars = store.db.execute("SELECT COALESCE(SUM(LENGTH(text)), 0) FROM opinions").fetchone()[0]
        store.close()
        size = folder_size(folder)

    print(f"corpus        {args.corpus}")
    print(f"opinions      {stats['opinions']}")
    print(f"passages      {stats['passages']}")
    print(f"tokens        {stats['tokens']}")
    print(f"pages         {stats['pages']}")
    print(f"footnotes     {stats['footnotes']}")
    print(f"clean chars   {chars}")
    print(f"seconds       {seconds:.1f}")
    print(f"chars/s       {chars / seconds:,.0f}")
    print(f"store size    {human_size(size)}")
    print(f"duplicates    {len(report.duplicates)}")
    for r in report.duplicates:
        print(f"  duplicate {r.source}  ({r.detail})")
    print(f"failures      {len(report.failed)}")
    for r in report.failed:
        print(f"  rejected  {r.source}  {r.detail}")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
