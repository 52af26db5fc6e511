"""The web chat in a real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

Starts the app on a free port over a temporary library holding Pena v. DePrisco, asks a question,
checks the answer's citations, the sources panel and the opinion viewer (highlight, page marker,
footnote jump), copy and Markdown download, uploads a file in the Library tab, and runs an XSS check
with an uploaded opinion whose text, name and metadata carry script/HTML/Markdown payloads.
Screenshots go to tests/artifacts/ (gitignored). Set QA_BOT_SKIP_BROWSER=1 to skip; a missing
Chromium is a failure (install it with ``apt-get install chromium``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from conftest import BROWSER_WAIT as LONG
from conftest import ask_in_page as _ask
from conftest import chromium, served, served_pena

ARTIFACTS = Path(__file__).parent / "artifacts"

pytestmark = pytest.mark.skipif(os.environ.get("QA_BOT_SKIP_BROWSER") == "1", reason="QA_BOT_SKIP_BROWSER=1")

# A made-up opinion (not real law) whose text, file name and metadata carry script/HTML/Markdown payloads.
XSS_NAME = 'Lantern <img src=x onerror="window.__xss=6"> opinion.txt'
XSS_TEXT = """The question presented is whether the zebra crossing rule governs lantern ferries on the canal.
We hold that the zebra crossing rule governs lantern ferries <script>window.__xss=1</script> because the ferries cross a public way.
The ferry operators argued that <img src=x onerror="window.__xss=2"> lanterns are not vehicles, see [click](javascript:window.__xss=3) and <a href="javascript:window.__xss=4">this link</a>.
We reject that argument: a lantern ferry that crosses a public way at night is bound by the zebra crossing rule ${window.__xss=5}.
The judgment of the district court is affirmed.
"""
XSS_META = {"case_name": "Mallory v. <script>window.__xss=7</script>Quill Ferries", "citation": "1 F.4th 1",
            "court": "United States Court of Appeals for the <b onmouseover=\"window.__xss=8\">Second</b> Circuit",
            "court_id": "ca2", "year": 2021}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with served_pena(tmp_path_factory.mktemp("uib"), max_upload_mb=20) as (_, url, lib, root):
        yield url, lib, root


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = chromium(p)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    ctx = browser.new_context(viewport={"width": 1600, "height": 1000}, accept_downloads=True)
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=server[0].rstrip("/"))
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(server[0])
    pg.wait_for_selector("#qa-question textarea")
    yield pg
    ctx.close()
    assert not errors, errors


def _in_view(pg, inner: str, outer: str) -> bool:
    return pg.evaluate(
        """([i, o]) => { const a = document.querySelector(i).getBoundingClientRect();
        const b = document.querySelector(o).getBoundingClientRect();
        return a.top >= b.top - 2 && a.bottom <= b.bottom + 2 && a.top < window.innerHeight; }""", [inner, outer])


def test_answer_citation_opens_viewer_at_highlighted_passage(page):
    ARTIFACTS.mkdir(exist_ok=True)
    _ask(page, "What did the court hold about qualified immunity?")
    bot = page.locator("#qa-chat .qa-bot").last
    assert bot.locator("a.qa-cite").count() >= 1
    cites = bot.locator(".qa-cites li")
    assert cites.count() >= 1 and "Pena v. DePrisco, 432 F.3d 98, " in cites.first.inner_text()
    assert "qualified immunity" in bot.inner_text().lower()
    # which search ran, under the answer; the library's state at the top (this library is fully embedded)
    assert bot.locator(".qa-mode").inner_text() == "Search: hybrid"
    assert "vectors complete" in page.locator("#qa-status").inner_text()
    # sources panel: case, court, year, pin, score, highlighted support, used/not used
    src = page.locator("#qa-sources .qa-source")
    assert src.count() >= 1
    first = src.first.inner_text()
    assert "Pena v. DePrisco" in first and "Second Circuit" in first and "2005" in first and "score" in first
    assert page.locator("#qa-sources .qa-used").count() >= 1 and page.locator("#qa-sources mark").count() >= 1

    link = bot.locator("a.qa-cite").first
    number = link.inner_text().strip("[]")
    entry = bot.locator(f'.qa-cites li[value="{number}"]')
    quote = entry.locator(".qa-quote").inner_text().strip("“”…\"")
    pin = re.search(r"432 F\.3d 98, (\d+)", entry.inner_text()).group(1)
    link.click()
    page.wait_for_selector("#qa-viewer #qv-target")
    page.wait_for_timeout(400)
    marked = " ".join(page.locator("#qa-viewer mark.qa-hl").all_inner_texts())
    assert quote[:60] in " ".join(marked.split())
    assert _in_view(page, "#qv-target", "#qa-viewer .qa-opinion"), "the viewer did not scroll to the passage"
    # the page the pin names begins at or before the highlighted passage, marked *<page> in the margin
    assert page.locator(f"#qa-viewer #qv-page-{pin} .qa-page").inner_text() == f"*{pin}"
    assert page.evaluate(f"""() => !!(document.querySelector('#qv-page-{pin}').compareDocumentPosition(
        document.querySelector('#qv-target')) & Node.DOCUMENT_POSITION_FOLLOWING)""")
    assert page.locator("#qa-viewer .qa-page").count() >= 10  # pages 102..115 of the seed
    page.screenshot(path=str(ARTIFACTS / "chat-answer-viewer.png"))

    # footnote marker -> footnote, and back
    page.locator("#qa-viewer #qv-fnref-1").click()
    page.wait_for_timeout(300)
    assert _in_view(page, "#qv-fn-1", "#qa-viewer .qa-opinion")
    page.locator('#qa-viewer [data-fnback="1"]').click()
    page.wait_for_timeout(300)
    assert _in_view(page, "#qv-fnref-1", "#qa-viewer .qa-opinion")

    # a source opens the viewer too
    page.locator("#qa-sources a.qa-src-link").nth(min(1, src.count() - 1)).click()
    page.wait_for_function("() => document.querySelector('#qv-target') !== null")

    # follow-up keeps the conversation
    _ask(page, "And were the officers entitled to it?")
    assert page.locator("#qa-chat .qa-user").count() == 2 and page.locator("#qa-chat .qa-bot").count() == 2


def test_copy_citation_and_download_markdown(page):
    _ask(page, "What did the court hold about qualified immunity?")
    button = page.locator("#qa-chat .qa-cites .qa-copy").first
    expected = button.get_attribute("data-copy")
    button.click()
    page.wait_for_function("() => window.__qaCopied !== undefined")
    assert page.evaluate("window.__qaCopied") == expected
    assert page.evaluate("navigator.clipboard.readText()") == expected
    assert expected in page.locator("#qa-cites-box textarea").input_value()
    with page.expect_download() as dl:
        page.click("#qa-download")
    md = Path(dl.value.path()).read_text(encoding="utf-8")
    assert md.startswith("# What did the court hold about qualified immunity?")
    assert "## Citations" in md and "432 F.3d 98" in md and "   > " in md


def test_upload_then_xss_payloads_stay_inert(page, server, tmp_path):
    _, lib, _ = server
    up = tmp_path / "up"
    up.mkdir()
    opinion = up / XSS_NAME
    opinion.write_text(XSS_TEXT, encoding="utf-8")
    import json

    (up / (opinion.stem + ".json")).write_text(json.dumps(XSS_META), encoding="utf-8")
    page.get_by_role("tab", name="Library").click()
    page.locator("#qa-upload input[type=file]").set_input_files([str(opinion), str(up / (opinion.stem + ".json"))])
    page.wait_for_timeout(1500)
    page.click("#qa-ingest")
    page.wait_for_selector("#qa-ingest-result table", timeout=LONG)
    result = page.locator("#qa-ingest-result").inner_text()
    assert "ingested" in result and "metadata" in result, result
    assert "img src=x onerror=" in result  # the payload file name (gradio drops its <>) is shown as text
    lib_table = page.locator("#qa-library").inner_text()
    assert "Mallory v. <script>window.__xss=7</script>Quill Ferries" in lib_table
    stored = sorted(p.name for p in (lib.folder / "uploads").iterdir())
    assert len(stored) == 2 and stored[0].endswith("opinion.json") and stored[1].endswith("opinion.txt"), stored
    assert all(re.fullmatch(r"Lantern_img_src_x_onerror_[A-Za-z0-9._-]+", n) for n in stored), stored
    page.screenshot(path=str(ARTIFACTS / "library-upload.png"))
    # stored and searchable now; its vectors are embedded in the background and the status line (a timer,
    # switched on by the upload) follows them until they are complete
    n = len(lib.store.passage_ids())
    page.wait_for_function("n => { const t = (document.querySelector('#qa-status') || {}).innerText || '';"
                           " return t.includes('vectors complete') && t.includes(n + ' passages'); }",
                           arg=f"{n:,}", timeout=LONG)

    page.get_by_role("tab", name="Chat").click()
    _ask(page, "Does the zebra crossing rule govern lantern ferries?")
    bot = page.locator("#qa-chat .qa-bot").last
    assert "zebra crossing rule" in bot.inner_text()
    bot.locator("a.qa-cite").first.click()
    page.wait_for_selector("#qa-viewer #qv-target")
    page.wait_for_timeout(500)
    assert "<script>window.__xss=1</script>" in page.locator("#qa-viewer").inner_text()
    # open it from the library table as well
    page.get_by_role("tab", name="Library").click()
    page.locator("#qa-library a.qa-src-link", has_text="Mallory").click()
    page.wait_for_timeout(800)
    assert "Mallory v. <script>" in page.locator("#qa-viewer .qa-op-title").inner_text()
    page.locator("#qa-sources").hover()
    page.screenshot(path=str(ARTIFACTS / "xss-check.png"))
    assert page.evaluate("typeof window.__xss") == "undefined"
    bad = page.evaluate("""() => ({
        scripts: [...document.querySelectorAll('script')].filter(s => s.textContent.includes('__xss')).length,
        handlers: document.querySelectorAll('[onerror], [onmouseover], [onload]').length,
        imgs: document.querySelectorAll('#qa-chat img, #qa-sources img, #qa-viewer img, #qa-library img, #qa-ingest-result img').length,
        js_links: document.querySelectorAll('a[href^="javascript"], a[href^="JAVASCRIPT"]').length,
        bold: document.querySelectorAll('#qa-viewer b[onmouseover], #qa-library b').length})""")
    assert bad == {"scripts": 0, "handlers": 0, "imgs": 0, "js_links": 0, "bold": 0}, bad


@pytest.fixture(scope="module")
def question_page(browser, question_lib):
    with served(question_lib) as (_, url):
        ctx = browser.new_context(viewport={"width": 1600, "height": 1000})
        pg = ctx.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.goto(url)
        pg.wait_for_selector("#qa-question textarea")
        yield pg
        ctx.close()
        assert not errors, errors


def test_two_questions_in_one_chat_the_follow_up_gets_the_dissent_it_asks_for(question_page):
    """Issue 8's questions, asked as a user would in one conversation: the court's reasons in Terry, then
    "And what about the dissent?" - Douglas's dissent in Terry, with the sources panel showing it."""
    pg = question_page
    _ask(pg, "Why was the police officer's search in Terry v. Ohio reasonable?")
    first = pg.locator("#qa-chat .qa-bot").last
    assert "Terry v. Ohio, 392 U.S. 1, " in first.locator(".qa-cites").inner_text()
    assert first.locator(".qa-label").first.inner_text() in ("Court", "Holding")
    _ask(pg, "And what about the dissent?")
    second = pg.locator("#qa-chat .qa-bot").last
    labels = second.locator(".qa-label").all_inner_texts()
    assert labels and all("Dissent (Douglas, J.)" in t for t in labels)
    assert "(Douglas, J., dissenting)" in second.locator(".qa-cites").inner_text()
    sources = pg.locator("#qa-sources .qa-source")
    assert sources.count() >= 1
    assert all("Terry v. Ohio" in t for t in sources.all_inner_texts()[:3])
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / "chat-follow-up-dissent.png"))


