"""Bad input to the benchmark commands gets one line naming the option (issue 11); nothing is measured here."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("args, says", [
    (["--sections", "nope"], "--sections 'nope': choose from embed, quality, first_answer, llamaindex"),
    (["--sections", "llamaindex", "--llamaindex-python", "/no/such/python"], "--llamaindex-python '/no/such/python'"),
    (["--sections", "bm25"], "--sections bm25 needs --corpus-index"),
    (["--passages", "0"], "--passages must be a positive number"),
])
def test_bench_all_bad_input_is_one_line(args, says, tmp_path):
    p = subprocess.run([sys.executable, str(ROOT / "eval" / "bench_all.py"), *args, "--out", str(tmp_path)],
                       capture_output=True, text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert p.returncode == 2
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and says in lines[0], p.stderr
    assert not list(tmp_path.iterdir())  # nothing written


@pytest.mark.parametrize("args, says", [
    (["--corpus", "/no/such/corpus"], "--corpus /no/such/corpus: no such file or folder"),
    (["--corpus", str(ROOT / "tests" / "data" / "scotus-subset"), "--limit", "-1"], "--limit and --workers must be 0 or more"),
])
def test_bench_ingest_speed_bad_input_is_one_line(args, says):
    p = subprocess.run([sys.executable, str(ROOT / "eval" / "bench_ingest_speed.py"), *args],
                       capture_output=True, text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert p.returncode == 2
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and says in lines[0], p.stderr
