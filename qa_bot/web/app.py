"""The Gradio web chat over a ``Library`` (``qa-bot serve`` / ``python app.py``).

Layout: a Chat tab (conversation | sources | opinion viewer, with a settings and filters panel) and a
Library tab (upload opinions to ingest, list what the library holds). All HTML is built by
``qa_bot.web.render`` with every piece of opinion text, file name and question escaped; nothing is
rendered as Markdown. The CSS and JavaScript are files in ``static/``. Clicks on ``[n]`` markers,
sources and library rows reach Python through each ``gr.HTML``'s ``js_on_load`` (a delegated listener
calling ``trigger('click', {cite})``), and the viewer scrolls its highlighted passage (``#qv-target``)
into view whenever its value changes.

``/ask`` (``api_name="ask"``) answers a question as JSON for ``gradio_client``.
"""

from __future__ import annotations

from .. import offline  # noqa: F401  (analytics off, offline switches) -- before gradio loads

import ipaddress
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from ..atomic import atomic_path
from ..errors import BadQuestion, IndexNotFound, QaBotError
from ..types import Answer
from . import render as R
from .status import render_status

DEFAULT_PORT = 7860
# Gradio's queue (README "Concurrency"): answers are CPU-bound, so as many at once as there are cores
# (at least 2: an LLM endpoint's wait is not CPU); more would only share the cores and make every
# answer in the batch late. Status polls and the opinion viewer are cheap reads with groups of their own.
ANSWER_WORKERS = max(2, min(8, os.cpu_count() or 2))
VIEW_WORKERS = 4
QUEUE_SIZE = 200  # requests waiting beyond this are refused at once ("queue is full") rather than time out
STATUS_SECONDS = 2.0  # the status line refreshes this often while vectors are being built
DEFAULT_MAX_UPLOAD_MB = 20
MAX_UPLOAD_FILES = 100  # per press of Ingest; a larger batch is a folder for `qa-bot ingest`
UPLOAD_TYPES = (".txt", ".pdf", ".html", ".htm", ".xml", ".json", ".csv")
# Gradio keeps every upload (and every download it served) in its cache: delete what is older than an
# hour, every hour (an upload is copied into <library>/uploads/ by the handler that receives it).
CACHE_SECONDS = 3600
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")

STATIC = Path(__file__).parent / "static"  # shipped as package data (pyproject.toml)


