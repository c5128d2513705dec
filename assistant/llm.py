"""Optional answers written by an LLM behind any OpenAI-compatible API, kept only where the cited clauses carry them.

Off by default: ``llm_enabled`` needs ``ASSISTANT_LLM_BASE_URL`` and ``ASSISTANT_LLM_MODEL`` (and the
``llm`` extra, ``pip install -e '.[llm]'``); ``use_llm`` switches a chain's retrieval route to it after
one start-up check. The model sees the retrieved clauses numbered [1]…[k] (``assistant.llm_prompt``)
and must mark every sentence with the clause it rests on; ``assistant.verification`` drops each
sentence it cannot verify. When too little survives, or the service fails (``assistant.llm_service``:
time-out, 429/5xx after the retries, a refused key, a malformed or empty reply), the question goes to
the fallback (extractive) answerer and the answer says so (``answerer == "llm→extractive"``).
Answering never raises because of the service, and the API key appears in no log, message or exception.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assistant.citations import source_line
from assistant.llm_prompt import NumberedClause, number_clauses, prompt_messages
from assistant.llm_prompt import clause_source as clause_source  # re-exported for scripts/bench_verification.py
from assistant.llm_service import (
    ServiceFailure,
    check_llm,
    chunk_text,
    chunk_usage,
    llm_enabled,
    make_client,
    stream_reply,
)
from assistant.reply import Sentence, has_content, replace_markers, take_complete
from assistant.settings import Settings
from assistant.types import Answer, Answerer, AnswerRequest, Citation, PolicyDocument
from assistant.verification import Evidence, SentenceCheck, Verification, check_sentence, prepare

if TYPE_CHECKING:
    from assistant.router import AnswerChain

logger = logging.getLogger(__name__)

LLM_ANSWERER = "llm"
FALLBACK_ANSWERER = "llm→extractive"


@dataclass
class _Draft:
    """The answer being assembled from verified sentences, in the order they were written."""

    numbered: list[NumberedClause]
    checks: list[SentenceCheck] = field(default_factory=list)
    pending: list[SentenceCheck] = field(default_factory=list)
    shown: list[SentenceCheck] = field(default_factory=list)
    pieces: list[str] = field(default_factory=list)
    usage: dict[str, int] = field(default_factory=dict)

    def add(self, check: SentenceCheck) -> None:
        self.checks.append(check)
        if check.ok:
            self.pending.append(check)
        else:
            logger.info("丢弃未通过核对的句子（%s）：%s", "；".join(check.problems), check.sentence.text)

    def flush(self) -> Iterator[str]:
        """The pending verified sentences as text, source marks replaced by short source tags."""
        for check in self.pending:
            text = replace_markers(check.sentence.text, self._tag)
            previous = self.shown[-1].sentence if self.shown else None
            piece = ("\n" if previous and previous.line_end else "") + text
            self.shown.append(check)
            self.pieces.append(piece)
            yield piece
        self.pending = []

    def _tag(self, number: int) -> str:
        citation = self.numbered[number - 1].citation
        return f"（《{citation.short_title or citation.doc_title}》{citation.reference or citation.clause}）"

    @property
    def citations(self) -> list[Citation]:
        """The clauses the shown sentences cite, in the order first cited."""
        order: list[int] = []
        for check in self.shown:
            order.extend(n for n in check.cited if n not in order)
        return [self.numbered[n - 1].citation for n in order]

    def sources_block(self) -> str:
        return "\n\n" + "\n".join(source_line(citation) for citation in self.citations)


class LLMAnswerer:
    """Answers with an LLM from the retrieved clauses; only sentences verified against them reach the user.

    Args:
        documents_by_id: the library's documents, to cite a retrieved chunk's whole clause.
        settings: ``llm_base_url``, ``llm_model``, ``llm_api_key``, ``llm_timeout``.
        fallback: the answerer used when the LLM fails or too little of its reply survives (extractive).
        client: a LangChain chat model; by default ``make_client(settings)``.
        retry_delays: seconds to wait before each retry of a 429 or 5xx, while an answer can still start
            within ``llm_timeout``.
        min_kept: fewest verified sentences that make an answer.
        min_kept_ratio: smallest share of the reply's sentences that must survive.
        history_turns: how many earlier exchanges the model sees.
        on_text: called with each piece of the answer text as ``stream`` would yield it, while a call
            (``__call__``) is answered: a console prints the verified sentences as they come.
    """

    def __init__(
        self,
        documents_by_id: dict[str, PolicyDocument],
        *,
        settings: Settings,
        fallback: Answerer,
        client: Any = None,
        retry_delays: Sequence[float] = (0.5, 1.0, 2.0),
        min_kept: int = 1,
        min_kept_ratio: float = 0.4,
        history_turns: int = 3,
        on_text: Callable[[str], None] | None = None,
    ) -> None:
        self.documents_by_id = documents_by_id
        self.fallback = fallback
        self.client = client if client is not None else make_client(settings)
        self.timeout = settings.llm_timeout
        self.retry_delays = tuple(retry_delays)
        self.min_kept = min_kept
        self.min_kept_ratio = min_kept_ratio
        self.history_turns = history_turns
        self.on_text = on_text

    def __call__(self, request: AnswerRequest) -> Answer:
        """The whole answer at once: verified sentences, or the fallback's answer. Never raises for the service."""
        run = self._run(request, incremental=self.on_text is not None)
        while True:
            try:
                piece = next(run)
            except StopIteration as done:
                return done.value
            if self.on_text is not None:
                self.on_text(piece)

    def stream(self, request: AnswerRequest) -> Generator[str, None, Answer]:
        """The answer text in pieces, each verified sentence as soon as it is complete, then the source lines.

        When nothing verified comes, the fallback's whole answer text is the one piece. The generator's
        return value (``yield from`` or ``StopIteration.value``) is the ``Answer``, whose ``answer`` is
        the pieces joined. A sentence already shown stays shown, so a stream holds sentences back until
        enough of what came so far is verified (``min_kept``, ``min_kept_ratio``).
        """
        return self._run(request, incremental=True)

    def _run(self, request: AnswerRequest, *, incremental: bool) -> Generator[str, None, Answer]:
        numbered = number_clauses(request.documents, self.documents_by_id)
        if not numbered:
            return (yield from self._fall_back(request, "没有可引用的条款", {}))
        evidence = [prepare(item.source) for item in numbered]
        draft = _Draft(numbered)
        buffer, failure = "", ""
        prompt = prompt_messages(request, numbered, history_turns=self.history_turns)
        try:
            for chunk in stream_reply(self.client, prompt, timeout=self.timeout, retry_delays=self.retry_delays):
                draft.usage = chunk_usage(chunk) or draft.usage
                sentences, buffer = take_complete(buffer + chunk_text(chunk))
                self._check(draft, sentences, evidence)
                if incremental and (draft.shown or self._enough(draft)):
                    yield from draft.flush()
        except ServiceFailure as error:
            failure = error.reason
        else:
            self._check(draft, take_complete(buffer, final=True)[0], evidence)
        if not draft.shown and not (self._enough(draft) and not failure):
            reason = failure or (
                "空回复" if not draft.checks else f"{len(draft.pending)}/{len(draft.checks)} 句通过核对"
            )
            return (yield from self._fall_back(request, reason, draft.usage))
        if failure:
            logger.warning("大模型回复中断（%s）；保留已显示的 %d 句", failure, len(draft.shown))
        yield from draft.flush()
        closing = draft.sources_block()
        draft.pieces.append(closing)
        yield closing
        return Answer(
            request.question,
            "".join(draft.pieces),
            True,
            draft.citations,
            request.audience,
            kind="retrieval",
            answerer=LLM_ANSWERER,
            usage=draft.usage,
        )

    def _check(self, draft: _Draft, sentences: list[Sentence], evidence: list[Evidence]) -> None:
        for sentence in sentences:
            if has_content(sentence):
                draft.add(check_sentence(sentence, evidence))

    def _enough(self, draft: _Draft) -> bool:
        return Verification(tuple(draft.checks)).sufficient(min_kept=self.min_kept, min_kept_ratio=self.min_kept_ratio)

    def _fall_back(self, request: AnswerRequest, reason: str, usage: dict[str, int]) -> Generator[str, None, Answer]:
        logger.warning("大模型回答不可用（%s），改用摘录式回答", reason)
        answer = dataclasses.replace(self.fallback(request), answerer=FALLBACK_ANSWERER, usage=usage)
        yield answer.answer
        return answer


def use_llm(chain: AnswerChain, settings: Settings, *, on_text: Callable[[str], None] | None = None) -> str | None:
    """Switch a chain's retrieval route to LLM answers, its own answerer (extractive) kept as the fallback,
    once the service has answered the start-up check (``check_llm``).

    Returns:
        None when the LLM answers from now on, or when none is configured; otherwise what to fix, in
        Chinese (the key never in it), and the chain answers as before.
    """
    problem = check_llm(settings)
    if problem is None and llm_enabled(settings):
        chain.answerer = LLMAnswerer(chain.library.by_id, settings=settings, fallback=chain.answerer, on_text=on_text)
    return problem
