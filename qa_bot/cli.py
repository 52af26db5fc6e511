"""``qa-bot``: a thin command line over ``Library``. Errors become one-line messages here, at the edge:
a ``QaBotError`` is printed as ``error: ...`` (exit 2), and a mistyped option is named with the
command's own usage and the closest valid option."""

from __future__ import annotations

import argparse
import difflib
import json
import sys

from . import offline  # noqa: F401
from .errors import QaBotError
from .progress import progress_printer


def _open(args, create: bool = False):
    from .library import Library

    return Library.open(args.index, create=create, progress=progress_printer(getattr(args, "quiet", False)))


# --- ingest / info (foundation) ----------------------------------------------------------------
def _cmd_ingest(args) -> int:
    if args.engine == "ray":
        return _cmd_ingest_ray(args)
    with _open(args, create=True) as lib:
        report = lib.ingest(args.paths, progress=progress_printer(args.quiet), embed=not args.no_embed)
        for line in report.lines():
            print(line)
        if not args.quiet:
            print(f"{report.summary()} into {lib.folder}", file=sys.stderr)
            print(ready_line(lib), file=sys.stderr)
    return 1 if report.failed else 0


def _cmd_ingest_ray(args) -> int:
    from .backends.uri import is_uri

    if not is_uri(args.index):
        raise QaBotError("--engine ray writes to a Milvus library: give --index milvus://host:19530/NAME or "
                         "milvus-lite:///path/to/library.db")
    from .scale.ray_ingest import ray_ingest

    with _open(args, create=True) as lib:
        report = ray_ingest(args.paths, lib.backend, lib.settings, actors=args.actors, address=args.ray_address,
                            num_cpus=args.num_cpus, progress=progress_printer(args.quiet))
    for source, reason in report.rejected:
        print(f"rejected  {source}  {reason}")
    if not args.quiet:
        print(f"{report.summary()} into {args.index}", file=sys.stderr)
    return 1 if report.rejected else 0


def ready_line(lib) -> str:
    """"library mycases ready: 28 opinions, 4,814 passages searchable (BM25 and vectors)"."""
    st = lib.index_status()
    opinions = sum(1 for _ in lib.store.opinions())
    how = ("BM25 and vectors" if st["vectors"] >= st["passages"]
           else f"BM25; vectors for {st['vectors']:,} - qa-bot sync embeds the rest")
    return f"library {lib.folder.name} ready: {opinions:,} opinions, {st['passages']:,} passages searchable ({how})"


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


# --- list / remove / edit (managing a library) ----------------------------------------------------
def _cmd_list(args) -> int:
    from .ingest.metadata import label

    with _open(args) as lib:
        rows = list(lib.store.opinions())
    if args.json:
        print(json.dumps([{"id": oid, "case_name": m.case_name, "citation": m.citation, "court": m.court,
                           "court_id": m.court_id, "year": m.year, "passages": n} for oid, m, n in rows], indent=1))
        return 0
    for oid, m, n in rows:
        print(f"{oid:<18} {label(m, oid)}  [{m.court_id or m.court or 'court unknown'}; {n} passages]")
    if not args.quiet:
        print(f"{len(rows)} opinion(s)", file=sys.stderr)
    return 0


def _cmd_remove(args) -> int:
    with _open(args) as lib:
        removed = lib.remove(args.opinions, progress=progress_printer(args.quiet))
    for oid, label, n in removed:
        print(f"removed   {oid}  {label}: {n} passages")
    return 0


def _cmd_edit(args) -> int:
    from .ingest.metadata import label

    changes = {"case_name": args.case_name, "citation": args.citation, "court": args.court, "year": args.year}
    if all(v is None for v in changes.values()):
        raise QaBotError("nothing to change: give --case-name, --citation, --court or --year")
    with _open(args) as lib:
        oid, meta = lib.edit(args.opinion, **changes)
    print(f"edited    {oid}  {label(meta, oid)}  [{meta.court or '-'}]")
    return 0


# --- search / sync (retrieval) -------------------------------------------------------------------
def _settings(args):
    from .settings import Settings

    if not getattr(args, "model", None) and not getattr(args, "reranker", None):
        return None  # the defaults, with the embedding model the library was built with (Library.open)
    s = Settings.preset()
    if getattr(args, "model", None):
        from .offline import require_model

        require_model(args.model)
        s = s.with_(embed={"model": args.model})
    if getattr(args, "encoder", None):
        s = s.with_(embed={"encoder": args.encoder})
    if getattr(args, "reranker", None):
        s = s.with_(retrieve={"reranker": args.reranker})
    return s


ENCODER_HELP = "torch | onnx | onnx-int8 (default: the library's own, as its vectors were embedded; new vectors: torch)"


