"""Optional writer: an OpenAI-compatible chat endpoint rewrites the answers from the same facts.

Only the rule-based answers' sentences are sent (the facts), never a patient's
data; the reply must be a JSON object with one plain-text answer per question id.
Each answer is checked before it is used: not empty, not much longer than its
facts, no markup or links, no number that is not in the facts, the "trial team"
reminder kept when the facts have it, and a reading grade no worse than
``max(8, grade of the facts + 0.5)``. Anything else (a timeout, an HTTP error, a reply
that is not JSON) keeps the rule-based answer: the deterministic writer is the
default and the fallback. Configure with ``Settings.llm_base_url`` (the base URL
that ``/chat/completions`` is appended to, e.g. ``http://127.0.0.1:8080/v1``) and
``Settings.llm_model``; nothing is called unless the URL is set.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import httpx

from trialatlas.features.patient_summary.model import Answer, PatientSummary, Sentence
from trialatlas.features.patient_summary.prose import split_sentences
from trialatlas.features.patient_summary.readability import fk_grade, text_stats
from trialatlas.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 20.0
MAX_GRADE = 8.0
GRADE_SLACK = 0.5  # a rewrite may read a little harder than the facts, never above grade 8 + slack
SYSTEM_PROMPT = (
    "You rewrite answers about a clinical trial for patients. Use ONLY the facts given for "
    "each answer. Do not add facts, numbers, advice, names or links. Keep every number as it "
    "is. Keep any reminder to talk with the trial team. Write short, plain sentences that a "
    "12-year-old can read (grade 8 or lower). Reply with one JSON object only: the same keys "
    "as the facts, each with the rewritten answer as plain text."
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_MARKUP = re.compile(r"<[A-Za-z/!]|https?://|\bwww\.|\[[^\]]*\]\(", re.IGNORECASE)
_KEPT_PHRASES = ("trial team",)


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "").rstrip(".") for n in _NUMBER.findall(text)}


def check_answer(reply: Any, facts: list[str]) -> str | None:
    """The reply as clean text when it may replace the facts, else None (see module doc)."""
    if not isinstance(reply, str):
        return None
    text = " ".join(reply.split())
    facts_text = " ".join(facts)
    if not text or len(text) > max(600, 3 * len(facts_text)):
        return None
    if _MARKUP.search(text):
        return None
    if not _numbers(text) <= _numbers(facts_text):
        return None
    for phrase in _KEPT_PHRASES:
        if phrase in facts_text.lower() and phrase not in text.lower():
            return None
    if fk_grade([text]) > max(MAX_GRADE, fk_grade([facts_text]) + GRADE_SLACK):
        return None
    return text


class LlmWriter:
    """Rewrites a summary's answers through an OpenAI-compatible ``/chat/completions`` endpoint."""

    def __init__(
        self,
        base_url: str,
        model: str | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model or "default"
        self.timeout_s = timeout_s
        self.transport = transport

    def _ask(self, facts: dict[str, list[str]]) -> dict[str, Any]:
        body = {
            "model": self.model,
            "temperature": 0,
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": json.dumps({"facts": facts}, ensure_ascii=False)},
            ],
        }
        with httpx.Client(timeout=self.timeout_s, transport=self.transport) as client:
            response = client.post(self.url, json=body)
            response.raise_for_status()
            content = response.json()["choices"][0]["message"]["content"]
        start, end = content.find("{"), content.rfind("}")
        if start < 0 or end <= start:
            raise ValueError("the reply holds no JSON object")
        parsed = json.loads(content[start : end + 1])
        if not isinstance(parsed, dict):
            raise ValueError("the reply is not a JSON object")
        return parsed

    def rewrite(self, summary: PatientSummary) -> PatientSummary:
        """The summary with each answer rewritten when the reply passes the checks."""
        facts = {a.id: [s.text for s in a.sentences] for a in summary.answers}
        try:
            reply = self._ask(facts)
        except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as exc:
            log.warning(
                "answer writer unavailable (%s); using the rule-based answers", type(exc).__name__
            )
            return summary
        answers = [self._rewritten(a, reply.get(a.id)) for a in summary.answers]
        if all(a.writer == "rules" for a in answers):
            return summary
        updated = summary.model_copy(update={"answers": answers, "writer": "llm"})
        stats = text_stats(s.text for s in updated.sentences())
        updated.readability = updated.readability.model_copy(
            update={
                "grade": round(stats.grade, 1),
                "words": stats.words,
                "sentences": stats.sentences,
                "syllables": stats.syllables,
            }
        )
        return updated

    @staticmethod
    def _rewritten(answer: Answer, reply: Any) -> Answer:
        facts = [s.text for s in answer.sentences]
        text = check_answer(reply, facts)
        if text is None:
            return answer
        sources = list(dict.fromkeys(src for s in answer.sentences for src in s.sources))
        sentences = [Sentence(text=t, sources=sources) for t in split_sentences(text)]
        if not sentences:
            return answer
        return answer.model_copy(update={"sentences": sentences, "writer": "llm"})


def summary_writer(settings: Settings, timeout_s: float = DEFAULT_TIMEOUT_S) -> LlmWriter | None:
    """The configured writer, or None (rule-based answers) when no endpoint is set."""
    if not settings.llm_base_url:
        return None
    return LlmWriter(settings.llm_base_url, settings.llm_model, timeout_s)
