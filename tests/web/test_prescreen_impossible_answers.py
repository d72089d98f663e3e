"""Impossible answers get a message beside the field (form), a 422 naming the field (API)
or an error naming it (CLI): never a verdict, and never the answer repeated back."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from typer.testing import CliRunner

from trialatlas.cli.main import app

NCT = "NCT06001853"
PAGE = f"/trials/{NCT}/prescreen"
API = f"/api/trials/{NCT}/prescreen"
FUTURE = (dt.date.today() + dt.timedelta(days=400)).strftime("%Y-%m")


def _questions(client: Any) -> list[dict[str, Any]]:
    body = client.get(API).json()
    return [q for group in body["groups"] for q in group["questions"]]


def _ids(client: Any) -> dict[str, str]:
    """Question ids of the seed trial: age, the back pain VAS, its onset date, a yes/no."""
    questions = _questions(client)
    vas = next(
        q for q in questions if q["answer_type"] == "number" and "30mm" in q["criterion_text"]
    )
    onset = next(q for q in questions if q["answer_type"] == "date")
    yes_no = next(q for q in questions if q["answer_type"] == "yes_no")
    return {"age": "age", "vas": vas["id"], "onset": onset["id"], "yes_no": yes_no["id"]}


# (question, answer sent, a word the message must hold); every answer is impossible
IMPOSSIBLE = [
    ("age", "abc", "age"),
    ("age", "200", "between 0 and 125 years"),
    ("age", "-3", "between 0 and 125 years"),
    ("vas", "150", "from 0 to 100 mm"),
    ("vas", "15 cm", "from 0 to 100 mm"),
    ("vas", "-4", "from 0 to 100 mm"),
    ("vas", "7 kg", "mm or cm"),
    ("onset", FUTURE, "in the future"),
    ("onset", "not a date 77", "year and month"),
    ("yes_no", "perhaps", "yes, no or not sure"),
]


@pytest.mark.parametrize(("which", "answer", "words"), IMPOSSIBLE)
def test_api_refuses_an_impossible_answer_naming_the_field(
    client: Any, which: str, answer: str, words: str
) -> None:
    qid = _ids(client)[which]
    response = client.post(API, json={"answers": {"age": "50"} | {qid: answer}})
    assert response.status_code == 422
    assert response.headers["cache-control"] == "no-store"
    error = response.json()["error"]
    assert error["code"] == "invalid_answer"
    assert error["message"].startswith(f"answers.{qid}: ")
    assert words in error["message"]
    assert answer not in response.text  # never echoed
    assert "verdicts" not in response.json()


def test_api_names_every_impossible_field_at_once(client: Any) -> None:
    ids = _ids(client)
    response = client.post(API, json={"answers": {"age": 200, ids["vas"]: 150}})
    message = response.json()["error"]["message"]
    assert response.status_code == 422
    assert "answers.age:" in message and f"answers.{ids['vas']}:" in message
    assert "200" not in message and "150" not in message


@pytest.mark.parametrize(
    ("which", "answer"),
    [
        ("age", "18"),
        ("age", "125"),
        ("vas", "100"),
        ("vas", "0"),
        ("vas", "6 cm"),
        ("onset", "2019-03"),
    ],
)
def test_possible_answers_at_the_edges_still_get_a_verdict(
    client: Any, which: str, answer: str
) -> None:
    qid = _ids(client)[which]
    response = client.post(API, json={"answers": {qid: answer}})
    assert response.status_code == 200, response.text
    assert response.json()["verdicts"]


def test_form_shows_the_message_beside_the_field_and_no_verdict(
    client: Any, parse_html: Callable[[str], Any]
) -> None:
    ids = _ids(client)
    sent = {"age": "200", ids["vas"]: "150", ids["onset"]: FUTURE, ids["yes_no"]: "no"}
    response = client.post(PAGE, data=sent)
    assert response.status_code == 422
    assert response.headers["cache-control"] == "no-store"
    page = parse_html(response.text)
    assert page.find_all(id="result") == []  # no verdict on impossible answers
    summary = page.find(id="answer-problems")
    assert summary.attrs.get("role") == "alert"
    links = [a.attrs.get("href") for a in summary.find_all("a")]
    assert sorted(links) == sorted(f"#in-{ids[k]}" for k in ("age", "vas", "onset"))
    for qid, words in (("age", "between 0 and 125"), (ids["vas"], "0 to 100 mm")):
        block = page.find(id=f"q-{qid}")
        assert words in block.find(id=f"err-{qid}").text
        field = block.find(id=f"in-{qid}")
        assert field.attrs.get("aria-invalid") == "true"
        assert f"err-{qid}" in field.attrs.get("aria-describedby", "").split()
    assert "in the future" in page.find(id=f"err-{ids['onset']}").text
    assert page.find_all(id=f"err-{ids['yes_no']}") == []  # a possible answer: no message
    # the messages never repeat the answers (the inputs keep them for correcting)
    for node in [*page.find_all(cls="question__error"), summary]:
        assert "200" not in node.text and "150" not in node.text and FUTURE not in node.text


def test_cli_refuses_an_impossible_answer_naming_the_field(seed_store_path: str) -> None:
    result = CliRunner().invoke(
        app,
        ["prescreen", NCT, "--db", seed_store_path, "--answers", "-"],
        input=json.dumps({"answers": {"age": 200}}),
    )
    assert result.exit_code == 2
    assert "answers.age: Give an age between 0 and 125 years." in result.output
    assert "200" not in result.output
    assert "NOT MET" not in result.output and "eligible" not in result.output.lower()
