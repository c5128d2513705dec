"""👍 / 👎 on answers, kept in SQLite so staff can review what failed.

What a visitor sends is untrusted: a vote is limited per session and per answer before it touches
the database, stored text is cleaned (control characters and terminal escapes removed, phone and
ID-card numbers masked, length capped: ``assistant.feedback_clean``), and old rows can be purged (``purge_before``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from assistant.feedback_clean import MAX_TEXT_CHARS, clean
from assistant.types import Answer

logger = logging.getLogger(__name__)

FILE_NAME = "feedback.sqlite3"
MAX_ROWS = 50_000
"""Rows the table may hold; beyond it votes are refused (and logged) until staff purge old rows."""
OVERALL_FACTOR = 5
"""All sessions together may vote this many times the per-session limit per minute (sessions are cheap to make)."""
WINDOW_SECONDS = 60.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    found INTEGER NOT NULL,
    audience TEXT NOT NULL,
    citations TEXT NOT NULL
)
"""
ADDED_COLUMNS = {"session": "TEXT NOT NULL DEFAULT ''", "answer_key": "TEXT"}
"""Columns added after the first release; an older database gains them (and its rows are cleaned) on open."""
ONE_VOTE = "CREATE UNIQUE INDEX IF NOT EXISTS one_vote ON feedback (session, answer_key)"

VoteStatus = Literal["recorded", "changed", "duplicate", "rate_limited", "full"]
MESSAGES: dict[str, str] = {
    "recorded": "谢谢您的反馈！",
    "changed": "已更新您对这条回答的评价。",
    "duplicate": "您已评价过这条回答。",
    "rate_limited": "评价太频繁了，请稍后再试。",
    "full": "反馈暂时无法保存，请稍后再试。",
}


@dataclass(frozen=True)
class Vote:
    """The outcome of one 👍/👎; true when something was stored."""

    status: VoteStatus

    @property
    def message(self) -> str:
        """What the page tells the visitor."""
        return MESSAGES[self.status]

    def __bool__(self) -> bool:
        return self.status in ("recorded", "changed")


