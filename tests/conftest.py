"""Shared fixtures. Real data lives in tests/data (see tests/data/SOURCE.md); no test reads ../shared."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def embeddings_root(tmp_path, monkeypatch) -> Path:
    """An empty embeddings/ folder for this test (QA_BOT_EMBEDDINGS points at it)."""
    root = tmp_path / "embeddings"
    root.mkdir()
    monkeypatch.setenv("QA_BOT_EMBEDDINGS", str(root))
    return root
