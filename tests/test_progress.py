"""What ingest, sync and serve print while they work: a total known from the start, each stage's own
closing rate, no cursor codes in logs, a closing "library ready" line, and no hint meant for the cloud."""

from __future__ import annotations

import io
import shutil

from conftest import DATA, copy_pena

from qa_bot import progress as P


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_ingest_progress_counts_files_with_a_total_known_from_the_start(tmp_path):
    """Before: the total grew as multi-opinion files were read (0/2, 2/3 ... 27/28)."""
    from qa_bot.ingest.pipeline import ingest
    from qa_bot.ingest.store import Store

    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(DATA / "csv" / "multicourt-rows.csv", src / "rows.csv")  # several opinions in one file
    copy_pena(src)
    calls = []
    with Store(tmp_path / "lib") as store:
        report = ingest(store, [src], progress=lambda *c: calls.append(c))
    assert len(report.ingested) > 2
    assert {total for _, _, total in calls} == {2} and calls[-1] == ("ingest", 2, 2)
    done = [d for _, d, _ in calls]
    assert done == sorted(done) and len(calls) > 2  # ticks inside the multi-opinion file too


def test_log_lines_have_no_cursor_codes_and_each_stage_its_own_rate(monkeypatch):
    """Before: tqdm wrote '\\x1b[A' into logs and re-printed every bar at exit with rates that counted
    the time after the stage had ended."""
    clock = Clock()
    monkeypatch.setattr(P.time, "monotonic", clock)
    out = io.StringIO()
    show = P.progress_printer(stream=out, tty=False)
    for i in range(11):
        show("ingest", i, 10) if i <= 10 else None
        clock.now += 0.5
    clock.now += 100  # nothing happens for a while, then the next stage
    show("embed", 0, 400)
    clock.now += 4
    show("embed", 400, 400)
    show("embed", 400, 400)  # reported twice: printed once
    text = out.getvalue()
    assert "\x1b" not in text and "\r" not in text
    lines = text.splitlines()
    assert lines[0] == "ingest: started, 10 files"
    assert "ingest: 10/10 files (100%) in 0:05, 2.0 files/s" in lines
    assert lines[-2:] == ["embed: started, 400 passages", "embed: 400/400 passages (100%) in 0:04, 100.0 passages/s"]


def test_a_stage_over_at_once_prints_no_rate(monkeypatch):
    """Before: a BM25 update of 3 passages, reported once when done, closed with
    'bm25: 3/3 passages (100%) in 0:00, 3000000000.0 passages/s'."""
    clock = Clock()
    monkeypatch.setattr(P.time, "monotonic", clock)
    out = io.StringIO()
    show = P.progress_printer(stream=out, tty=False)
    show("bm25", 3, 3)
    clock.now += 0.01
    show("embed", 0, 3)
    clock.now += 0.01
    show("embed", 3, 3)
    assert out.getvalue().splitlines() == ["bm25: started, 3 passages", "bm25: 3/3 passages (100%) in 0:00",
                                           "embed: started, 3 passages", "embed: 3/3 passages (100%) in 0:00"]


def test_log_lines_in_between_say_percent_rate_and_time_left(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(P.time, "monotonic", clock)
    out = io.StringIO()
    show = P.progress_printer(stream=out, tty=False)
    show("embed", 0, 1000)
    for done in range(100, 1000, 100):
        clock.now += P.LOG_SECONDS / 2
        show("embed", done, 1000)
    lines = out.getvalue().splitlines()
    assert "embed: 200/1,000 passages (20%), 20.0 passages/s, about 0:40 left" in lines
    assert len(lines) == 1 + 4  # started, then one line every LOG_SECONDS


def test_a_terminal_bar_closes_when_its_stage_ends(monkeypatch):
    out = io.StringIO()
    show = P.progress_printer(stream=out, tty=True)
    show("ingest", 0, 3)
    show("ingest", 3, 3)
    ended = out.getvalue()
    assert "3/3" in ended and ended.endswith("\n")  # closed: its last line is final
    del show
    import gc

    gc.collect()
    assert out.getvalue() == ended  # nothing re-printed when the program ends


def test_cli_ingest_ends_with_a_library_ready_line(tmp_path, capsys):
    from qa_bot.cli import main

    src = tmp_path / "src"
    copy_pena(src)
    assert main(["ingest", str(src / "pena-v-deprisco.txt"), "--index", str(tmp_path / "lib"), "--no-embed"]) == 0
    err = capsys.readouterr().err
    assert "\x1b[A" not in err
    assert err.rstrip().splitlines()[-1] == ("library lib ready: 1 opinions, 116 passages searchable "
                                             "(BM25; vectors for 0 - qa-bot sync embeds the rest)")


def test_serve_prints_its_own_ready_line_and_no_share_hint(tmp_path, capfd):
    """Before: gradio's 'To create a public link, set share=True' was printed for an offline tool."""
    from conftest import free_port

    from qa_bot.index.embed import FakeEmbedder
    from qa_bot.library import Library
    from qa_bot.web.app import serve

    src = tmp_path / "src"
    copy_pena(src)
    with Library.open(tmp_path / "lib", create=True) as lib:
        lib.retriever._embedder = FakeEmbedder()
        lib.ingest([src / "pena-v-deprisco.txt"])  # vectors too: serve starts no background embedding
    port = free_port()
    demo = serve(str(tmp_path / "lib"), port=port, block=False)
    try:
        out = capfd.readouterr().out
    finally:
        demo.close()
        demo.qa_app.lib.close()
    assert f"qa-bot chat ready on http://127.0.0.1:{port}/" in out
    assert "share=True" not in out and "public link" not in out
