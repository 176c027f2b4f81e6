// Public chat with the control room: poll for new messages and send without reloading the page.
// The token goes in a header (never a cookie), as the JSON API expects.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const list = document.getElementById("messages");
  const form = document.getElementById("chat-form");
  if (!list || !form) return;
  const token = list.dataset.token;
  const waiting = document.getElementById("waiting");
  const lang = document.documentElement.lang || "en";
  const headers = { "X-Verification-Token": token };
  let after = 0;
  for (const item of list.querySelectorAll("li[data-id]")) after = Math.max(after, Number(item.dataset.id));

  function show(message) {
    if (list.querySelector(`li[data-id="${message.id}"]`)) return;
    const item = document.createElement("li");
    item.className = message.sender;
    item.dataset.id = String(message.id);
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = message.sender === "public" ? list.dataset.you : list.dataset.them;
    const at = document.createElement("time");
    at.dateTime = message.at;
    at.textContent = clock(message.at);
    const body = document.createElement("span");
    body.className = "body";
    body.textContent = message.body;
    item.append(who, " ", at, " ", body);
    list.append(item);
    after = Math.max(after, message.id);
    // Waiting after one's own message, until the control room answers.
    if (waiting) waiting.hidden = message.sender !== "public";
  }

  // The phone's own wall clock, as the page's language writes it (21:05, 21 h 05).
  function clock(iso) {
    const text = new Date(iso).toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    return lang === "fr" ? text.replace(":", " h ") : text;
  }

  async function poll() {
    try {
      const response = await fetch(`/api/v1/chat/messages?after=${after}`, { headers, credentials: "omit" });
      if (response.ok) (await response.json()).messages.forEach(show);
    } catch (_) { /* offline for a moment: the next poll tries again */ }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = form.elements.body.value.trim();
    if (!text) return;
    const clientId = crypto.randomUUID();
    try {
      const response = await fetch("/api/v1/chat/messages", {
        method: "POST",
        credentials: "omit",
        headers: { ...headers, "Content-Type": "application/json" },
        body: JSON.stringify({ body: text, client_id: clientId }),
      });
      if (!response.ok) throw new Error(String(response.status));
      show(await response.json());
      form.elements.body.value = "";
    } catch (_) {
      form.submit(); // fall back to the plain form
    }
  });
  setInterval(poll, 2000);
});