def _static(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")


# Delegated click handling shared by every HTML panel: copy buttons, footnote jumps, citation links.
_CLICK_JS = _static("click.js")
# The opinion viewer also scrolls its highlighted passage (#qv-target) into view when its value changes.
_VIEWER_JS = _CLICK_JS + _static("viewer.js")
CSS = _static("chat.css")


@dataclass
class _Turn(R.Turn):
    answer: Answer | None = None


def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def auth_for(host: str, env: dict | None = None) -> list[tuple[str, str]] | None:
    """gradio ``auth`` for ``host``: none on loopback; elsewhere the password in ``QA_BOT_PASSWORD`` is
    required (user ``QA_BOT_USER``, default ``qa-bot``), else a ``QaBotError`` refuses to start."""
    env = os.environ if env is None else env
    if is_loopback(host):
        return None
    password = env.get("QA_BOT_PASSWORD", "")
    if not password:
        raise QaBotError(f"--host {host} is reachable from other machines: set QA_BOT_PASSWORD (and optionally "
                         "QA_BOT_USER) to require a login, or serve on 127.0.0.1")
    return [(env.get("QA_BOT_USER", "") or "qa-bot", password)]


def safe_name(name: str) -> str:
    """A file name safe to store: letters, digits, '.', '_', '-' only, no leading dots, <= 100 chars."""
    base = _SAFE_NAME.sub("_", Path(str(name).replace("\\", "/")).name).lstrip("._")[:100]
    return base or "upload"


def _atomic_copy(src: Path, dest: Path) -> None:
    with atomic_path(dest) as tmp:
        shutil.copyfile(src, tmp)


class ChatApp:
    """The handlers, bound to one open library (shared by every browser session)."""

    def __init__(self, lib, max_upload_mb: int = DEFAULT_MAX_UPLOAD_MB, embed: bool | str = "background"):
        self.lib = lib
        self.embed = embed  # what an upload does with its vectors (Library.ingest's ``embed``)
        self.max_upload = int(max_upload_mb * 1024 * 1024)
        self.max_upload_mb = max_upload_mb
        self.exports = Path(tempfile.mkdtemp(prefix="qa-bot-exports-"))

    # -- helpers --------------------------------------------------------------------------------
    def _opinion_rows(self) -> list:
        return list(self.lib.store.opinions())

    def filter_choices(self) -> tuple[list[tuple[str, str]], list[str]]:
        courts: dict[str, str] = {}
        cases = set()
        for _, m, _ in self._opinion_rows():
            if m.court_id or m.court:
                courts[m.court_id or m.court] = m.court or m.court_id
            if m.case_name:
                cases.add(m.case_name)
        return sorted(((v, k) for k, v in courts.items()), key=lambda x: x[0]), sorted(cases)

    @staticmethod
    def options(answerer, mode, k, courts=None, year_from=None, year_to=None, case=None) -> dict:
        """The ask options from the form (or the API); a value that is not a whole number where one is
        needed is a ``BadQuestion`` naming the field, not Python's "invalid literal for int()"."""
        opts: dict = {"answerer": answerer or None, "mode": mode or None, "k": _whole("k", k) if k else None}
        if courts:
            opts["courts"] = tuple(courts)
        if year_from or year_to:
            opts["years"] = (_whole("from year", year_from) if year_from else None,
                             _whole("to year", year_to) if year_to else None)
        if case:
            opts["case"] = case
        return {k: v for k, v in opts.items() if v is not None}

    # -- chat -----------------------------------------------------------------------------------
    def ask(self, question, turns, answerer, mode, k, courts, year_from, year_to, case):
        """Streams (chat html, question box, sources html, turns, download, citations text)."""
        turns = list(turns or [])
        question = (question or "").strip()
        if not question:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        history = tuple(t.answer for t in turns if t.answer is not None)  # Answers: their cited opinions too
        turn = _Turn(question, R.render_pending(""))
        turns.append(turn)
        yield R.render_chat(turns), "", gr.skip(), turns, gr.skip(), gr.skip()
        text, answer = "", None
        try:
            opts = self.options(answerer, mode, k, courts, year_from, year_to, case)
            answerer = opts.pop("answerer", None)
            for piece in self.lib.ask_stream(question, answerer=answerer, history=history, **opts):
                if isinstance(piece, Answer):
                    answer = piece
                else:
                    text += str(piece)
                    turn.reply_html = R.render_pending(text)
                    yield R.render_chat(turns), gr.skip(), gr.skip(), turns, gr.skip(), gr.skip()
        except QaBotError as e:
            turn.reply_html = R.render_error(self._building_message(e))
            yield R.render_chat(turns), gr.skip(), gr.skip(), turns, gr.skip(), gr.skip()
            return
        if answer is None:
            turn.reply_html = R.render_error("the answerer returned no answer")
            yield R.render_chat(turns), gr.skip(), gr.skip(), turns, gr.skip(), gr.skip()
            return
        turn.answer = answer
        turn.reply_html = R.render_answer(answer)
        _drop_older(self.exports, CACHE_SECONDS)
        path = self.exports / f"answer-{len(turns)}-{os.getpid()}-{id(answer) % 100000}.md"
        path.write_text(R.answer_markdown(answer), encoding="utf-8")
        cites = "\n".join(f"[{c.number}] {c.full}" for c in answer.citations)
        yield (R.render_chat(turns), gr.skip(), R.render_sources(answer.hits, answer, question), turns,
               gr.DownloadButton(value=str(path), visible=True), cites)

    def clear(self):
        return R.render_chat([]), [], R.render_sources([]), gr.DownloadButton(visible=False), ""

    def open_ref(self, evt: gr.EventData):
        """A clicked ``data-cite`` -> the opinion viewer at that span (and the Chat tab)."""
        ref = getattr(evt, "_data", None) or {}
        if not isinstance(ref, dict) or "cite" not in ref:
            return gr.skip(), gr.skip()
        try:
            oid, start, end = R.parse_ref(ref["cite"])
            op = self.lib.opinion(oid)
        except (ValueError, KeyError, QaBotError) as e:
            return R.render_error(f"cannot open that citation: {e}"), gr.Tabs(selected="chat")
        if end > len(op.text) or start >= end:
            start = end = None
        return R.render_opinion(op, start, end), gr.Tabs(selected="chat")

    # -- library --------------------------------------------------------------------------------
    def ingest(self, files, progress=gr.Progress()):
        """Uploaded files -> ``<index>/uploads/`` (sanitised names, size-limited) -> ``lib.ingest``."""
        rows: list[tuple[str, str, str]] = []
        saved: list[Path] = []
        shown: dict[str, str] = {}
        dest_dir = Path(self.lib.folder) / "uploads"
        uploads = [Path(getattr(f, "name", f)) for f in files or []]
        for extra in uploads[MAX_UPLOAD_FILES:]:
            rows.append((extra.name, "rejected", f"over the limit of {MAX_UPLOAD_FILES} files per upload; upload it "
                                                 "in another batch, or ingest a whole folder with qa-bot ingest"))
        uploads = uploads[:MAX_UPLOAD_FILES]
        stems = {safe_name(u.stem) for u in uploads if u.suffix.lower() in (".txt", ".html", ".htm", ".pdf", ".xml")}
        for src in uploads:
            name = src.name
            sidecar = src.suffix.lower() == ".json" and safe_name(src.stem) in stems
            if src.suffix.lower() not in UPLOAD_TYPES:
                rows.append((name, "rejected", f"unsupported file type {src.suffix or '(none)'}; "
                                               f"upload one of {', '.join(UPLOAD_TYPES)}"))
                continue
            size = src.stat().st_size
            if size > self.max_upload:
                rows.append((name, "rejected", f"{size / 1048576:.1f} MB is over the {self.max_upload_mb} MB upload limit"))
                continue
            dest_dir.mkdir(parents=True, exist_ok=True)
            dest = dest_dir / safe_name(name)
            if dest.exists() and dest.read_bytes() != src.read_bytes():
                dest = dest.with_name(f"{dest.stem}-{os.urandom(3).hex()}{dest.suffix}")
            _atomic_copy(src, dest)
            if sidecar:  # NAME.json next to NAME.txt: metadata the opinion's loader reads, not an opinion
                rows.append((name, "metadata", f"sidecar metadata for {src.stem}"))
                continue
            shown[str(dest)] = name
            saved.append(dest)
        if saved:
            def report_progress(stage: str, done: int, total: int) -> None:
                progress((done, max(total, 1)), desc=stage)

            try:  # stored and BM25-indexed here; the vectors fill in behind (the status line shows them)
                report = self.lib.ingest(saved, progress=report_progress, embed=self.embed)
            except QaBotError as e:
                rows.append((", ".join(shown.values()), "rejected", str(e)))
            else:
                for r in list(report.ingested) + list(report.duplicates) + list(report.failed):
                    src = str(r.source).split("#")[0]
                    label = shown.get(src, Path(src).name) + (str(r.source)[len(src):] if "#" in str(r.source) else "")
                    rows.append((label, r.status, r.detail))
        courts, cases = self.filter_choices()
        return (R.render_ingest(rows), R.render_opinions(self._opinion_rows()),
                gr.Dropdown(choices=courts), gr.Dropdown(choices=cases), self.status()[0], gr.Timer(active=True))

    def status(self):
        """(the library's status line, the timer that refreshes it: on while the library is being built
        or its vectors filled in)."""
        st = self.lib.index_status()
        busy = (bool(st.get("building")) or st["state"] in ("starting", "indexing", "embedding")
                or st["vectors"] < st["passages"])
        return render_status(st, background=self.embed == "background"), gr.Timer(active=busy)

    def tick(self, seen: int):
        """The status line's refresh; while opinions are still coming in (a first run's build), the
        filters and the library table follow them. ``seen``: passages when this page last looked."""
        html, timer = self.status()
        n = len(self.lib.store.passage_ids())
        if n == seen:
            return html, timer, seen, gr.skip(), gr.skip(), gr.skip()
        courts, cases = self.filter_choices()
        return (html, timer, n, gr.Dropdown(choices=courts), gr.Dropdown(choices=cases),
                R.render_opinions(self._opinion_rows()))

    def _building_message(self, e: QaBotError) -> str:
        """An ``IndexNotFound`` while the demo is still being built reads as what it is."""
        b = self.lib.index_status().get("building")
        if isinstance(e, IndexNotFound) and b:
            return (f"The library is still being built ({b['done']} of {b['total'] or '?'} files stored so far); "
                    "ask again in a few seconds.")
        return str(e)

    def library_table(self):
        return R.render_opinions(self._opinion_rows())

    # -- API ------------------------------------------------------------------------------------
    def api_ask(self, question: str, answerer: str = "extractive", mode: str = "hybrid", k: int = 5) -> dict:
        """Answer ``question`` over the library; returns the answer, its citations and sources as JSON."""
        try:
            answer = self.lib.ask(question, **self.options(answerer, mode, k))
        except QaBotError as e:
            raise gr.Error(self._building_message(e)) from None
        return R.answer_json(answer)


def _drop_older(folder: Path, seconds: float) -> None:
    """Delete the files in ``folder`` last changed over ``seconds`` ago (old answer downloads)."""
    cutoff = time.time() - seconds
    for p in folder.iterdir():
        try:
            if p.stat().st_mtime < cutoff:
                p.unlink()
        except OSError:
            pass


def _whole(name: str, value) -> int:
    """``value`` as a whole number (a form's 5.0 is 5); anything else is a ``BadQuestion`` naming ``name``."""
    try:
        f = float(value)
        if f.is_integer():
            return int(f)
    except (TypeError, ValueError, OverflowError):
        pass
    raise BadQuestion(f"{name} must be a whole number, not {str(value)[:40]!r}")


def build_app(lib, max_upload_mb: int = DEFAULT_MAX_UPLOAD_MB, embed: bool | str = "background") -> gr.Blocks:
    """The chat over ``lib``. ``embed``: what an upload does with its vectors ("background": the
    library's background worker embeds them while the new opinions are already searchable by BM25)."""
    app = ChatApp(lib, max_upload_mb, embed)
    courts, cases = app.filter_choices()
    private = {"api_visibility": "private"}
    with gr.Blocks(title="qa-bot: legal research over court opinions", fill_width=True,
                   delete_cache=(CACHE_SECONDS, CACHE_SECONDS)) as demo:
        turns = gr.State([])
        gr.Markdown("### qa-bot — answers from court opinions, with pin cites")
        first_status, first_timer = app.status()
        status = gr.HTML(first_status, elem_id="qa-status", padding=False)
        timer = gr.Timer(STATUS_SECONDS, active=first_timer.active)
        with gr.Tabs() as tabs:
            with gr.Tab("Chat", id="chat"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=5, min_width=360):
                        chat = gr.HTML(R.render_chat([]), elem_id="qa-chat", js_on_load=_CLICK_JS, padding=False)
                        with gr.Row():
                            question = gr.Textbox(placeholder="Ask about the opinions…", show_label=False, scale=5,
                                                  elem_id="qa-question", max_lines=4)
                            ask_btn = gr.Button("Ask", variant="primary", scale=1, elem_id="qa-ask")
                        with gr.Row():
                            download = gr.DownloadButton("Download answer (.md)", visible=False, size="sm",
                                                         elem_id="qa-download")
                            clear_btn = gr.Button("New conversation", size="sm")
                        cites_box = gr.Textbox(label="Citations of the last answer (Bluebook)", lines=2,
                                               buttons=["copy"], interactive=False, elem_id="qa-cites-box")
                        with gr.Accordion("Settings and filters", open=False):
                            with gr.Row():
                                answerer = gr.Radio(["extractive", "llm"], value=lib.settings.answer.answerer,
                                                    label="Answerer")
                                mode = gr.Radio(["hybrid", "bm25", "dense"], value=lib.settings.retrieve.mode,
                                                label="Retrieval mode")
                            k = gr.Slider(1, 20, value=min(lib.settings.retrieve.k, 20), step=1, label="Passages (k)")
                            court_f = gr.Dropdown(courts, multiselect=True, label="Courts", value=[])
                            with gr.Row():
                                year_from = gr.Number(label="From year", precision=0, value=None)
                                year_to = gr.Number(label="To year", precision=0, value=None)
                            case_f = gr.Dropdown(cases, label="Case", value=None, allow_custom_value=True)
                    with gr.Column(scale=4, min_width=300):
                        gr.Markdown("**Sources**")
                        sources = gr.HTML(R.render_sources([]), elem_id="qa-sources", js_on_load=_CLICK_JS,
                                          padding=False)
                    with gr.Column(scale=5, min_width=360):
                        gr.Markdown("**Opinion**")
                        viewer = gr.HTML('<div class="qa-empty">Click a citation [n] or a source to read the '
                                         "opinion here.</div>", elem_id="qa-viewer", js_on_load=_VIEWER_JS,
                                         padding=False)
            with gr.Tab("Library", id="library"):
                gr.Markdown(f"Upload opinions (text, PDF, HTML, XML, JSON, CSV; up to {max_upload_mb} MB each, "
                            f"{MAX_UPLOAD_FILES} files at a time) to add them to this library.")
                files = gr.File(file_count="multiple", file_types=list(UPLOAD_TYPES), label="Opinions",
                                elem_id="qa-upload")
                ingest_btn = gr.Button("Ingest", variant="primary", elem_id="qa-ingest")
                result = gr.HTML("", elem_id="qa-ingest-result")
                library = gr.HTML(app.library_table(), elem_id="qa-library", js_on_load=_CLICK_JS)

        # Concurrency (see README "Concurrency"): answers run ANSWER_WORKERS at a time in one queue group
        # (the chat and /ask alike); uploads one at a time in a group of their own, so an upload never
        # takes an answer's place; the status line and the opinion viewer never wait behind either.
        answers = {"concurrency_id": "answer", "concurrency_limit": ANSWER_WORKERS}
        views = {"concurrency_id": "view", "concurrency_limit": VIEW_WORKERS}
        gr.api(app.api_ask, api_name="ask", **answers)  # first, so no UI event takes the name
        inputs = [question, turns, answerer, mode, k, court_f, year_from, year_to, case_f]
        outputs = [chat, question, sources, turns, download, cites_box]
        ask_btn.click(app.ask, inputs, outputs, api_name="ui_ask", **answers, **private)
        question.submit(app.ask, inputs, outputs, api_name="ui_submit", **answers, **private)
        clear_btn.click(app.clear, None, [chat, turns, sources, download, cites_box], api_name="ui_clear",
                        **views, **private)
        for panel in (chat, sources, library):
            panel.click(app.open_ref, None, [viewer, tabs], api_name=f"ui_open_{panel.elem_id[3:]}", **views,
                        **private)
        ingest_btn.click(app.ingest, [files], [result, library, court_f, case_f, status, timer], api_name="ui_ingest",
                         concurrency_id="ingest", concurrency_limit=1, **private)
        seen = gr.State(len(lib.store.passage_ids()))
        timer.tick(app.tick, [seen], [status, timer, seen, court_f, case_f, library], api_name="ui_status",
                   concurrency_id="status", concurrency_limit=None, show_progress="hidden", **private)
    demo.qa_app = app  # type: ignore[attr-defined]
    return demo


def launch_kwargs(host: str, port: int, max_upload_mb: int, auth) -> dict:
    return dict(server_name=host, server_port=port, auth=auth, max_file_size=f"{max_upload_mb}mb", css=CSS,
                show_error=True, ssr_mode=False, inbrowser=False, footer_links=["api"])


def serve(index=None, host: str = "127.0.0.1", port: int = DEFAULT_PORT, max_upload_mb: int = DEFAULT_MAX_UPLOAD_MB,
          quiet: bool = False, block: bool = True):
    """Open (building the demo on first use, with progress in the terminal) and serve the chat."""
    from ..library import Library
    from ..progress import progress_printer

    auth = auth_for(host)
    if not quiet:
        print(f"opening library {index or 'demo'}…", flush=True)
    lib = Library.open(index, progress=progress_printer(quiet), wait=False)  # a first run builds behind
    st = lib.index_status()
    if st.get("building") or st["vectors"] < st["passages"]:  # answers from BM25 while vectors fill in
        if lib.embed_in_background() is not None and not quiet:
            what = ("building the demo library in the background: it answers from the opinions stored so far"
                    if st.get("building") else f"{st['passages']:,} passages searchable now (BM25)")
            print(f"{what}; vectors are embedded in the background (the chat shows progress)", flush=True)
    demo = build_app(lib, max_upload_mb)
    demo.queue(max_size=QUEUE_SIZE)
    try:
        demo.launch(prevent_thread_lock=not block, quiet=quiet, **launch_kwargs(host, port, max_upload_mb, auth))
    except OSError as e:
        raise QaBotError(f"cannot serve on {host}:{port} ({e}); choose another --port") from None
    return demo
