"""The ASGI middleware in front of Gradio: what a request may reach and carry before Gradio reads it.

- Uploads: refused where the page has no upload component or no admin password is set; otherwise they
  need the staff upload cookie (``POST /gradio_api/staff-session`` with the admin password, which the
  page's sign-in sends) or HTTP Basic with the admin password, and are capped at ``ASSISTANT_MAX_FILE_MB``.
- Gradio's ``/monitoring`` dashboard is off and its routes answer 404.
- Requests larger than the body limit are refused before they are read, with a message in Chinese.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import KW_ONLY, dataclass
from typing import Any
from urllib.parse import parse_qs

from assistant.settings import MEGABYTE

UPLOAD_PATHS = ("/gradio_api/upload", "/gradio_api/process_recording")
STAFF_SESSION_PATH = "/gradio_api/staff-session"
STAFF_COOKIE = "assistant_staff"
STAFF_SESSION_SECONDS = 8 * 3600
"""How long a staff sign-in lets the browser upload."""
WRONG_PASSWORD_DELAY_S = 1.0
"""Pause after a wrong password, so guessing is slow."""
MONITORING_PATH = "/monitoring"
UPLOAD_COMPONENTS = (
    "File",
    "UploadButton",
    "Image",
    "ImageEditor",
    "ImageSlider",
    "Audio",
    "Video",
    "Model3D",
    "MultimodalTextbox",
    "Gallery",
    "SimpleImage",
)
"""Gradio components through which a browser uploads files."""
REALM = "assistant-admin"

TOO_LARGE = (
    "请求太大（{size:.1f} MB，上限 {limit:.1f} MB）。问题请控制在 {chars} 字以内；文件请控制在 {file_mb:g} MB 以内。"
)
FILE_TOO_LARGE = "文件太大：单个文件请控制在 {file_mb:g} MB 以内（ASSISTANT_MAX_FILE_MB）。"
UPLOAD_OFF = "此页面不接受上传。"
UPLOAD_LOGIN = "上传文件需要先以工作人员身份登录。"
WRONG_PASSWORD = "密码不正确。"
NOT_FOUND = "Not Found"


def has_uploads(blocks: Any) -> bool:
    """Whether the page holds a component that uploads files."""
    return any(type(block).__name__ in UPLOAD_COMPONENTS for block in getattr(blocks, "blocks", {}).values())


def staff_token(password: str, expires: int) -> str:
    """The staff cookie's value: its expiry, signed with the admin password (changing it signs everyone out)."""
    signature = hmac.new(password.encode("utf-8"), f"staff-upload:{expires}".encode(), "sha256").hexdigest()
    return f"{expires}.{signature}"


def _cookies(headers: dict[bytes, bytes]) -> dict[str, str]:
    pairs = (part.strip().partition("=") for part in headers.get(b"cookie", b"").decode("latin-1").split(";"))
    return {name: value for name, _, value in pairs if name}


def admin_authorised(headers: dict[bytes, bytes], password: str, *, now: float | None = None) -> bool:
    """A valid, unexpired staff cookie, or HTTP Basic credentials carrying the admin password (any user
    name); compared in constant time."""
    if not password:
        return False
    cookie = _cookies(headers).get(STAFF_COOKIE, "")
    expires = cookie.partition(".")[0]
    if expires.isdigit() and int(expires) > (time.time() if now is None else now):
        if hmac.compare_digest(cookie.encode(), staff_token(password, int(expires)).encode()):
            return True
    scheme, _, encoded = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        _, _, given = base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return hmac.compare_digest(given.encode("utf-8"), password.encode("utf-8"))