def _search_arguments(sp) -> None:
    sp.add_argument("question")
    sp.add_argument("--k", type=int, default=None, help="how many passages (default from settings: 10)")
    sp.add_argument("--mode", default=None, help="bm25 | dense | hybrid (default hybrid)")
    sp.add_argument("--court", action="append", default=[], help="court id or name (repeatable)")
    sp.add_argument("--years", default=None, help="year range, e.g. 1960-1980, 1960-, -1980 or 1975")
    sp.add_argument("--case", default=None, help="case name substring or citation")
    sp.add_argument("--cap", type=int, default=None, help="at most this many passages per opinion (0 = no cap)")
    sp.add_argument("--group", action="store_true", help="group hits by opinion")
    sp.add_argument("--model", default=None, help="embedding model (must match the one the index was built with)")
    sp.add_argument("--encoder", default=None, help=ENCODER_HELP)
    sp.add_argument("--reranker", default=None, help="cross-encoder name or path to rerank with")
    sp.add_argument("--json", action="store_true")


def _cmd_search(args) -> int:
    import textwrap
    from dataclasses import asdict

    from .library import Library

    with Library.open(args.index, settings=_settings(args)) as lib:
        hits = lib.search(args.question, k=args.k, mode=args.mode, courts=args.court, years=args.years,
                          case=args.case, per_opinion_cap=args.cap, group_by_opinion=args.group)
    _say_retrieval(hits.retrieval, args.quiet)
    if args.json:
        print(json.dumps([{"rank": h.rank, "score": h.score, "scores": h.scores, "pin": h.passage.pin,
                           **asdict(h.passage)} for h in hits], indent=1))
        return 0
    if not hits:
        print("no passages matched")
    from .answer.cite import cite_passage

    for h in hits:
        p = h.passage
        where = cite_passage(p)[0]  # the full Bluebook cite with its pin and year, as ask prints it
        ranks = " ".join(f"{m}#{int(h.scores[m + '_rank'])}" for m in ("bm25", "dense") if m + "_rank" in h.scores)
        print(f"{h.rank:>3}. {h.score:.4f}  {where}  [{ranks}]")
        print(textwrap.indent(textwrap.fill(p.text, 100), "     "))
    return 0


def _say_retrieval(retrieval, quiet: bool) -> None:
    """On stderr, when the search was not the one asked for or ran on part of the vectors."""
    note = retrieval.note() if retrieval is not None else ""
    if note and not quiet:
        print(f"note: {note}" + ("" if retrieval.synthetic else " (qa-bot sync embeds the rest)"), file=sys.stderr)


def _sync_arguments(sp) -> None:
    sp.add_argument("--model", default=None, help="embedding model (default: the settings' model)")
    sp.add_argument("--encoder", default=None, help=ENCODER_HELP)
    sp.add_argument("--no-embed", action="store_true", help="bring only BM25 up to date")
    sp.add_argument("--rebuild", action="store_true", help="drop the vectors and embed everything again")


def _cmd_sync(args) -> int:
    from .library import Library

    with Library.open(args.index, settings=_settings(args)) as lib:
        out = lib.sync(progress=progress_printer(args.quiet), embed=not args.no_embed, rebuild=args.rebuild)
        status = lib.retriever.status()
        print(f"bm25: {status['bm25']} passages (+{out['bm25_added']}, -{out['removed']}); "
              f"vectors: {status['vectors']} passages (+{out['vectors_added']}), model {status['model'] or '-'}")
        if not args.quiet:
            print(ready_line(lib), file=sys.stderr)
    return 0


def _cmd_check(args) -> int:
    """Exit 0: the library verifies (or was repaired); 1: problems found (and not repaired)."""
    from .index.check import check, repair
    from .paths import resolve_index

    from .library import index_settings

    folder = resolve_index(args.index)
    settings = _settings(args) or index_settings(folder)  # the model and chunking the library was built with
    problems, pending = check(folder, settings)
    for line in problems:
        print(f"damaged   {line}")
    for line in pending:
        print(f"pending   {line}")
    if not args.repair:
        if problems:
            print(f"{len(problems)} problem(s); repair with: qa-bot check --repair --index {folder}", file=sys.stderr)
        return 1 if problems else 0
    if not problems and not pending:
        return 0
    from .index.embed import Embedder

    out = repair(folder, settings, None if args.no_embed else Embedder(settings.embed),
                 progress_printer(args.quiet), embed=not args.no_embed)
    if out.store_replaced:
        print(f"repaired  {folder}: the store was rebuilt from what verified ({out.kept} opinion(s) kept as they "
              f"were, {out.rechunked} re-chunked from their text); the damaged file is kept as {out.store_replaced}")
    for source in out.reingested:
        print(f"repaired  {source}: ingested again from its file")
    for lost in out.lost:
        print(f"lost      {lost}: damaged and its file is gone; ingest it again")
    if out.unrecovered:
        print(f"lost      {out.unrecovered} indexed passage(s) whose opinions could not be read or traced to a file "
              f"(the damaged store is kept as {out.store_replaced}); ingest those opinions' files again")
    print(f"indexed   bm25: {out.sync.get('bm25', 0)} passages; vectors: +{out.sync.get('vectors_added', 0)}")
    problems, _ = check(folder, settings)
    for line in problems:
        print(f"damaged   {line}")
    return 1 if problems or out.lost or out.unrecovered else 0


