"""Self-check quizzes: every chapter has one, answers are checked in the page, none is in its source."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from russia_iran import quiz
from russia_iran.paths import ROOT

CHAPTERS = sorted(p.stem for p in (ROOT / "chapters").glob("0*.md"))


def unseal(salt, qid, text, sealed):
    """The browser's unsealing (_static/quiz.js), in Python."""
    key = hashlib.sha256(f"key\n{salt}\n{qid}\n{text}".encode()).digest()
    data = base64.b64decode(sealed)
    stream = b"".join(hashlib.sha256(key + i.to_bytes(4, "big")).digest() for i in range(len(data) // 32 + 1))
    return bytes(a ^ b for a, b in zip(data, stream)).decode()


def feedback(quiz_file, question, answer) -> str:
    data = quiz.page_data(quiz_file, question)
    text = quiz.canonical(question, answer)
    note = data["notes"].get(quiz.digest(data["salt"], data["id"], text))
    return unseal(data["salt"], data["id"], text, note) if note else data["hint"]


def objectives(chapter: str) -> int:
    text = (ROOT / "chapters" / f"{chapter}.md").read_text(encoding="utf-8")
    block = text.split("## Learning objectives", 1)[1].split("\n## ", 1)[0]
    return len(re.findall(r"^\d+\. ", block, re.M))


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_chapter_shows_a_quiz_of_six_questions_on_its_objectives(chapter):
    text = (ROOT / "chapters" / f"{chapter}.md").read_text(encoding="utf-8")
    assert f"```{{quiz}} {chapter}\n```" in text
    questions = quiz.load(chapter)["questions"]
    assert len(questions) >= 6
    assert {q["kind"] for q in questions} >= {"choice", "order"}
    assert all(1 <= q["objective"] <= objectives(chapter) for q in questions)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_right_answers_say_right_and_wrong_ones_not_yet(chapter):
    quiz_file = quiz.load(chapter)
    for q in quiz_file["questions"]:
        assert feedback(quiz_file, q, q["answer"]).startswith("Right.")
        if q["kind"] == "choice":
            wrong = [o["id"] for o in q["options"] if o["id"] != q["answer"]]
        elif q["kind"] == "number":
            wrong = [q["answer"] + 5, *q.get("wrong", {})]
        else:
            wrong = [list(reversed(q["answer"])), q["answer"][1:] + q["answer"][:1]]
        for answer in wrong:
            assert feedback(quiz_file, q, answer).startswith("Not yet."), (q["id"], answer)


def test_numbers_are_compared_to_the_question_s_decimals():
    question = {"kind": "number", "decimals": 0, "answer": 7}
    assert quiz.canonical(question, 6.6) == quiz.canonical(question, "7") == "7"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_page_holds_no_answer_and_no_feedback_in_clear(chapter):
    markup = quiz.quiz_html(chapter)
    for q in quiz.load(chapter)["questions"]:
        assert q["explanation"] not in markup
        assert all(why not in markup for why in (q.get("why") or {}).values())
        assert '"answer"' not in markup
    # the quiz files are not book sources, so "download source" cannot leak them
    assert not list((ROOT / "_build" / "html" / "_sources").glob("**/*.yml"))


def test_a_broken_quiz_file_is_reported_by_name(tmp_path):
    (tmp_path / "bad.yml").write_text("salt: s\nquestions:\n  - id: q\n    kind: choice\n    prompt: P\n"
                                      "    options: [{id: A, text: a}]\n    answer: B\n", encoding="utf-8")
    with pytest.raises(quiz.QuizError, match="bad.yml.*answer must be one of the options"):
        quiz.load("bad", tmp_path)
    (tmp_path / "unreadable.yml").write_text("salt: [", encoding="utf-8")
    with pytest.raises(quiz.QuizError, match="cannot read"):
        quiz.load("unreadable", tmp_path)