# --- rough edges a new user met (issue 9) -----------------------------------------------------------------
def _open_settings(pg) -> None:
    pg.get_by_text("Settings and filters").click()
    pg.wait_for_selector("#qa-year-from textarea, #qa-year-from input")


def test_before_any_question_the_page_says_what_to_do(page):
    """Before: the sources panel said 'No passages matched (check the filters).' before any question,
    the year filters read 0, pressing Ask with an empty box did nothing, and the llm answerer's need for
    a model was nowhere explained."""
    assert "No passages matched" not in page.locator("#qa-sources").inner_text()
    assert "appear here" in page.locator("#qa-sources").inner_text()
    _open_settings(page)
    for box in ("#qa-year-from", "#qa-year-to"):
        field = page.locator(f"{box} textarea, {box} input").first
        assert field.input_value() == "" and field.get_attribute("placeholder") == "any"
    help_text = page.locator("#qa-llm-help").inner_text()
    assert "smollm2" in help_text and "Ollama" in help_text and "qa-bot[llm]" in help_text
    page.click("#qa-ask")
    page.wait_for_selector("text=Type a question in the box first", timeout=30_000)
    assert page.locator("#qa-chat .qa-user").count() == 0
    page.get_by_role("tab", name="Library").click()
    upload_help = page.locator("#qa-upload-help").inner_text()
    assert "sidecar" in upload_help and "NAME.json" in upload_help and "caption" in upload_help


