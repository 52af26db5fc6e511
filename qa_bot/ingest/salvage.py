"""Finding and salvaging damage in a store, for ``qa-bot check [--repair]``.

``inspect(path)`` reads a ``library.sqlite`` without trusting it (not through ``Store``, which refuses
a damaged file): SQLite's own integrity check, the tables and schema version, and every row's
checksum. It returns one line per problem, each naming what is damaged.

``salvage(path, dest, chunk_settings)`` copies what is intact into a fresh store at ``dest``, row by row
so that one unreadable page costs only the rows on it:

* an opinion whose row verifies is kept, with the same id; its passages are kept with their ids (so
  the vectors and BM25 entries of those passages stay valid) when every one of them verifies and they
  are complete (ordinals 0..n-1, their token counts adding up to the opinion's); otherwise the
  opinion's passages are made again from its verified text by the chunker (new ids, indexed anew);
* an opinion whose row does not verify is lost from the store: it is reported with the file it came
  from (its row's ``source`` if readable, else the ``files`` table's), for the caller to ingest again;
* ``files``, ``duplicates`` and ``sketch`` rows that read are kept (those of lost opinions dropped, so
  re-ingesting their files is not taken for a duplicate); the store id is kept and its write
  generation advanced, so the indexes beside it are recognised and brought up to date by a sync.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from ..settings import ChunkSettings
from . import schema
from .schema import BODY_SUMMED, N_CITE, OPINION_COLS, PASSAGE_SUMMED, digest, opinion_from_row
from .store import Store


@dataclass
class Salvage:
    kept: int = 0  # opinions kept with their passages as they were
    rechunked: list[str] = field(default_factory=list)  # opinions kept, passages made again
    lost: list[tuple[str, str]] = field(default_factory=list)  # (opinion id or rowid, source file)


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    db.text_factory = lambda b: b.decode("utf-8", "strict")
    return db


def _rows(db: sqlite3.Connection, table: str, cols: str, where: str = "", args: tuple = ()) -> list[tuple]:
    """Every readable row: all at once, or rowid by rowid when a page is damaged."""
    try:
        return db.execute(f"SELECT {cols} FROM {table} {where}", args).fetchall()
    except (sqlite3.DatabaseError, UnicodeDecodeError):
        pass
    try:
        top = db.execute(f"SELECT max(rowid) FROM {table}").fetchone()[0] or 0
    except sqlite3.DatabaseError:
        top = 0
    out = []
    joiner = "AND" if where else "WHERE"
    for rowid in range(1, top + 1):
        try:
            out += db.execute(f"SELECT {cols} FROM {table} {where} {joiner} rowid=?", args + (rowid,)).fetchall()
        except (sqlite3.DatabaseError, UnicodeDecodeError):
            continue
    return out


def inspect(path: Path) -> list[str]:
    """One line per problem found in the store at ``path`` (empty: it verifies)."""
    try:
        db = _connect(path)
        present = schema.tables(db)
    except sqlite3.DatabaseError as e:
        return [f"{path}: not a readable SQLite database ({e})"]
    try:
        problems = []
        try:
            problems += [f"{path}: SQLite integrity check: {r[0]}" for r in db.execute("PRAGMA integrity_check")
                         if r[0] != "ok"][:5]
        except sqlite3.DatabaseError as e:
            problems.append(f"{path}: SQLite integrity check failed ({e})")
        missing = [t for t in schema.TABLES if t not in present]
        if missing:
            return problems + [f"{path}: table(s) {', '.join(missing)} missing"]
        version = (_rows(db, "meta", "value", "WHERE key='schema_version'") or [("?",)])[0][0]
        if version != str(schema.SCHEMA_VERSION):
            return problems + [f"{path}: store schema {version}, this qa-bot reads {schema.SCHEMA_VERSION}"]
        ids = {r[0] for r in _rows(db, "opinions", "id")}
        for row in _rows(db, "opinions", OPINION_COLS):
            if digest(row[:N_CITE]) != row[-2] or digest(row[N_CITE:-2]) != row[-1]:
                problems.append(f"{path}: opinion {row[0]} does not match its checksum")
        bad = [r[0] for r in _rows(db, "passages", f"{', '.join(PASSAGE_SUMMED)}, checksum")
               if digest(r[:-1]) != r[-1] or r[1] not in ids]
        if bad:
            problems.append(f"{path}: {len(bad)} passage(s) damaged or without their opinion (ids {bad[:5]}...)")
        return problems
    finally:
        db.close()


def salvage(path: Path, dest: Path, chunk_settings: ChunkSettings) -> Salvage:
    """Copy what verifies from the store at ``path`` into a new store in folder ``dest`` (see above)."""
    from . import chunk as chunking

    out = Salvage()
    src = _connect(path)
    new = Store(dest)
    try:
        meta = dict(_rows(src, "meta", "key, value"))
        files = _rows(src, "files", "source, opinion_id, status")
        sources = {oid: source for source, oid, status in files if oid and status == "ingested"}
        db = new.db
        db.execute("BEGIN IMMEDIATE")
        if meta.get("store_id"):
            db.execute("UPDATE meta SET value=? WHERE key='store_id'", (meta["store_id"],))
        generation = int(meta["generation"]) + 1 if str(meta.get("generation", "")).isdigit() else 1
        db.execute("UPDATE meta SET value=? WHERE key='generation'", (str(generation),))
        kept: set[str] = set()
        top = max((r[0] for r in _rows(src, "passages", "id")), default=0)  # new ids go above every old one
        cols = f"{OPINION_COLS}, richness, n_tokens, added_at"
        for row in _rows(src, "opinions", cols):
            oid = row[0]
            sums = row[N_CITE + len(BODY_SUMMED):N_CITE + len(BODY_SUMMED) + 2]
            try:
                ok = digest(row[:N_CITE]) == sums[0] and digest(row[N_CITE:N_CITE + len(BODY_SUMMED)]) == sums[1]
                op = opinion_from_row(row) if ok else None
            except (ValueError, TypeError, KeyError):
                op = None
            if op is None:
                out.lost.append((str(oid), sources.get(oid) or str(row[N_CITE + 2] or "")))
                continue
            db.execute(f"INSERT INTO opinions({cols}) VALUES ({','.join('?' * len(row))})", row)
            kept.add(oid)
            passages = _rows(src, "passages", f"{', '.join(PASSAGE_SUMMED)}, checksum", "WHERE opinion_id=?", (oid,))
            passages.sort(key=lambda r: r[2])
            whole = (all(digest(r[:-1]) == r[-1] for r in passages) and [r[2] for r in passages] == list(range(len(passages)))
                     and sum(r[12] for r in passages) == row[-2])
            if whole:
                db.executemany(f"INSERT INTO passages({', '.join(PASSAGE_SUMMED)}, checksum) VALUES "
                               f"({','.join('?' * (len(PASSAGE_SUMMED) + 1))})", passages)
                out.kept += 1
            else:
                fresh = chunking.chunk(op, chunk_settings)
                first = max(db.execute("SELECT COALESCE(MAX(id), 0) FROM passages").fetchone()[0], top) + 1
                rows = [(first + i, oid, p.ordinal, p.text, p.start, p.end, p.section, p.part, p.author,
                         p.page_start, p.page_end, p.footnote, p.n_tokens) for i, p in enumerate(fresh)]
                db.executemany(f"INSERT INTO passages({', '.join(PASSAGE_SUMMED)}, checksum) VALUES "
                               f"({','.join('?' * (len(PASSAGE_SUMMED) + 1))})", [r + (digest(r),) for r in rows])
                out.rechunked.append(oid)
        for table, columns in (("files", "sha256, source, opinion_id, status, seen_at"),
                               ("duplicates", "source, sha256, duplicate_of, reason, at"),
                               ("sketch", "hash, opinion_id")):
            rows = [r for r in _rows(src, table, columns)
                    if table == "duplicates" or r[columns.split(", ").index("opinion_id")] in kept]
            db.executemany(f"INSERT OR IGNORE INTO {table}({columns}) VALUES ({','.join('?' * len(columns.split(',')))})",
                           rows)
        lost = {oid for oid, _ in out.lost}
        out.lost += [(oid, source) for oid, source in sources.items() if oid not in kept and oid not in lost]
        db.execute("COMMIT")
    finally:
        src.close()
        new.close()
    return out

