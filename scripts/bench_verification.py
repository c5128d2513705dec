"""Overhead of checking an LLM reply sentence by sentence (target: at most 20 ms per answer).

Synthetic replies against real clauses of the bundled corpus: five clauses per answer, six sentences
per reply (three copied from the cited clauses, one with a changed figure, one uncited, one citing a
clause that was not given). Times ``verify`` on the whole reply, and the streamed path (``take_complete``
on 3-character pieces, then ``check_sentence``), evidence preparation included. Prints figures; asserts nothing.
"""

from __future__ import annotations

import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.citations import clause_citation  # noqa: E402
from assistant.llm import clause_source  # noqa: E402
from assistant.parsing import load_document  # noqa: E402
from assistant.text import SENTENCE_END  # noqa: E402
from assistant.verification import Source, check_sentence, has_content, prepare, take_complete, verify  # noqa: E402

ANSWERS = 400
CLAUSES_PER_ANSWER = 5
CHUNK_CHARS = 3


def corpus_sources() -> list[Source]:
    sources = []
    for path in sorted((ROOT / "corpus").glob("*.txt")):
        policy = load_document(path)
        for _, clause in policy.iter_clauses():
            if len(clause.full_text()) >= 20:
                sources.append(clause_source(policy, clause_citation(policy, clause)))
    return sources


def sentences_of(text: str) -> list[str]:
    text, parts, cursor = text.replace("\n", ""), [], 0
    for end in SENTENCE_END.finditer(text):
        parts.append(text[cursor : end.start()])
        cursor = end.end()
    return [part for part in [*parts, text[cursor:]] if len(part.strip()) > 4]


def synthetic_reply(rng: random.Random, sources: list[Source]) -> str:
    lines = []
    for _ in range(3):
        n = rng.randrange(len(sources)) + 1
        lines.append(f"{rng.choice(sentences_of(sources[n - 1].text) or ['文件没有规定'])}[{n}]。")
    n = rng.randrange(len(sources)) + 1
    sentence = rng.choice(sentences_of(sources[n - 1].text) or ["文件没有规定"])
    changed = re.sub(r"\d+", lambda m: str(int(m.group()) + 7), sentence, count=1)
    lines.append((changed if changed != sentence else sentence + "，补贴5000元") + f"[{n}]。")
    lines.append("社会组织可以申请补贴，具体标准请咨询当地民政部门。")
    lines.append(f"其他情况另行规定[{len(sources) + 2}]。")
    rng.shuffle(lines)
    return "\n".join(lines)


def streamed(reply: str, sources: list[Source]) -> int:
    evidence = [prepare(source) for source in sources]
    kept, buffer = 0, ""
    for start in range(0, len(reply), CHUNK_CHARS):
        done, buffer = take_complete(buffer + reply[start : start + CHUNK_CHARS])
        kept += sum(check_sentence(s, evidence).ok for s in done if has_content(s))
    done, _ = take_complete(buffer, final=True)
    return kept + sum(check_sentence(s, evidence).ok for s in done if has_content(s))


def report(name: str, seconds: list[float]) -> None:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[int(0.95 * (len(ms) - 1))]
    print(f"{name:<28} mean {statistics.mean(ms):6.2f} ms   p95 {p95:6.2f} ms   max {ms[-1]:6.2f} ms")


def main() -> None:
    rng = random.Random(20240601)
    pool = corpus_sources()
    answers = []
    for _ in range(ANSWERS):
        sources = rng.sample(pool, CLAUSES_PER_ANSWER)
        answers.append((synthetic_reply(rng, sources), sources))
    whole, stream, kept = [], [], []
    for reply, sources in answers:
        started = time.perf_counter()
        result = verify(reply, sources)
        whole.append(time.perf_counter() - started)
        started = time.perf_counter()
        streamed_kept = streamed(reply, sources)
        stream.append(time.perf_counter() - started)
        assert streamed_kept == len(result.kept), "the streamed path must keep what the whole-reply path keeps"
        kept.append(len(result.kept) / len(result.checks))
    chars = statistics.mean(len(r) + sum(len(s.text) for s in src) for r, src in answers)
    print(f"{ANSWERS} synthetic replies, {CLAUSES_PER_ANSWER} clauses each from {len(pool)} corpus clauses")
    print(
        f"(mean {chars:.0f} characters of reply and clauses per answer; {statistics.mean(kept):.0%} of sentences kept)"
    )
    report("verify (whole reply)", whole)
    report("streamed (3-char pieces)", stream)


if __name__ == "__main__":
    main()
