// Control-room console: listen to the server-sent events and redraw the live panel after each
// (the panel comes from the server's own template, so there is one way of drawing it). Typing in
// a reply box is not interrupted: the redraw waits until the box is empty or loses focus.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const live = document.getElementById("live");
  const status = document.getElementById("live-status");
  if (!live || !("EventSource" in window)) return;
  let pending = false;
  let busy = false;

  function typing() {
    const active = document.activeElement;
    return active && active.tagName === "TEXTAREA" && active.value.trim() !== "";
  }

  async function redraw() {
    if (busy) { pending = true; return; }
    if (typing()) { pending = true; return; }
    busy = true;
    pending = false;
    try {
      const lang = document.documentElement.lang || "en";
      const response = await fetch(`/console/live?lang=${lang}`, { credentials: "same-origin" });
      if (response.ok) {
        const html = await response.text();
        const parsed = new DOMParser().parseFromString(`<div>${html}</div>`, "text/html");
        live.replaceChildren(...parsed.body.firstChild.childNodes);
        document.body.dataset.redrawn = String(Date.now());
      }
    } finally {
      busy = false;
      if (pending) setTimeout(redraw, 200);
    }
  }

  document.addEventListener("focusout", () => { if (pending) redraw(); });
  const source = new EventSource("/api/v1/console/events");
  source.onopen = () => {
    if (status) status.textContent = status.dataset.live || "";
    document.body.dataset.live = "1";
  };
  source.onerror = () => { if (status) status.textContent = status.dataset.lost || ""; };
  source.onmessage = redraw;
  for (const kind of [
    "engagement.create", "engagement.confirmed", "engagement.flagged", "backup.request",
    "backup.arrived", "verify.success", "verify.failure", "verify.location", "verify.acknowledge",
    "chat.open", "chat.message.public", "chat.message.operator",
  ]) source.addEventListener(kind, redraw);
});
