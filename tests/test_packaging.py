"""What pyproject.toml and the README tell someone installing qa-bot."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_torch_pin_comment_does_not_promise_the_cpu_build():
    """The pin alone gives the CUDA build on an ordinary Linux machine; the comment beside it must say
    so and send the reader to the README's CPU-only section, which installs from PyTorch's CPU index."""
    py = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    block = py[: py.index('"torch==2.13.0"')].rsplit("dependencies = [", 1)[1]
    assert not re.search(r"makes pip take the CPU build", block)
    assert "CUDA" in block and "README" in block
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### CPU-only torch"):]
    assert "pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu" in section[:800]
