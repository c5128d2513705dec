"""Replicas of a long-running server following the index: a new build is picked up when an ingest elsewhere
replaces the manifest."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError
from assistant.index import PolicyIndex, ensure_index, load_index
from assistant.index_check import read_checked_manifest
from assistant.settings import Settings
from assistant.snapshot import MANIFEST

logger = logging.getLogger(__name__)

MANIFEST_CHECK_S = 2.0
"""How often (at most) a long-running server looks whether an ingest elsewhere replaced the index."""


class IndexHolder:
    """The index and the answer chain of a long-running server, replaced when an ingest elsewhere
    replaces the manifest: how replicas sharing one index folder and one Chroma server pick up a change.

    A question costs at most one ``stat`` of manifest.json every ``check_every`` seconds; when the file
    changed, a background thread loads the new index and builds its chain while the old ones keep
    answering, then swaps them in. ``reload()`` does the same at once (for a signal handler).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        build_chain=None,
        check_every: float = MANIFEST_CHECK_S,
        build_missing: bool = False,
    ) -> None:
        if build_chain is None:
            from assistant.router import build_chain as default

            def build_chain(index: PolicyIndex):
                return default(index, settings=settings)

        self.settings = settings
        self.check_every = check_every
        self._build_chain = build_chain
        self._stamp = _manifest_stamp(settings.index_dir)
        self._index = ensure_index(settings, progress=True) if build_missing else load_index(settings)
        self._chain = build_chain(self._index)
        self._checked = time.monotonic()
        self._reloading = threading.Lock()

    def index(self) -> PolicyIndex:
        self._check()
        return self._index

    def chain(self):
        self._check()
        return self._chain

    def live_chain(self) -> LiveChain:
        """A stand-in for the chain that always answers from the current one (for a page built once)."""
        return LiveChain(self)

    def reload(self) -> bool:
        """Load the index the manifest names now, if it is another build; True when it was swapped in.

        A failed load (an ingest still writing, a Chroma server away) is logged and the current index kept.
        """
        with self._reloading:
            return self._reload()

    def _check(self) -> None:
        now = time.monotonic()
        if now - self._checked < self.check_every:
            return
        self._checked = now
        if _manifest_stamp(self.settings.index_dir) != self._stamp and self._reloading.acquire(blocking=False):
            threading.Thread(target=self._reload_in_background, name="index-reload", daemon=True).start()

    def _reload_in_background(self) -> None:
        try:
            self._reload()
        finally:
            self._reloading.release()

    def _reload(self) -> bool:
        stamp = _manifest_stamp(self.settings.index_dir)
        try:
            manifest = read_checked_manifest(self.settings.index_dir)
            if manifest is None or manifest["snapshot"] == self._index.manifest["snapshot"]:
                self._stamp = stamp
                return False
            current = self._index
            index = load_index(self.settings, embedder=current.embedder if current.embedder_loaded else None)
            chain = self._build_chain(index)
        except AssistantError as error:
            logger.warning("index changed but could not be loaded; still answering from the previous one: %s", error)
            return False
        self._index, self._chain, self._stamp = index, chain, stamp
        logger.info(
            "reloaded the index: snapshot %s, %d documents, %d chunks",
            index.manifest["snapshot"],
            len(index.documents),
            len(index.chunks),
        )
        return True


class LiveChain:
    """Every attribute (``ask``, ``turn``, ``index``, ``library`` …) is looked up on the holder's chain
    of the moment, so code handed one chain at start-up answers from each index an ingest brings."""

    def __init__(self, holder: IndexHolder) -> None:
        self._holder = holder

    def __getattr__(self, name: str) -> Any:
        return getattr(self._holder.chain(), name)


def _manifest_stamp(index_dir: Path) -> tuple[int, int, int] | None:
    """What changes when an ingest replaces manifest.json (a new file each time: inode, size, mtime)."""
    try:
        status = (index_dir / MANIFEST).stat()
    except FileNotFoundError:
        return None
    return status.st_ino, status.st_size, status.st_mtime_ns
