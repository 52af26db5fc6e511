"""``qa-bot``: a thin command line over ``Library``. Errors become one-line messages here, at the edge."""

from __future__ import annotations

import argparse
import json
import sys

from . import offline  # noqa: F401
from .errors import QaBotError


def _progress_printer(quiet: bool):
    if quiet:
        return None
    from tqdm import tqdm

    bars: dict[str, tqdm] = {}

    def progress(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = tqdm(total=total, desc=stage, unit="item", file=sys.stderr, leave=True)
        bar.total = total
        bar.n = done
        bar.refresh()
        if done >= total:
            bar.close()
            bars.pop(stage, None)

    return progress


def _open(args, create: bool = False):
    from .library import Library

    return Library.open(args.index, create=create, progress=_progress_printer(getattr(args, "quiet", False)))


# --- ingest / info (foundation) ----------------------------------------------------------------
def _cmd_ingest(args) -> int:
    lib = _open(args, create=True)
    report = lib.ingest(args.paths, progress=_progress_printer(args.quiet), embed=not args.no_embed)
    for line in report.lines():
        print(line)
    return 1 if report.failed else 0


def _cmd_info(args) -> int:
    info = _open(args).info()
    if args.json:
        print(json.dumps(info, indent=2))
    else:
        for k, v in info.items():
            print(f"{k:>20}: {v}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="qa-bot", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    def cmd(name: str, func, help: str) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help, description=help)
        sp.add_argument("--index", default=None, help="library name (folder under embeddings/) or path; default: demo")
        sp.add_argument("--quiet", action="store_true", help="no progress bars")
        sp.set_defaults(func=func)
        return sp

    sp = cmd("ingest", _cmd_ingest, "load opinions (files or folders) into a library")
    sp.add_argument("paths", nargs="+")
    sp.add_argument("--no-embed", action="store_true", help="store and BM25-index only; embed later with sync")

    sp = cmd("info", _cmd_info, "what a library holds")
    sp.add_argument("--json", action="store_true")

    # --- search (retrieval) ---
    # --- eval (evaluation) ---
    # --- ask (answers) ---
    # --- serve (web chat) ---
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except QaBotError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
