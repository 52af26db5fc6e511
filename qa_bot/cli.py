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
            bar = bars[stage] = tqdm(total=total, desc=stage, unit="item", dynamic_ncols=True, file=sys.stderr, leave=True)
        bar.total = total  # a corpus folder's total grows as it is read: keep one bar per stage
        bar.n = done
        bar.refresh()

    return progress


def _open(args, create: bool = False):
    from .library import Library

    return Library.open(args.index, create=create, progress=_progress_printer(getattr(args, "quiet", False)))


# --- ingest / info (foundation) ----------------------------------------------------------------
def _cmd_ingest(args) -> int:
    with _open(args, create=True) as lib:
        report = lib.ingest(args.paths, progress=_progress_printer(args.quiet), embed=not args.no_embed)
    for line in report.lines():
        print(line)
    if not args.quiet:
        print(f"{report.summary()} into {lib.folder}", file=sys.stderr)
    return 1 if report.failed else 0


def _cmd_info(args) -> int:
    with _open(args) as lib:
        info = lib.info()
    if args.json:
        print(json.dumps(info, indent=2))
    else:
        for k, v in info.items():
            if isinstance(v, dict):
                print(f"{k:>20}:")
                for k2, v2 in v.items():
                    print(f"{k2:>24}: {v2}")
            else:
                print(f"{k:>20}: {v}")
    return 0


def _cmd_serve(args) -> int:  # web chat (qa_bot/ui.py)
    from .ui import serve

    serve(args.index, host=args.host, port=args.port, max_upload_mb=args.max_upload_mb, quiet=args.quiet)
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
    from .retrieve import add_search_arguments, add_sync_arguments, cli_search, cli_sync

    add_search_arguments(cmd("search", cli_search, "find the passages that best match a question"))
    add_sync_arguments(cmd("sync", cli_sync, "bring the search indexes up to date (embed what is missing)"))
    # --- eval (evaluation) ---
    from .evaluate import add_arguments as _eval_arguments, cli_eval as _cmd_eval

    _eval_arguments(cmd("eval", _cmd_eval, "score retrieval (and answers) on an evaluation set (JSONL)"))
    # --- ask (answers) ---
    from .answer import add_ask_arguments, cli_ask

    add_ask_arguments(cmd("ask", cli_ask, "answer a question with quoted, pin-cited passages"))
    # --- serve (web chat) ---
    sp = cmd("serve", _cmd_serve, "open the web chat on 127.0.0.1 (builds the demo library on first use)")
    sp.add_argument("--host", default="127.0.0.1",
                    help="address to bind; anything but loopback requires QA_BOT_PASSWORD in the environment")
    sp.add_argument("--port", type=int, default=7860)
    sp.add_argument("--max-upload-mb", type=int, default=20, help="largest file the Library tab accepts")
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
