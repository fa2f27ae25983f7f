"""Self-check quizzes that answer back on the published page, with no kernel and no answer in its source.

A chapter writes ``{quiz} 01_history`` where its questions should appear; the questions, with
their answers and the feedback for each answer, are kept in ``chapters/quizzes/01_history.yml``,
which is not part of the book's sources (so the page's "download source" menu cannot leak it).
The page receives, for each question, the salted SHA-256 digest of the right answer and the
feedback for each answer *sealed with that answer*: a reader sees a piece of feedback only by
giving the answer it belongs to. ``_static/quiz.js`` does the same hashing in the browser
(Web Crypto). See meta/adrs/0001-self-check-quizzes.md for why not jupyterquiz.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from pathlib import Path

import yaml
from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from .paths import ROOT

QUIZ_DIR = ROOT / "chapters" / "quizzes"
KINDS = ("choice", "number", "order")


class QuizError(ValueError):
    """A quiz file that cannot be turned into questions, with the reason."""


def canonical(question: dict, answer) -> str:
    """The text an answer is compared by (choice: its letter; number: fixed decimals; order: ids)."""
    kind = question["kind"]
    if kind == "choice":
        return str(answer).strip().upper()
    if kind == "number":
        return f"{float(answer):.{int(question.get('decimals', 0))}f}"
    return ",".join(str(a) for a in answer)


def digest(salt: str, qid: str, text: str) -> str:
    return hashlib.sha256(f"{salt}\n{qid}\n{text}".encode()).hexdigest()


def seal(salt: str, qid: str, text: str, message: str) -> str:
    """``message`` XOR a SHA-256 key stream derived from the answer ``text`` (base64)."""
    key = hashlib.sha256(f"key\n{salt}\n{qid}\n{text}".encode()).digest()
    data = message.encode()
    stream = b"".join(hashlib.sha256(key + i.to_bytes(4, "big")).digest() for i in range(len(data) // 32 + 1))
    return base64.b64encode(bytes(a ^ b for a, b in zip(data, stream))).decode()


def load(name: str, folder: Path = QUIZ_DIR) -> dict:
    path = folder / f"{name}.yml"
    try:
        quiz = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise QuizError(f"cannot read {path}: {e}") from None
    problems = check(quiz)
    if problems:
        raise QuizError(f"{path.name}: " + "; ".join(problems))
    return quiz


def check(quiz) -> list[str]:
    """What is wrong with a quiz file (empty when it can be published)."""
    if not isinstance(quiz, dict) or not isinstance(quiz.get("questions"), list) or not quiz.get("salt"):
        return ["a quiz needs a salt and a list of questions"]
    problems, seen = [], set()
    for n, q in enumerate(quiz["questions"], 1):
        qid = q.get("id") if isinstance(q, dict) else None
        if not qid or qid in seen:
            problems.append(f"question {n} needs a unique id")
            continue
        seen.add(qid)
        if q.get("kind") not in KINDS or not q.get("prompt") or "answer" not in q:
            problems.append(f"{qid}: needs a kind ({', '.join(KINDS)}), a prompt and an answer")
            continue
        entries = q.get("options" if q["kind"] == "choice" else "items", [])
        if q["kind"] != "number" and not all(isinstance(e, dict) and set(e) == {"id", "text"}
                                             and isinstance(e["text"], str) for e in entries):
            problems.append(f"{qid}: every option or item needs exactly an id and a text (quote texts with commas)")
            continue
        if q["kind"] == "choice":
            letters = [o.get("id") for o in q.get("options", [])]
            if str(q["answer"]) not in letters or any(o.get("id") not in q.get("why", {}) for o in q["options"]):
                problems.append(f"{qid}: the answer must be one of the options, and every option needs a 'why'")
        if q["kind"] == "order" and sorted(q["answer"]) != sorted(i.get("id") for i in q.get("items", [])):
            problems.append(f"{qid}: the answer must list every item once")
        if not q.get("hint") or not q.get("explanation"):
            problems.append(f"{qid}: needs a hint (shown for any answer not yet right) and an explanation")
    return problems


def page_data(quiz: dict, question: dict) -> dict:
    """What the page gets for one question: no answer and no feedback in clear."""
    salt, qid = quiz["salt"], question["id"]
    right = canonical(question, question["answer"])
    notes = {digest(salt, qid, right): seal(salt, qid, right, "Right. " + question["explanation"])}
    for letter, why in (question.get("why") or {}).items():
        if str(letter) != str(question["answer"]):
            text = canonical(question, letter)
            notes[digest(salt, qid, text)] = seal(salt, qid, text, "Not yet. " + why)
    for value, why in (question.get("wrong") or {}).items():  # known wrong numbers
        text = canonical(question, value)
        notes[digest(salt, qid, text)] = seal(salt, qid, text, "Not yet. " + why)
    return {"salt": salt, "id": qid, "kind": question["kind"], "decimals": int(question.get("decimals", 0)),
            "right": digest(salt, qid, right), "notes": notes, "hint": "Not yet. " + question["hint"]}


def _choice(qid: str, question: dict) -> str:
    rows = "".join(
        f'<div class="ri-quiz-option"><input type="radio" name="{qid}" id="{qid}-{o["id"]}" value="{o["id"]}">'
        f'<label for="{qid}-{o["id"]}"><span class="ri-quiz-letter">{o["id"]}.</span> {html.escape(o["text"])}</label></div>'
        for o in question["options"])
    return rows


def _number(qid: str, question: dict) -> str:
    unit = html.escape(question.get("unit", ""))
    return (f'<label for="{qid}-value">Your answer{f" ({unit})" if unit else ""}: </label>'
            f'<input type="text" inputmode="decimal" id="{qid}-value" name="{qid}" autocomplete="off" size="10">')


def _order(qid: str, question: dict) -> str:
    n = len(question["items"])
    options = "".join(f'<option value="{i}">{i}</option>' for i in range(1, n + 1))
    return "".join(
        f'<div class="ri-quiz-option"><select id="{qid}-{i["id"]}" name="{qid}" data-item="{i["id"]}">'
        f'<option value="">–</option>{options}</select> <label for="{qid}-{i["id"]}">{html.escape(i["text"])}</label></div>'
        for i in question["items"])


def question_html(quiz: dict, number: int, question: dict) -> str:
    qid = f"quiz-{quiz['name']}-{question['id']}"
    body = {"choice": _choice, "number": _number, "order": _order}[question["kind"]](qid, question)
    data = html.escape(json.dumps(page_data(quiz, question)), quote=True)
    return (f'<form class="ri-quiz-question" data-quiz="{data}" novalidate>'
            f'<fieldset><legend><span class="ri-quiz-number">Question {number}.</span> '
            f'{html.escape(question["prompt"])}</legend>{body}</fieldset>'
            f'<button type="submit" class="ri-quiz-check">Check</button>'
            f'<p class="ri-quiz-feedback" role="status" aria-live="polite"></p></form>')


def quiz_html(name: str, folder: Path = QUIZ_DIR) -> str:
    quiz = load(name, folder)
    quiz["name"] = name
    questions = "".join(question_html(quiz, n, q) for n, q in enumerate(quiz["questions"], 1))
    return (f'<section class="ri-quiz" aria-label="Self-check questions">'
            f'<noscript>These questions check your answers with JavaScript, which is switched off.</noscript>'
            f'{questions}</section>')


class QuizDirective(SphinxDirective):
    """``{quiz} NAME``: the questions of chapters/quizzes/NAME.yml, checked in the browser."""

    required_arguments = 1

    def run(self):
        name = self.arguments[0]
        self.env.note_dependency(str(QUIZ_DIR / f"{name}.yml"))
        try:
            markup = quiz_html(name)
        except QuizError as e:
            raise self.error(str(e)) from None
        return [nodes.raw("", markup, format="html")]
