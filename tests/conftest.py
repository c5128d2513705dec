"""Shared fixtures: the real seed document, the real bundled embedder, a real Chroma in a temp folder."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from assistant.settings import PROJECT_ROOT, Settings  # noqa: E402

SEED = PROJECT_ROOT / "corpus" / "taizhou-sanshe-liandong-2016.txt"
QUESTIONS = Path(__file__).parent / "data" / "questions.jsonl"


LIBRARY_FIXTURES = frozenset({"built_settings", "chain"})
"""Fixtures that index the bundled library with the real embedder."""


def pytest_collection_modifyitems(items):
    """A test that uses the library's index loads the embedder: it is slow, whether its decorators say so or not."""
    for item in items:
        if LIBRARY_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seed_document():
    from assistant.parsing import load_document

    return load_document(SEED)


def make_settings(root: Path, **overrides) -> Settings:
    values = {"index_dir": root / "index", "data_dir": root / "data", "corpus_dir": PROJECT_ROOT / "corpus"}
    values.update(overrides)
    return Settings.from_env({}, **values)


@pytest.fixture(scope="session")
def built_settings(tmp_path_factory) -> Settings:
    """An index of the bundled library (corpus/), built once for the session."""
    from assistant.indexing import ingest

    settings = make_settings(tmp_path_factory.mktemp("built"))
    ingest(settings=settings)
    return settings


@pytest.fixture(scope="session")
def chain(built_settings):
    from assistant.index import load_index
    from assistant.router import build_chain

    return build_chain(load_index(built_settings), settings=built_settings)
