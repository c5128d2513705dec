"""The records that cross modules, in one place to import them from.

Documents, clauses and chunks are defined in ``assistant.documents``; citations, turns, requests,
answers and the ``Answerer`` contract in ``assistant.answers``.
"""

from assistant.answers import ANSWER_KINDS, Answer, Answerer, AnswerRequest, Citation, Turn
from assistant.documents import (
    DOC_KINDS,
    IN_FORCE,
    SUPERSEDED,
    Chunk,
    ChunkMeta,
    Clause,
    PolicyDocument,
    RetrievalScores,
)

__all__ = [
    "ANSWER_KINDS",
    "DOC_KINDS",
    "IN_FORCE",
    "SUPERSEDED",
    "Answer",
    "AnswerRequest",
    "Answerer",
    "Chunk",
    "ChunkMeta",
    "Citation",
    "Clause",
    "PolicyDocument",
    "RetrievalScores",
    "Turn",
]
