"""The chat's Library tab: upload opinions to ingest, see what the library holds, correct an opinion's
metadata or remove it (``Library.edit`` / ``Library.remove``, as ``qa-bot edit`` / ``qa-bot remove``).

Uploads are copied into ``<library>/uploads/`` under sanitised names and size-limited before they are
ingested; a ``NAME.json`` uploaded beside ``NAME.txt`` is its sidecar metadata, not an opinion.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import gradio as gr

from ..atomic import atomic_path
from ..errors import QaBotError
from . import render as R

UPLOAD_TYPES = (".txt", ".pdf", ".html", ".htm", ".xml", ".json", ".csv")
MAX_UPLOAD_FILES = 100  # per press of Ingest; a larger batch is a folder for `qa-bot ingest`
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
CONFIRM_REMOVE_JS = ("(id) => (id && confirm('Remove this opinion from the library? Its passages leave every "
                     "index; its file can be ingested again later.')) ? id : null")


def safe_name(name: str) -> str:
    """A file name safe to store: letters, digits, '.', '_', '-' only, no leading dots, <= 100 chars."""
    base = _SAFE_NAME.sub("_", Path(str(name).replace("\\", "/")).name).lstrip("._")[:100]
    return base or "upload"


def _atomic_copy(src: Path, dest: Path) -> None:
    with atomic_path(dest) as tmp:
        shutil.copyfile(src, tmp)


def upload_help(max_upload_mb: int) -> str:
    return (f"Upload opinions (text, PDF, HTML, XML, JSON, CSV; up to {max_upload_mb} MB each, "
            f"{MAX_UPLOAD_FILES} files at a time) to add them to this library. **Metadata:** a plain-text "
            "opinion's case name, citation, court and year are read from its caption in the first lines (e.g. `Smith v. Jones, 123 F.4th 456 (9th Cir. 2023)`); or "
            "upload a sidecar `NAME.json` with the opinion `NAME.txt` (`case_name`, `citation`, `court_id`, "
            "`year`). The result says what could not be found; correct it below.")


class LibraryHandlers:
    """The Library tab's handlers (mixed into ``ChatApp``: ``self.lib``, ``self.embed``, ``self.max_upload``,
    ``filter_choices`` and ``status`` come from there)."""

    def _opinion_rows(self) -> list:
        return list(self.lib.store.opinions())

    def library_table(self):
        return R.render_opinions(self._opinion_rows())

    def opinion_choices(self) -> list[tuple[str, str]]:
        from ..ingest.metadata import label

        return [(label(m, oid), oid) for oid, m, _ in self._opinion_rows()]

    def _refreshed(self, message: str):
        """(message html, library table, opinion picker, court filter, case filter) after a change."""
        courts, cases = self.filter_choices()
        return (message, self.library_table(), gr.Dropdown(choices=self.opinion_choices(), value=None),
                gr.Dropdown(choices=courts), gr.Dropdown(choices=cases))

    def select(self, opinion_id):
        """The picked opinion's metadata into the edit fields."""
        for oid, m, _ in self._opinion_rows():
            if oid == opinion_id:
                return m.case_name, m.citation, m.court_id or m.court, str(m.year or "")
        return "", "", "", ""

    def edit(self, opinion_id, case_name, citation, court, year):
        if not opinion_id:
            return (R.render_error("choose an opinion first"),) + (gr.skip(),) * 4
        try:
            oid, meta = self.lib.edit(opinion_id, case_name=case_name or "", citation=citation or "",
                                      court=court or "", year=year or "")
        except QaBotError as e:
            return (R.render_error(str(e)),) + (gr.skip(),) * 4
        from ..ingest.metadata import label

        return self._refreshed(R.render_note(f"Saved: {label(meta, oid)} — {meta.court or 'court not given'}"))

    def remove(self, opinion_id):
        if not opinion_id:  # nothing picked, or the confirmation was cancelled
            return (R.render_note("Nothing removed."),) + (gr.skip(),) * 4
        try:
            removed = self.lib.remove([opinion_id])
        except QaBotError as e:
            return (R.render_error(str(e)),) + (gr.skip(),) * 4
        text = "; ".join(f"Removed {name} ({n} passages)" for _, name, n in removed)
        return self._refreshed(R.render_note(text))

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
        return (R.render_ingest(rows), self.library_table(), gr.Dropdown(choices=courts), gr.Dropdown(choices=cases),
                self.status()[0], gr.Timer(active=True), gr.Dropdown(choices=self.opinion_choices()))


def library_tab(app: LibraryHandlers, max_upload_mb: int, click_js: str) -> dict:
    """The tab's components (call inside ``gr.Tab``), by name, for ``build_app`` to wire."""
    c: dict = {}
    gr.Markdown(upload_help(max_upload_mb), elem_id="qa-upload-help")
    c["files"] = gr.File(file_count="multiple", file_types=list(UPLOAD_TYPES), label="Opinions", elem_id="qa-upload")
    c["ingest_btn"] = gr.Button("Ingest", variant="primary", elem_id="qa-ingest")
    c["result"] = gr.HTML("", elem_id="qa-ingest-result")
    with gr.Accordion("Correct or remove an opinion", open=True, elem_id="qa-manage"):
        c["pick"] = gr.Dropdown(app.opinion_choices(), label="Opinion", value=None, elem_id="qa-manage-pick")
        with gr.Row():
            c["name"] = gr.Textbox(label="Case name", max_lines=1, elem_id="qa-edit-name")
            c["citation"] = gr.Textbox(label="Citation", placeholder="e.g. 432 F.3d 98", max_lines=1,
                                       elem_id="qa-edit-citation")
            c["court"] = gr.Textbox(label="Court", placeholder="e.g. ca2, 2d Cir.", max_lines=1, elem_id="qa-edit-court")
            c["year"] = gr.Textbox(label="Year", placeholder="e.g. 2005", max_lines=1, elem_id="qa-edit-year")
        with gr.Row():
            c["save"] = gr.Button("Save metadata", elem_id="qa-edit-save")
            c["remove"] = gr.Button("Remove from library", variant="stop", elem_id="qa-remove")
        c["manage_result"] = gr.HTML("", elem_id="qa-manage-result")
    c["library"] = gr.HTML(app.library_table(), elem_id="qa-library", js_on_load=click_js)
    return c


def wire_library_tab(app: LibraryHandlers, c: dict, court_f, case_f, status, timer, private: dict) -> None:
    """Events of the tab. Uploads, edits and removals are writes: one at a time, in a queue group of their
    own, so they never take an answer's place."""
    writes = {"concurrency_id": "ingest", "concurrency_limit": 1, **private}
    changed = [c["manage_result"], c["library"], c["pick"], court_f, case_f]
    c["ingest_btn"].click(app.ingest, [c["files"]], [c["result"], c["library"], court_f, case_f, status, timer,
                                                      c["pick"]], api_name="ui_ingest", **writes)
    c["pick"].change(app.select, [c["pick"]], [c["name"], c["citation"], c["court"], c["year"]],
                     api_name="ui_manage_pick", **private)
    c["save"].click(app.edit, [c["pick"], c["name"], c["citation"], c["court"], c["year"]], changed,
                    api_name="ui_edit", **writes)
    c["remove"].click(app.remove, [c["pick"]], changed, js=CONFIRM_REMOVE_JS, api_name="ui_remove", **writes)