def test_an_llm_error_leaves_no_misleading_sources(page, monkeypatch):
    """Before: after an LLM error the sources panel said 'No passages matched (check the filters)'."""
    monkeypatch.delenv("QA_BOT_LLM_MODEL", raising=False)
    _open_settings(page)
    page.locator("#qa-answerer").get_by_text("llm", exact=True).click()
    page.fill("#qa-llm-model textarea, #qa-llm-model input", "")
    _ask(page, "What did the court hold about qualified immunity?")
    error = page.locator("#qa-chat .qa-bot").last.inner_text()
    assert "needs a model" in error and "smollm2" in error
    sources = page.locator("#qa-sources").inner_text()
    assert "No passages matched" not in sources and "got no answer" in sources


def test_the_chat_follows_the_newest_answer_and_clicks_scroll_only_their_panel(page):
    """Before: the conversation stayed at its top, a citation click scrolled the whole page (the header
    and the question box left the screen), and clicking a source card's text did nothing."""
    for q in ("What did the court hold about qualified immunity?", "What is the state-created danger doctrine?",
              "What did the district court rule on the motion to dismiss?"):
        _ask(page, q)
    measure = ("() => { const c = document.querySelector('#qa-chat .qa-chat'); "
               "return [c.scrollTop, c.clientHeight, c.scrollHeight]; }")
    # the chat scrolls itself a moment after its content changes (chat.js): wait for it, however loaded
    # the machine, and fail only if it never gets there
    try:
        page.wait_for_function(f"() => {{ const b = ({measure})(); return b[0] + b[1] >= b[2] - 4; }}", timeout=LONG)
    except Exception:
        pass
    box = page.evaluate(measure)
    assert box[2] > box[1], "the conversation should overflow its panel by now"
    assert box[0] + box[1] >= box[2] - 4, f"the chat is not scrolled to its newest answer: {box}"
    before = page.evaluate("window.scrollY")
    cited = page.locator("#qa-chat .qa-bot").last.locator("a.qa-cite").first
    shown = cited.get_attribute("data-cite")
    cited.click()
    page.wait_for_selector("#qa-viewer #qv-target")
    page.wait_for_timeout(500)
    assert page.evaluate("window.scrollY") == before, "the page itself scrolled"
    assert _in_view(page, "#qv-target", "#qa-viewer .qa-opinion")
    assert page.evaluate("document.querySelector('#qa-question').getBoundingClientRect().top >= 0")
    # a click on a source card's text (another passage than the one shown) opens the viewer at that source
    marked = "() => [...document.querySelectorAll('#qa-viewer mark.qa-hl')].map(m => m.textContent).join(' ')"
    was = page.evaluate(marked)
    cards = page.locator("#qa-sources .qa-source")
    card = next(cards.nth(i) for i in range(cards.count()) if cards.nth(i).get_attribute("data-cite") != shown)
    card.locator(".qa-src-text").click()
    page.wait_for_function(f"was => ({marked})() !== was && document.querySelector('#qv-target') !== null",
                           arg=was, timeout=LONG)
    assert page.evaluate("window.scrollY") == before


