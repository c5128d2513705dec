"""The index on disk checked before it is used: the manifest's format and fields, the snapshot it names, the model.

Every failure is an IndexCorruptError (or IndexModelMismatchError) whose message says to rebuild.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from assistant.errors import IndexCorruptError, IndexModelMismatchError
from assistant.settings import Settings
from assistant.snapshot import SNAPSHOT_PREFIX, Snapshot, read_manifest, read_snapshot

# Bumped when the manifest or snapshot layout changes; an index of another format must be rebuilt.
MANIFEST_FORMAT = 3
_MANIFEST_FIELDS = {
    "format": int,
    "embedding_model": str,
    "model_name": str,
    "collection": str,
    "snapshot": str,
    "chunk_count": int,
    "documents": dict,
}
_DOCUMENT_FIELDS = {"source": str, "content_hash": str, "title": str, "chunk_tokens": int, "chunks": list}


def corrupt(reason: str) -> IndexCorruptError:
    return IndexCorruptError(f"索引不完整，请运行 assistant ingest --rebuild（原因：{reason}）")


def mismatch(built_with: str, configured: str) -> IndexModelMismatchError:
    return IndexModelMismatchError(
        f"索引是用模型 {built_with} 建的，当前配置为 {configured}：请运行 assistant ingest --rebuild"
    )


def read_checked_manifest(index_dir: Path) -> dict[str, Any] | None:
    """The manifest, None when there is no index.

    Raises:
        IndexCorruptError: the manifest is not JSON, of another format, or incomplete.
    """
    try:
        manifest = read_manifest(index_dir)
    except (OSError, ValueError) as error:
        raise corrupt(f"manifest.json 无法读取：{error}") from error
    if manifest is None:
        return None
    if manifest.get("format") != MANIFEST_FORMAT:
        raise corrupt(f"manifest.json 是旧格式（{manifest.get('format', 1)}），当前为 {MANIFEST_FORMAT}")
    for name, kind in _MANIFEST_FIELDS.items():
        if not isinstance(manifest.get(name), kind):
            raise corrupt(f"manifest.json 缺少 {name}")
    for doc_id, entry in manifest["documents"].items():
        if not isinstance(entry, dict) or any(not isinstance(entry.get(k), t) for k, t in _DOCUMENT_FIELDS.items()):
            raise corrupt(f"manifest.json 中文档 {doc_id} 的记录不完整")
    listed = sum(len(entry["chunks"]) for entry in manifest["documents"].values())
    if listed != manifest["chunk_count"]:
        raise corrupt(f"manifest.json 记录 {manifest['chunk_count']} 个片段，文档列出 {listed} 个")
    snapshot = manifest["snapshot"]
    if not snapshot.startswith(SNAPSHOT_PREFIX) or "/" in snapshot or "\\" in snapshot:
        raise corrupt(f"manifest.json 中的快照名 {snapshot!r} 无效")
    return manifest


def manifest_chunk_ids(manifest: dict[str, Any]) -> set[str]:
    return {chunk_id for entry in manifest["documents"].values() for chunk_id in entry["chunks"]}


def read_checked_snapshot(index_dir: Path, manifest: dict[str, Any], *, tokens: bool = True) -> Snapshot:
    """The snapshot the manifest names, checked against it.

    Raises:
        IndexCorruptError: the folder is missing, a file is damaged, or it holds other documents or chunks.
    """
    folder = index_dir / manifest["snapshot"]
    if not folder.is_dir():
        raise corrupt(f"快照文件夹 {folder.name} 不存在")
    try:
        snapshot = read_snapshot(folder, tokens=tokens)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise corrupt(f"快照 {folder.name} 无法读取：{error}") from error
    if len(snapshot.chunks) != manifest["chunk_count"]:
        raise corrupt(f"快照有 {len(snapshot.chunks)} 个片段，manifest.json 记录 {manifest['chunk_count']} 个")
    if {c.chunk_id for c in snapshot.chunks} != manifest_chunk_ids(manifest):
        raise corrupt("快照中的片段与 manifest.json 不一致")
    if {d.doc_id for d in snapshot.documents} != set(manifest["documents"]):
        raise corrupt("快照中的文档与 manifest.json 不一致")
    return snapshot


def check_model(manifest: dict[str, Any], settings: Settings) -> None:
    """Raises IndexModelMismatchError when the index was built with another model than the configured one."""
    from assistant.embeddings import model_identity

    configured = model_identity(settings.embedding_model)
    if manifest["embedding_model"] != configured:
        raise mismatch(manifest["embedding_model"], configured)


def seed_fingerprint() -> str:
    """What the vocabulary depends on besides the documents: the hand-written seed and synonyms, and the
    names documents go by (data/aliases.tsv). An unchanged library whose seed is unchanged has an unchanged
    vocabulary."""
    from importlib import resources

    data = resources.files("assistant").joinpath("data")
    digest = hashlib.sha256()
    for name in ("user_dict.txt", "synonyms.tsv", "aliases.tsv"):
        digest.update(data.joinpath(name).read_bytes())
    return digest.hexdigest()[:16]