# --- ask (answers) -------------------------------------------------------------------------------
def _ask_arguments(sp) -> None:
    from .settings import ANSWERERS

    sp.add_argument("question")
    sp.add_argument("--answerer", choices=ANSWERERS, default=None, help="default: extractive (offline, no LLM)")
    sp.add_argument("--k", type=int, default=None, help="passages to retrieve")
    sp.add_argument("--mode", default=None, help="bm25 | dense | hybrid")
    sp.add_argument("--max-sentences", type=int, default=None)
    sp.add_argument("--keep-unsupported", action="store_true", help="mark unsupported sentences instead of dropping")
    sp.add_argument("--json", action="store_true",
                    help="print the answer as JSON: answer (its text), citations, sources, ... as the chat's /ask API")
    sp.add_argument("--model", default=None, help="embedding model (default: the one the library was built with)")
    sp.add_argument("--llm-model", default=None,
                    help="for --answerer llm: smollm2 (bundled, extra 'llm') or an Ollama model name")
    sp.add_argument("--stream", action="store_true",
                    help="show the draft on stderr as it is generated (unverified); the verified answer follows")


def _cmd_ask(args) -> int:
    from .answer.format import answer_json, format_answer
    from .answer.verify import linked_authorities
    from .library import Library

    opts = {k: v for k, v in (("k", args.k), ("mode", args.mode), ("max_sentences", args.max_sentences)) if v is not None}
    if args.keep_unsupported:
        opts["drop_unsupported"] = False
    if args.llm_model:
        opts["llm_model"] = args.llm_model
    with Library.open(args.index, settings=_settings(args)) as lib:
        answer = _answer(lib, args, opts)
        if args.json:
            print(json.dumps(answer_json(answer), indent=2, ensure_ascii=False, default=str))
        else:
            print(format_answer(answer, lambda c: linked_authorities(lib, c)))
    if answer.retrieval is not None and answer.retrieval.note() and not answer.retrieval.synthetic and not args.quiet:
        print(f"note: qa-bot sync --index {args.index or 'demo'} embeds the passages still without vectors",
              file=sys.stderr)
    return 0


def _answer(lib, args, opts: dict):
    """The answer to ``args.question``; with ``--stream``, the draft goes to stderr as it is generated."""
    from .types import Answer

    if args.stream:
        answer = None
        sys.stderr.write("draft, as generated (not yet verified):\n")
        for piece in lib.ask_stream(args.question, answerer=args.answerer, **opts):
            if isinstance(piece, Answer):
                answer = piece
            else:
                sys.stderr.write(str(piece))
                sys.stderr.flush()
        sys.stderr.write("\n\n")
        return answer
    return lib.ask(args.question, answerer=args.answerer, **opts)


def _cmd_serve(args) -> int:  # web chat (qa_bot/web/app.py)
    from .web.app import serve

    serve(args.index, host=args.host, port=args.port, max_upload_mb=args.max_upload_mb, quiet=args.quiet,
          settings=_settings(args))
    return 0


DESCRIPTION = """Answers from court opinions, with pin cites, offline.

Load opinions into a library, then search it or ask questions: every sentence of an answer is quoted
from an opinion and pin-cited, and when the library holds no answer it says so. Libraries are folders
under ./embeddings/ (or $QA_BOT_EMBEDDINGS); without --index, commands use the bundled demo library."""

