"""The staff desk: signing in with the admin password, and adding, replacing and removing documents
from the page, after which every page session answers from the changed library.
"""

from __future__ import annotations

import hmac
import logging
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError, DocumentError
from assistant.library import Library
from assistant.loaders import SUPPORTED_SUFFIXES
from assistant.settings import Settings

logger = logging.getLogger(__name__)

NOT_SIGNED_IN = "请先以工作人员身份登录，再管理文件。"


def password_matches(given: str, settings: Settings) -> bool:
    """The staff password, compared in constant time; always false when none is configured."""
    expected = settings.admin_password.get_secret_value()
    if not expected:
        return False
    return hmac.compare_digest((given or "").encode("utf-8"), expected.encode("utf-8"))


class ChainHolder:
    """The answer chain all page sessions share, swapped for a new one after staff change the library."""

    def __init__(self, chain: Any, build: Callable[[], Any]) -> None:
        self.chain = chain
        self._build = build

    def reload(self) -> None:
        self.chain = self._build()


@dataclass
class DeskResult:
    message: str
    ok: bool


class StaffDesk:
    """Adding, replacing and removing documents for signed-in staff.

    Uploaded files are copied into the corpus folder (so a later ``assistant ingest`` keeps them) and
    ingested on their own; a removed document's file is moved to ``data_dir/removed``. Every call
    checks ``signed_in`` again: the page's state, never something a visitor's request says.
    """

    def __init__(self, settings: Settings, holder: ChainHolder) -> None:
        self.settings = settings
        self.holder = holder
        self._lock = threading.Lock()

    def _check(self, signed_in: bool) -> None:
        if not (signed_in is True and self.settings.admin_password.get_secret_value()):
            raise AssistantError(NOT_SIGNED_IN)

    def add(
        self, paths: list[str], *, signed_in: bool, progress: Callable[[float, str], None] = lambda f, s: None
    ) -> DeskResult:
        """Copy the uploaded files into the corpus folder and ingest them; a failure leaves the folder as it was."""
        from assistant.indexing import ingest

        self._check(signed_in)
        if not paths:
            return DeskResult("请先选择要上传的文件。", False)
        corpus = self.settings.corpus_dir
        with self._lock:
            placed: list[tuple[Path, Path | None]] = []
            try:
                for path in map(Path, paths):
                    name = path.name
                    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                        raise DocumentError(f"不支持的文件类型：{name}（仅支持 {'、'.join(SUPPORTED_SUFFIXES)}）。")
                    target = corpus / name
                    backup = None
                    if target.exists():
                        backup = self.settings.data_dir / "replaced" / f"{int(time.time())}-{name}"
                        backup.parent.mkdir(parents=True, exist_ok=True)
                        shutil.copy2(target, backup)
                    shutil.copyfile(path, target)
                    placed.append((target, backup))
                progress(0.2, "正在读取、解析并建立索引…")
                report = ingest([target for target, _ in placed], settings=self.settings)
            except AssistantError:
                for target, backup in placed:
                    if backup is not None:
                        shutil.copyfile(backup, target)
                    else:
                        target.unlink(missing_ok=True)
                raise
            progress(0.85, "正在重新载入文件库…")
            self.holder.reload()
        logger.info("staff upload: %s", report.summary())
        unchanged = len(placed) - len(report.added) - len(report.replaced)
        lines = [f"已完成：新增 {len(report.added)} 份，更新 {len(report.replaced)} 份，内容未变 {unchanged} 份。"]
        lines += [f"注意：{w}" for w in report.warnings]
        return DeskResult("\n".join(lines), True)

    def remove(self, doc_id: str, *, signed_in: bool) -> DeskResult:
        """Remove a document from the index and move its file out of the corpus folder."""
        from assistant.indexing import remove

        self._check(signed_in)
        library = Library(self.holder.chain.index.documents)
        doc = library.by_id.get(doc_id or "")
        if doc is None:
            return DeskResult("请先选择要删除的文件。", False)
        with self._lock:
            remove([doc.doc_id], settings=self.settings)
            source = Path(doc.source)
            if not source.is_absolute():
                source = self.settings.corpus_dir / source
            if source.is_file() and source.resolve().parent == self.settings.corpus_dir.resolve():
                kept = self.settings.data_dir / "removed" / f"{int(time.time())}-{source.name}"
                kept.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(str(source), kept)
            self.holder.reload()
        logger.info("staff removed %s", doc.doc_id)
        return DeskResult(f"已删除《{doc.title}》。", True)
