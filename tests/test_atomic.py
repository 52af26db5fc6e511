"""Atomic writes survive a kill and a power loss (issue 10, item 7): the temp file a killed save leaves
is removed by the next writer, and the folder holding a renamed file is fsynced."""

from __future__ import annotations

import os
import stat

from conftest import DATA

from qa_bot import atomic
from qa_bot.library import Library


def test_the_folder_is_fsynced_after_the_rename(tmp_path, monkeypatch):
    synced: list[str] = []
    real = os.fsync

    def spy(fd):
        synced.append("folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file")
        return real(fd)

    monkeypatch.setattr(atomic.os, "fsync", spy)
    atomic.write_json(tmp_path / "manifest.json", {"a": 1})
    assert synced == ["file", "folder"]  # the data, then the rename


def test_temp_files_of_a_killed_save_are_removed_by_the_next_sync(tmp_path):
    lib = Library.open(tmp_path / "lib", create=True)
    try:
        lib.ingest([DATA / "pena-v-deprisco.txt"], embed=False)
        left = [lib.folder / ".vectors.2.faiss.k1ll3d.tmp", lib.folder / ".lexical.2.npz.x9y8z7.tmp",
                lib.folder / ".manifest.json.a1b2c3.tmp"]
        for p in left:
            p.write_bytes(b"\0" * 100_000)  # as large as an index can be
        keep = lib.folder / "notes.tmp"  # not ours: untouched
        keep.write_text("mine")
        lib.sync(embed=False)
        assert not any(p.exists() for p in left) and keep.exists()
    finally:
        lib.close()