def test_the_download_is_named_after_the_question(page):
    """Before: answer-1-10462-98192.md (turn number, process id, object id)."""
    _ask(page, "What did the court hold about qualified immunity?")
    with page.expect_download() as dl:
        page.click("#qa-download")
    assert dl.value.suggested_filename == "answer-what-did-the-court-hold-about-qualified-immunity.md"


SMITH = ("Smith v. Jones, 123 F.4th 456 (9th Cir. 2023)\nThe question presented is whether a municipal ordinance "
         "that bars sleeping in parked vehicles violates the Fourth Amendment.\nWe hold that the ordinance does not "
         "violate the Fourth Amendment because it authorizes no search or seizure.\n")


def test_library_tab_reads_captions_corrects_metadata_and_removes_opinions(page, server, tmp_path):
    """Before: a .txt upload was stored as a hash with no citation, court or year, and an opinion could be
    neither corrected nor removed from the web page."""
    up = tmp_path / "up"
    up.mkdir()
    (up / "smith.txt").write_text(SMITH, encoding="utf-8")
    (up / "untitled.txt").write_text("The officers argued that the parking ordinance was void for vagueness.\n"
                                     "We disagree with the officers.\n", encoding="utf-8")
    page.get_by_role("tab", name="Library").click()
    page.locator("#qa-upload input[type=file]").set_input_files([str(up / "smith.txt"), str(up / "untitled.txt")])
    page.wait_for_timeout(1500)
    page.click("#qa-ingest")
    page.wait_for_selector("#qa-ingest-result table", timeout=LONG)
    result = page.locator("#qa-ingest-result").inner_text()
    assert "Smith v. Jones, 123 F.4th 456" in result
    assert "case name, citation, court, year not found" in result
    table = page.locator("#qa-library").inner_text()
    assert "Smith v. Jones" in table and "123 F.4th 456" in table and "2023" in table

    # correct the untitled one
    page.locator("#qa-manage-pick input").click()
    page.get_by_role("option", name=re.compile("Unnamed opinion")).click()
    page.wait_for_timeout(800)
    page.fill("#qa-edit-name input, #qa-edit-name textarea", "Doe v. City of Tacoma")
    page.fill("#qa-edit-citation input, #qa-edit-citation textarea", "45 F.4th 789")
    page.fill("#qa-edit-court input, #qa-edit-court textarea", "9th Cir.")
    page.fill("#qa-edit-year input, #qa-edit-year textarea", "2022")
    page.click("#qa-edit-save")
    page.wait_for_selector("#qa-manage-result .qa-note-ok", timeout=LONG)
    assert "Doe v. City of Tacoma, 45 F.4th 789 (2022)" in page.locator("#qa-manage-result").inner_text()
    assert "Doe v. City of Tacoma" in page.locator("#qa-library").inner_text()

    # remove Smith (confirming the browser's dialog)
    page.once("dialog", lambda d: d.accept())
    page.locator("#qa-manage-pick input").click()
    page.get_by_role("option", name=re.compile("Smith v. Jones")).click()
    page.wait_for_timeout(500)
    page.click("#qa-remove")
    page.wait_for_selector("#qa-manage-result >> text=Removed Smith v. Jones", timeout=LONG)
    assert "Smith v. Jones" not in page.locator("#qa-library").inner_text()
    _, lib, _ = server
    assert not any(m.case_name == "Smith v. Jones" for _, m, _ in lib.store.opinions())
    page.screenshot(path=str(ARTIFACTS / "library-manage.png"))