EXAMPLES = """examples:
  qa-bot ask "When does the state-created danger doctrine apply?"
  qa-bot ingest ~/opinions/ --index mycases
  qa-bot search "expectation of privacy" --index mycases --years 1960-1980
  qa-bot list --index mycases
  qa-bot edit c0fc7a338745846a --index mycases --case-name "Smith v. Jones" --citation "123 F.4th 456"
  qa-bot remove "Smith v. Jones" --index mycases
  qa-bot serve --index mycases

'qa-bot COMMAND --help' shows a command's options."""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="qa-bot", description=DESCRIPTION, epilog=EXAMPLES,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    p.commands = {}  # type: ignore[attr-defined]  (name -> its parser, for errors in its own usage)

    def cmd(name: str, func, help: str) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help, description=help)
        p.commands[name] = sp  # type: ignore[attr-defined]
        sp.add_argument("--index", default=None, help="library name (folder under embeddings/) or path, or milvus://host:19530/NAME, "
                        "milvus-lite:///path/library.db; default: demo")
        sp.add_argument("--quiet", action="store_true", help="no progress bars")
        sp.set_defaults(func=func)
        return sp

    sp = cmd("ingest", _cmd_ingest, "load opinions (files or folders) into a library: stored and BM25-indexed "
             "first (searchable from then on, also by another qa-bot or the chat), then embedded here; Ctrl-C "
             "keeps what was embedded and qa-bot sync resumes")
    sp.add_argument("paths", nargs="+")
    sp.add_argument("--no-embed", action="store_true",
                    help="store and BM25-index only (answers from BM25 at once); embed later with qa-bot sync, "
                         "or let qa-bot serve embed in the background")
    sp.add_argument("--engine", choices=("local", "ray"), default="local",
                    help="ray: parse, chunk and embed with Ray Data (a Milvus --index only)")
    sp.add_argument("--ray-address", default=None, help="an existing Ray cluster (default: start one here)")
    sp.add_argument("--num-cpus", type=int, default=None, help="CPUs for a Ray instance started here")
    sp.add_argument("--actors", type=int, default=1, help="embedding actors (one model each)")

    sp = cmd("info", _cmd_info, "what a library holds")
    sp.add_argument("--json", action="store_true")

    sp = cmd("list", _cmd_list, "the opinions a library holds, with the ids remove and edit take")
    sp.add_argument("--json", action="store_true")

    sp = cmd("remove", _cmd_remove, "remove opinions (and their passages from every index) from a library")
    sp.add_argument("opinions", nargs="+", metavar="OPINION", help="opinion id, citation or case name")

    sp = cmd("edit", _cmd_edit, "correct an opinion's case name, citation, court or year")
    sp.add_argument("opinion", metavar="OPINION", help="opinion id, citation or case name")
    sp.add_argument("--case-name", default=None)
    sp.add_argument("--citation", default=None, help="volume, reporter, page: e.g. 432 F.3d 98")
    sp.add_argument("--court", default=None, help="courts-db id, abbreviation or name: ca9, 9th Cir., ...")
    sp.add_argument("--year", default=None)

    _search_arguments(cmd("search", _cmd_search, "find the passages that best match a question"))
    _sync_arguments(cmd("sync", _cmd_sync, "bring the search indexes up to date (embed what is missing)"))
    sp = cmd("check", _cmd_check, "verify every file of a library (store rows, indexes, manifest); --repair fixes "
             "what can be fixed and names what cannot")
    sp.add_argument("--repair", action="store_true", help="salvage a damaged store, rebuild damaged indexes")
    sp.add_argument("--no-embed", action="store_true", help="repair BM25 only; embed later with sync")
    sp.add_argument("--model", default=None, help="embedding model (default: the settings' model)")
    from .evaluation.evaluate import add_arguments as _eval_arguments, cli_eval as _cmd_eval

    _eval_arguments(cmd("eval", _cmd_eval, "score retrieval (and answers) on an evaluation set (JSONL)"))
    _ask_arguments(cmd("ask", _cmd_ask, "answer a question with quoted, pin-cited passages"))
    # --- serve (web chat) ---
    sp = cmd("serve", _cmd_serve, "open the web chat on 127.0.0.1 (builds the demo library on first use)")
    sp.add_argument("--host", default="127.0.0.1",
                    help="address to bind; anything but loopback requires QA_BOT_PASSWORD in the environment")
    sp.add_argument("--port", type=int, default=7860)
    sp.add_argument("--max-upload-mb", type=int, default=20, help="largest file the Library tab accepts")
    sp.add_argument("--model", default=None, help="embedding model (default: the one the library was built with)")
    return p


def _parse(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """Parse ``argv``; a missing command or an unknown option exits with the usage of the command it
    was given to and the closest valid option (argparse alone blames the top level)."""
    args, extra = parser.parse_known_args(argv)
    if args.command is None:
        if extra:
            parser.error(f"unknown option {extra[0]}: give a command first "
                         f"({', '.join(parser.commands)}); see qa-bot --help")
        parser.print_help(sys.stderr)
        parser.exit(2)
    if extra:
        sp = parser.commands[args.command]
        known = [o for a in sp._actions for o in a.option_strings]
        unknown = [x for x in extra if x.startswith("-")] or extra
        close = difflib.get_close_matches(unknown[0].split("=")[0], known, n=1)
        hint = f" (did you mean {close[0]}?)" if close else f"; qa-bot {args.command} --help lists the options"
        sp.error(f"unrecognized arguments: {' '.join(extra)}{hint}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = _parse(build_parser(), argv)
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
