"""The SQLite FTS5 side of inbox search: a local, rebuildable index of stored messages.

Synchronous on purpose: one connection, used from one worker thread (see search.py), so
SQLite never sees two threads and the event loop never waits on it. The file is a cache
rebuilt at every start, so it is written without fsync or a journal on disk, and its page cache
is bounded: memory stays flat however many messages it holds.
"""

import sqlite3
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from socialcare_router.domain.search import MessageMatch

CACHE_KIB = 8 * 1024

SCHEMA = """
CREATE TABLE IF NOT EXISTS conversation (id TEXT PRIMARY KEY, brand TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS message (
  id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, conversation_id TEXT NOT NULL,
  created_at REAL NOT NULL, text TEXT NOT NULL, handle TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS message_conversation ON message (conversation_id);
-- Keys seen on Kafka whose message MongoDB does not hold yet (the router stores it after
-- the event): looked up again until found or too old.
CREATE TABLE IF NOT EXISTS pending (key TEXT PRIMARY KEY, since REAL NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS message_fts USING fts5(
  text, handle, content='message', content_rowid='id',
  tokenize='unicode61 remove_diacritics 2', prefix='2 3');
CREATE TRIGGER IF NOT EXISTS message_indexed AFTER INSERT ON message BEGIN
  INSERT INTO message_fts (rowid, text, handle) VALUES (new.id, new.text, new.handle);
END;
"""

# (key, conversation id, created at, text, the customer's handle and name or "")
Row = tuple[str, str, datetime, str, str]


class FtsIndex:
    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, check_same_thread=False)
        self.db.executescript(f"PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF; "
                              f"PRAGMA cache_size=-{CACHE_KIB}; {SCHEMA}")

    def close(self) -> None:
        self.db.close()

    def add_conversations(self, rows: Iterable[tuple[str, str]]) -> None:
        """(id, brand account) pairs; a conversation never changes brand."""
        with self.db:
            self.db.executemany("INSERT OR IGNORE INTO conversation VALUES (?, ?)", rows)

    def unknown_conversations(self, ids: Iterable[str]) -> list[str]:
        wanted = list(dict.fromkeys(ids))
        known = self._existing("SELECT id FROM conversation WHERE id IN ", wanted)
        return [i for i in wanted if i not in known]

    def brand_of(self, conversation_id: str) -> str | None:
        found = self.db.execute("SELECT brand FROM conversation WHERE id = ?",
                                (conversation_id,)).fetchone()
        return found[0] if found else None

    def add_messages(self, rows: Iterable[Row], found: Iterable[str]) -> None:
        """Indexes messages once each (a stored message never changes) and stops awaiting
        the ``found`` keys: stored, whether or not they belong to a conversation."""
        values = [(k, c, at.timestamp(), text, who) for k, c, at, text, who in rows]
        with self.db:
            self.db.executemany("INSERT OR IGNORE INTO message (key, conversation_id, "
                                "created_at, text, handle) VALUES (?, ?, ?, ?, ?)", values)
            self.db.executemany("DELETE FROM pending WHERE key = ?", [(k,) for k in found])

    def await_messages(self, keys: Iterable[str]) -> int:
        """Keeps the keys not indexed yet for a later look-up; how many are new."""
        wanted = list(dict.fromkeys(keys))
        indexed = self._existing("SELECT key FROM message WHERE key IN ", wanted)
        now = time.time()
        with self.db:
            before = self.db.total_changes
            self.db.executemany("INSERT OR IGNORE INTO pending VALUES (?, ?)",
                                [(k, now) for k in wanted if k not in indexed])
            return self.db.total_changes - before

    def pending(self, limit: int) -> list[str]:
        """The newest awaited keys: what agents are most likely to search for."""
        return [k for (k,) in self.db.execute(
            "SELECT key FROM pending ORDER BY since DESC LIMIT ?", (limit,))]

    def give_up_before(self, since: float) -> int:
        """Drops keys awaited since before ``since`` (a message the router never stored)."""
        with self.db:
            return self.db.execute("DELETE FROM pending WHERE since < ?", (since,)).rowcount

    def search(self, match: str, brands: list[str] | None, limit: int) -> list[MessageMatch]:
        """The newest matching message of each conversation, newest first."""
        scope = f"AND c.brand IN ({','.join('?' * len(brands))})" if brands is not None else ""
        # SQLite gives the other columns of a MAX() aggregate from the row holding the max.
        rows = self.db.execute(
            "SELECT m.conversation_id, m.key, m.text, MAX(m.created_at) AS at "
            "FROM message_fts JOIN message m ON m.id = message_fts.rowid "
            "JOIN conversation c ON c.id = m.conversation_id "
            f"WHERE message_fts MATCH ? {scope} "
            "GROUP BY m.conversation_id ORDER BY at DESC LIMIT ?",
            (match, *(brands or ()), limit)).fetchall()
        return [MessageMatch(c, k, text, datetime.fromtimestamp(at, UTC))
                for c, k, text, at in rows]

    def _existing(self, select: str, values: list[str]) -> set[str]:
        found: set[str] = set()
        for at in range(0, len(values), 500):
            part = values[at:at + 500]
            found.update(v for (v,) in self.db.execute(
                f"{select}({','.join('?' * len(part))})", part))
        return found
