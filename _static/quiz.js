// Self-check questions (russia_iran/quiz.py writes them): hash the reader's answer the way the
// build did and show the feedback sealed with that answer. Nothing here knows the answers.
(function () {
  "use strict";
  const encoder = new TextEncoder();

  const sha256 = async (bytes) => new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const digest = async (salt, id, text) =>
    Array.from(await sha256(encoder.encode(`${salt}\n${id}\n${text}`)), (b) => b.toString(16).padStart(2, "0")).join("");

  async function unseal(salt, id, text, sealed) {
    const key = await sha256(encoder.encode(`key\n${salt}\n${id}\n${text}`));
    const data = Uint8Array.from(atob(sealed), (c) => c.charCodeAt(0));
    const out = new Uint8Array(data.length);
    for (let start = 0; start < data.length; start += 32) {
      const block = new Uint8Array(36);
      block.set(key);
      new DataView(block.buffer).setUint32(32, start / 32);
      const stream = await sha256(block);
      for (let j = 0; j < 32 && start + j < data.length; j++) out[start + j] = data[start + j] ^ stream[j];
    }
    return new TextDecoder().decode(out);
  }

  // The reader's answer as the build wrote it, or a message saying what to fix.
  function answerOf(form, q) {
    if (q.kind === "choice") {
      const picked = form.querySelector("input[type=radio]:checked");
      return picked ? { text: picked.value } : { problem: "Choose one of the answers first." };
    }
    if (q.kind === "number") {
      const raw = form.querySelector("input").value.trim().replace(",", ".");
      const value = Number(raw);
      if (raw === "" || !Number.isFinite(value)) return { problem: "Type a number, such as 12 or 3.5." };
      return { text: value.toFixed(q.decimals) };
    }
    const selects = Array.from(form.querySelectorAll("select"));
    const positions = selects.map((s) => s.value);
    if (positions.includes("") || new Set(positions).size !== positions.length) {
      return { problem: "Give every item a different position, from 1 (earliest) upwards." };
    }
    const ordered = selects.slice().sort((a, b) => Number(a.value) - Number(b.value));
    return { text: ordered.map((s) => s.dataset.item).join(",") };
  }

  async function check(form) {
    const q = JSON.parse(form.dataset.quiz);
    const feedback = form.querySelector(".ri-quiz-feedback");
    if (!window.crypto || !crypto.subtle) {
      feedback.textContent = "Your browser cannot check answers on this page (it needs a secure https page).";
      return;
    }
    const answer = answerOf(form, q);
    if (answer.problem) {
      feedback.textContent = answer.problem;
      form.dataset.state = "problem";
      return;
    }
    const hash = await digest(q.salt, q.id, answer.text);
    const sealed = q.notes[hash];
    feedback.textContent = sealed ? await unseal(q.salt, q.id, answer.text, sealed) : q.hint;
    form.dataset.state = hash === q.right ? "right" : "not-yet";
  }

  document.addEventListener("submit", (event) => {
    const form = event.target.closest(".ri-quiz-question");
    if (!form) return;
    event.preventDefault();
    check(form);
  });
})();