@dataclass
class EdgeGuard:
    """ASGI middleware in front of Gradio: closes /monitoring, gates uploads, caps request bodies.

    Args:
        app: the Gradio (FastAPI) application.
        password: the admin password ("" when none is set).
        uploads_allowed: whether the page has an upload component (asked per request: the page is
            attached to the app after the middleware is built).
        max_body: largest body of an ordinary request, in bytes.
        max_file: largest uploaded file, in bytes (Gradio's ``max_file_size``; named in messages).
        max_upload: largest upload request, in bytes (several files at once).
        question_chars: the question limit, named in the 413 message.
    """

    app: Callable[..., Awaitable[None]]
    _: KW_ONLY
    password: str
    uploads_allowed: Callable[[], bool]
    max_body: int
    max_file: int
    max_upload: int
    question_chars: int

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"].rstrip("/") or "/"
        root = (scope.get("root_path") or "").rstrip("/")
        if root and path.startswith(root):
            path = path[len(root) :] or "/"
        headers = dict(scope.get("headers") or [])
        if path == STAFF_SESSION_PATH:
            await self._staff_session(scope, receive, send)
            return
        if path == MONITORING_PATH or path.startswith(MONITORING_PATH + "/"):
            await _respond(send, 404, NOT_FOUND)
            return
        upload = path in UPLOAD_PATHS
        if upload:
            if not (self.password and self.uploads_allowed()):
                await _respond(send, 403, UPLOAD_OFF)
                return
            if not admin_authorised(headers, self.password):
                await _respond(send, 401, UPLOAD_LOGIN, {"www-authenticate": f'Basic realm="{REALM}", charset="UTF-8"'})
                return
        limit = self.max_upload if upload else self.max_body
        if upload:
            send = self._file_limit_in_chinese(send)
        declared = headers.get(b"content-length", b"")
        if declared.isdigit():  # the HTTP server holds the body to this length
            if int(declared) > limit:
                await self._too_large(send, int(declared), limit)
                return
            await self.app(scope, receive, send)
            return
        if b"chunked" not in headers.get(b"transfer-encoding", b"").lower():
            await self.app(scope, receive, send)
            return
        chunks, size, more = [], 0, True  # a body of unknown length: read it up to the limit, then replay it
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
            if size > limit:
                await self._too_large(send, size, limit)
                return
        replay = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]

        async def replayed():
            return replay.pop() if replay else await receive()

        await self.app(scope, replayed, send)

    async def _staff_session(self, scope, receive, send) -> None:
        """POST the admin password (form field ``password``) to get the upload cookie; DELETE to drop it."""
        secure = "; Secure" if scope.get("scheme") == "https" else ""
        if scope["method"] == "DELETE":
            cookie = f"{STAFF_COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict{secure}"
            await _respond(send, 200, "已退出。", {"set-cookie": cookie}, key="message")
            return
        if scope["method"] != "POST" or not self.password:
            await _respond(send, 404, NOT_FOUND)
            return
        body = b""
        while len(body) <= 4096:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        given = parse_qs(body[:4096].decode("utf-8", "replace")).get("password", [""])[0]
        if not hmac.compare_digest(given.encode("utf-8"), self.password.encode("utf-8")):
            await asyncio.sleep(WRONG_PASSWORD_DELAY_S)
            await _respond(send, 403, WRONG_PASSWORD)
            return
        token = staff_token(self.password, int(time.time()) + STAFF_SESSION_SECONDS)
        cookie = f"{STAFF_COOKIE}={token}; Max-Age={STAFF_SESSION_SECONDS}; Path=/; HttpOnly; SameSite=Strict{secure}"
        await _respond(send, 200, "已登录。", {"set-cookie": cookie}, key="message")

    def _file_limit_in_chinese(self, send):
        """Gradio refuses a file over ``max_file_size`` with an English 413; the visitor reads Chinese."""
        replaced = False

        async def wrapped(message):
            nonlocal replaced
            if message["type"] == "http.response.start" and message["status"] == 413:
                replaced = True
                await _respond(send, 413, FILE_TOO_LARGE.format(file_mb=self.max_file / MEGABYTE))
            elif not replaced:
                await send(message)

        return wrapped

    async def _too_large(self, send, size: int, limit: int) -> None:
        message = TOO_LARGE.format(
            size=size / MEGABYTE, limit=limit / MEGABYTE, chars=self.question_chars, file_mb=self.max_file / MEGABYTE
        )
        await _respond(send, 413, message)


async def _respond(send, status: int, message: str, extra: dict[str, str] | None = None, *, key="error") -> None:
    body = json.dumps({key: message}, ensure_ascii=False).encode("utf-8")
    headers = [(b"content-type", b"application/json; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    headers += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in (extra or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
