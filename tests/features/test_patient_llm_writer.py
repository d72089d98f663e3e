"""The optional LLM writer against a local fake OpenAI-compatible server (no network)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from trialatlas.features.patient_summary import PatientSummary, patient_summary
from trialatlas.features.patient_summary.llm_writer import LlmWriter, check_answer, summary_writer
from trialatlas.settings import Settings
from trialatlas.store import open_store

SEED = "NCT06001853"
Reply = Callable[[dict[str, Any]], tuple[int, str]]


class FakeChat:
    """A tiny ``/v1/chat/completions`` server on 127.0.0.1; ``reply`` decides each answer."""

    def __init__(self) -> None:
        self.reply: Reply = lambda body: (500, "no reply set")
        self.requests: list[dict[str, Any]] = []
        self.delay_s = 0.0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length))
                fake.requests.append({"path": self.path, "body": body})
                time.sleep(fake.delay_s)
                status, content = fake.reply(body)
                payload = json.dumps(
                    {"choices": [{"message": {"role": "assistant", "content": content}}]}
                )
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(payload.encode())

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"


@pytest.fixture
def fake_chat() -> Iterator[FakeChat]:
    fake = FakeChat()
    fake.thread.start()
    try:
        yield fake
    finally:
        fake.server.shutdown()
        fake.server.server_close()


@pytest.fixture(scope="module")
def seed_parts(seed_store_path: str) -> Iterator[tuple[Any, Any]]:
    store = open_store(seed_store_path)
    study = store.get_study(SEED)
    assert study is not None
    yield store, study
    store.close()


def facts_of(body: dict[str, Any]) -> dict[str, list[str]]:
    return json.loads(body["messages"][1]["content"])["facts"]


def plain_rewrite(body: dict[str, Any]) -> tuple[int, str]:
    """A well-behaved model: short plain text from the facts only."""
    facts = facts_of(body)
    return 200, json.dumps({key: "In short: " + " ".join(texts) for key, texts in facts.items()})


def test_writer_is_used_when_configured(fake_chat: FakeChat, seed_parts: tuple[Any, Any]) -> None:
    store, study = seed_parts
    fake_chat.reply = plain_rewrite
    rules = patient_summary(store, study)
    written = patient_summary(store, study, LlmWriter(fake_chat.base_url, "tiny-model"))
    assert written.writer == "llm"
    assert all(a.writer == "llm" for a in written.answers)
    medications = next(a for a in written.answers if a.id == "medications")
    assert medications.sentences[0].text.startswith("In short:")
    assert medications.sentences[0].sources == ["eligibility.criteria_text"]
    assert written.readability.words > rules.readability.words  # recomputed
    request = fake_chat.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["body"]["model"] == "tiny-model"
    sent = facts_of(request["body"])
    assert list(sent) == ["purpose", "medications", "evidence", "safety", "differences"]
    assert sent["medications"] == [s.text for s in rules.answers[1].sentences]  # only the facts


def test_garbage_falls_back_to_the_rule_based_answers(
    fake_chat: FakeChat, seed_parts: tuple[Any, Any]
) -> None:
    store, study = seed_parts
    fake_chat.reply = lambda body: (200, "Sure! Here is a nice answer without any JSON.")
    rules = patient_summary(store, study)
    written = patient_summary(store, study, LlmWriter(fake_chat.base_url))
    assert written == rules
    assert written.writer == "rules"


def test_an_answer_with_a_new_number_is_rejected_alone(
    fake_chat: FakeChat, seed_parts: tuple[Any, Any]
) -> None:
    store, study = seed_parts

    def invents(body: dict[str, Any]) -> tuple[int, str]:
        replies = json.loads(plain_rewrite(body)[1])
        replies["purpose"] = "This study has 99 people in it."
        replies["safety"] = "<b>Safe!</b>"
        return 200, json.dumps(replies)

    fake_chat.reply = invents
    rules = patient_summary(store, study)
    written = patient_summary(store, study, LlmWriter(fake_chat.base_url))
    by_id = {a.id: a for a in written.answers}
    assert by_id["purpose"] == rules.answers[0]
    assert by_id["safety"] == rules.answers[3]
    assert by_id["medications"].writer == "llm"


@pytest.mark.parametrize("failure", ["http_error", "timeout"])
def test_server_failures_fall_back(
    fake_chat: FakeChat, seed_parts: tuple[Any, Any], failure: str
) -> None:
    store, study = seed_parts
    if failure == "http_error":
        fake_chat.reply = lambda body: (503, "overloaded")
    else:
        fake_chat.reply = plain_rewrite
        fake_chat.delay_s = 1.0
    written = patient_summary(store, study, LlmWriter(fake_chat.base_url, timeout_s=0.2))
    assert written == patient_summary(store, study)


def test_nothing_listening_falls_back(seed_parts: tuple[Any, Any]) -> None:
    store, study = seed_parts
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    written = patient_summary(store, study, LlmWriter(f"http://127.0.0.1:{port}/v1", timeout_s=1))
    assert written.writer == "rules"


def test_check_answer_rules() -> None:
    facts = ["You cannot join if you took it within 3 months.", "Please talk with the trial team."]
    assert check_answer("Ask the trial team. Not within 3 months.", facts)
    assert check_answer("Ask the trial team. Not within 4 months.", facts) is None  # new number
    assert check_answer("Not within 3 months.", facts) is None  # dropped the trial-team reminder
    assert check_answer("See https://example.org, trial team.", facts) is None  # a link
    assert check_answer(42, facts) is None
    assert check_answer("   ", facts) is None


def test_no_writer_without_a_configured_endpoint() -> None:
    assert summary_writer(Settings()) is None
    writer = summary_writer(Settings(llm_base_url="http://127.0.0.1:9/v1/", llm_model="m"))
    assert isinstance(writer, LlmWriter) and writer.url == "http://127.0.0.1:9/v1/chat/completions"


def test_the_patient_page_uses_the_configured_writer(
    fake_chat: FakeChat, seed_store_path: str
) -> None:
    from fastapi.testclient import TestClient

    from trialatlas.web.app import create_app

    fake_chat.reply = plain_rewrite
    settings = Settings(db_url=seed_store_path, llm_base_url=fake_chat.base_url, llm_model="tiny")
    with TestClient(create_app(settings)) as client:
        html = client.get(f"/trials/{SEED}").text
    assert "In short:" in html
    assert "Rewritten in plain words by a language model" in html


def test_summary_is_unchanged_without_writer(seed_parts: tuple[Any, Any]) -> None:
    store, study = seed_parts
    summary: PatientSummary = patient_summary(store, study)
    assert summary.writer == "rules" and all(a.writer == "rules" for a in summary.answers)
