"""👍 / 👎 on answers, kept in SQLite so staff can review what failed."""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import asdict
from pathlib import Path

from assistant.types import Answer

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


class FeedbackStore:
    """One SQLite file under the data folder; each call opens its own connection (Gradio runs handlers in threads)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as connection:
            connection.execute(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def add(self, answer: Answer, *, liked: bool) -> None:
        citations = json.dumps([asdict(c) for c in answer.citations], ensure_ascii=False)
        with self._connect() as connection:
            connection.execute(
                "INSERT INTO feedback (created_at, rating, question, answer, found, audience, citations)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                    "up" if liked else "down",
                    answer.question,
                    answer.answer,
                    int(answer.found),
                    answer.audience,
                    citations,
                ),
            )

    def rows(self) -> list[dict]:
        with self._connect() as connection:
            connection.row_factory = sqlite3.Row
            return [dict(row) for row in connection.execute("SELECT * FROM feedback ORDER BY id")]