class RateLimiter:
    """Sliding one-minute windows: at most ``per_key`` events per key and ``overall`` in all. Thread-safe."""

    def __init__(self, per_key: int, overall: int, *, window: float = WINDOW_SECONDS, clock=time.monotonic) -> None:
        self.per_key, self.overall, self.window, self.clock = per_key, overall, window, clock
        self._events: dict[str, deque[float]] = {}
        self._all: deque[float] = deque()
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Count the event and say yes, or say no without counting it."""
        now = self.clock()
        start = now - self.window
        with self._lock:
            while self._all and self._all[0] <= start:
                self._all.popleft()
            if len(self._events) > 4 * self.overall:  # forget idle sessions so the table stays small
                self._events = {k: q for k, q in self._events.items() if q and q[-1] > start}
            events = self._events.setdefault(key, deque())
            while events and events[0] <= start:
                events.popleft()
            if len(events) >= self.per_key or len(self._all) >= self.overall:
                return False
            events.append(now)
            self._all.append(now)
            return True


def answer_key(answer: Answer) -> str:
    """Identifies an answer for dedup when the page gives no id: same question, text and audience."""
    digest = hashlib.sha256("\x00".join((answer.question, answer.answer, answer.audience)).encode("utf-8"))
    return digest.hexdigest()[:32]


def _session_key(session: str) -> str:
    """The stored form of a page session: a hash, so the table holds no token a visitor could reuse."""
    return hashlib.sha256(session.encode("utf-8")).hexdigest()[:16] if session else ""


class FeedbackStore:
    """One SQLite file under the data folder; each call opens its own connection (Gradio runs handlers in threads).

    Args:
        path: the database file (created with its folder).
        rate_limit_per_minute: votes one session may send per minute (``ASSISTANT_RATE_LIMIT_PER_MINUTE``);
            all sessions together may send ``OVERALL_FACTOR`` times as many.
        max_rows: rows kept at most; further votes are refused until old rows are purged.
        max_text_chars: longest question or answer text stored.
    """

    def __init__(
        self,
        path: Path,
        *,
        rate_limit_per_minute: int = 20,
        max_rows: int = MAX_ROWS,
        max_text_chars: int = MAX_TEXT_CHARS,
        clock=time.monotonic,
    ) -> None:
        self.path = Path(path)
        self.max_rows = max_rows
        self.max_text_chars = max_text_chars
        self.limiter = RateLimiter(rate_limit_per_minute, OVERALL_FACTOR * rate_limit_per_minute, clock=clock)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as connection:
            connection.execute(SCHEMA)
            present = {row[1] for row in connection.execute("PRAGMA table_info(feedback)")}
            missing = [name for name in ADDED_COLUMNS if name not in present]
            for name in missing:
                connection.execute(f"ALTER TABLE feedback ADD COLUMN {name} {ADDED_COLUMNS[name]}")
            if missing:
                self._clean_rows(connection)
            connection.execute(ONE_VOTE)

    @classmethod
    def for_settings(cls, settings) -> FeedbackStore:
        """The store under ``settings.data_dir`` with the configured rate limit."""
        return cls(settings.data_dir / FILE_NAME, rate_limit_per_minute=settings.rate_limit_per_minute)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def _clean_rows(self, connection: sqlite3.Connection) -> None:
        """Rows written before cleaning existed: mask and strip them in place."""
        rows = connection.execute("SELECT id, question, answer FROM feedback").fetchall()
        connection.executemany(
            "UPDATE feedback SET question = ?, answer = ? WHERE id = ?",
            [(clean(q, limit=self.max_text_chars), clean(a, limit=self.max_text_chars), i) for i, q, a in rows],
        )

    def add(self, answer: Answer, *, liked: bool, session: str = "", answer_id: str | None = None) -> Vote:
        """Record one vote: one per session and answer (a changed mind updates it), at most
        ``rate_limit_per_minute`` tries per session per minute.

        Args:
            answer: the answer as the server gave it (never text the browser sent back).
            liked: 👍 (True) or 👎 (False).
            session: the page session (Gradio's ``request.session_hash``); "" for local tools.
            answer_id: identifies the answer within the session; default: from its question and text.
        """
        key = answer_id or answer_key(answer)
        session_key = _session_key(session)
        rating = "up" if liked else "down"
        if not self.limiter.allow(session_key):  # before the database: a flood costs nothing
            return Vote("rate_limited")
        with self._connect() as connection:
            existing = connection.execute(
                "SELECT id, rating FROM feedback WHERE session = ? AND answer_key = ?", (session_key, key)
            ).fetchone()
            if existing and existing[1] == rating:
                return Vote("duplicate")
            if existing:
                connection.execute("UPDATE feedback SET rating = ? WHERE id = ?", (rating, existing[0]))
                return Vote("changed")
            if connection.execute("SELECT count(*) FROM feedback").fetchone()[0] >= self.max_rows:
                logger.warning(
                    "feedback table holds %d rows; purge old rows with assistant feedback --purge-before", self.max_rows
                )
                return Vote("full")
            citations = [{**asdict(c), "text": clean(c.text, limit=self.max_text_chars)} for c in answer.citations]
            connection.execute(
                "INSERT INTO feedback (created_at, rating, question, answer, found, audience, citations, session, answer_key)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                    rating,
                    clean(answer.question, limit=self.max_text_chars),
                    clean(answer.answer, limit=self.max_text_chars),
                    int(answer.found),
                    clean(answer.audience, limit=20),
                    json.dumps(citations, ensure_ascii=False),
                    session_key,
                    key,
                ),
            )
        return Vote("recorded")

    def rows(self, *, down_only: bool = False) -> list[dict]:
        where = " WHERE rating = 'down'" if down_only else ""
        with self._connect() as connection:
            connection.row_factory = sqlite3.Row
            return [dict(row) for row in connection.execute(f"SELECT * FROM feedback{where} ORDER BY id")]

    def count(self) -> int:
        with self._connect() as connection:
            return connection.execute("SELECT count(*) FROM feedback").fetchone()[0]

    def purge_before(self, day: date) -> int:
        """Delete rows created before ``day`` (local time) and return how many; the freed pages are
        overwritten and the file compacted, so the deleted text is gone from disk too."""
        connection = self._connect()
        try:
            connection.execute("PRAGMA secure_delete = ON")
            with connection:
                deleted = connection.execute("DELETE FROM feedback WHERE created_at < ?", (day.isoformat(),)).rowcount
            connection.execute("VACUUM")
        finally:
            connection.close()
        return deleted
