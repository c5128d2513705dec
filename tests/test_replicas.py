"""Two replicas answer from one `chroma run` server and one index folder; an ingest run elsewhere reaches
both through their manifest check, with no restart."""

import json
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest
from conftest import free_port, make_settings
from test_chroma_server import chroma_server  # noqa: F401 (the fixture)

from assistant.indexing import ingest

pytestmark = pytest.mark.slow

# A replica: the live chain of an IndexHolder (what a page built once is handed) answering GET /ask?q=…
# with the cited documents; this keeps the test independent of the web page.
REPLICA = """
import json, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from assistant.replicas import IndexHolder
from assistant.settings import Settings

chain = IndexHolder(Settings.from_env(), check_every=0.5).live_chain()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        question = parse_qs(urlparse(self.path).query).get("q", [""])[0]
        answer = chain.ask(question)
        body = json.dumps({
            "documents": sorted(chain.index.document_by_id),
            "cited": [c.doc_id for c in answer.citations],
            "answer": answer.answer,
        }).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
"""

FIRST = "某市民政局关于养老服务的通知\n一、要求\n(一)每个街道建设一个养老服务中心。\n(二)养老服务中心提供助餐服务。\n"
SECOND = "某市民政局关于社区社会组织的通知\n一、要求\n(一)社区社会组织可以备案。\n(二)备案由街道办理。\n"
THIRD = "某市民政局关于殡葬服务的通知\n一、要求\n(一)每个乡镇建设一处公益性公墓。\n(二)公益性公墓不得对外销售墓穴。\n"
QUESTION = "乡镇要建设公益性公墓吗？"


def ask(port: int, question: str) -> dict:
    url = f"http://127.0.0.1:{port}/ask?q={urllib.parse.quote(question)}"
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def wait_until_up(process: subprocess.Popen, port: int, deadline: float) -> None:
    while True:
        try:
            ask(port, "养老服务中心提供什么服务？")
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"replica on port {port} did not start")
            time.sleep(0.3)


def test_two_replicas_pick_up_an_ingest_run_elsewhere(tmp_path, chroma_server):  # noqa: F811
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "yanglao.txt").write_text(FIRST, "utf-8")
    (corpus / "shehui.txt").write_text(SECOND, "utf-8")
    settings = make_settings(tmp_path, corpus_dir=corpus, chroma_host="127.0.0.1", chroma_port=chroma_server)
    ingest(settings=settings)

    env = {
        **os.environ,
        "ASSISTANT_INDEX_DIR": str(settings.index_dir),
        "ASSISTANT_CORPUS_DIR": str(corpus),
        "ASSISTANT_DATA_DIR": str(tmp_path / "data"),
        "ASSISTANT_CHROMA_HOST": "127.0.0.1",
        "ASSISTANT_CHROMA_PORT": str(chroma_server),
    }
    ports = [free_port(), free_port()]
    replicas = [
        subprocess.Popen([sys.executable, "-c", REPLICA, str(port)], env=env, stderr=subprocess.DEVNULL)
        for port in ports
    ]
    try:
        deadline = time.monotonic() + 120
        for replica, port in zip(replicas, ports):
            wait_until_up(replica, port, deadline)
        for port in ports:
            assert ask(port, QUESTION)["documents"] == ["shehui", "yanglao"]

        (tmp_path / "later").mkdir()
        third = tmp_path / "later" / "binzang.txt"
        third.write_text(THIRD, "utf-8")
        ingest([third], settings=settings)  # elsewhere: the replicas are not told

        deadline = time.monotonic() + 30
        for port in ports:
            while "binzang" not in (reply := ask(port, QUESTION))["cited"]:
                assert time.monotonic() < deadline, f"replica on port {port} still answers from the old index: {reply}"
                time.sleep(0.2)
            assert "公益性公墓" in reply["answer"]
            assert reply["documents"] == ["binzang", "shehui", "yanglao"]
    finally:
        for replica in replicas:
            replica.terminate()
        for replica in replicas:
            replica.wait(timeout=20)
