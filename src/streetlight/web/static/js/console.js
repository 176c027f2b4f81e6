// Control-room console: listen to the server-sent events and redraw the live panel after each
// (the panel comes from the server's own template, so there is one way of drawing it). Typing in
// a reply box is not interrupted: the redraw waits until the box is empty or loses focus.
// A new failed check is made hard to miss: a count in the tab's title, a highlight, and (when
// the operator ticks it) a short tone. Times read "2 min ago", with the clock time on hover.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const live = document.getElementById("live");
  const status = document.getElementById("live-status");
  if (!live) return;
  const lang = document.documentElement.lang || "en";
  const title = document.title;
  const sound = document.getElementById("alert-sound");
  const seen = new Set(alertIds());
  let pending = false;
  let busy = false;

  function alertIds() {
    return [...live.querySelectorAll("[data-alert]")].map((item) => item.dataset.alert);
  }

  function relativeTimes() {
    const words = new Intl.RelativeTimeFormat(lang, { numeric: "auto" });
    for (const time of live.querySelectorAll("time[data-relative]")) {
      const seconds = Math.round((new Date(time.dateTime) - Date.now()) / 1000);
      if (!time.title) time.title = time.textContent;
      time.textContent = Math.abs(seconds) < 60 ? words.format(seconds, "second")
        : Math.abs(seconds) < 3600 ? words.format(Math.round(seconds / 60), "minute")
          : words.format(Math.round(seconds / 3600), "hour");
    }
  }

  function beep() {
    const Audio = window.AudioContext || window.webkitAudioContext;
    if (!Audio) return;
    const audio = new Audio();
    const tone = audio.createOscillator();
    tone.frequency.value = 880;
    tone.connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.25);
  }

  function noticeAlerts() {
    const ids = alertIds();
    const fresh = ids.filter((id) => !seen.has(id));
    for (const id of fresh) {
      seen.add(id);
      const item = live.querySelector(`[data-alert="${id}"]`);
      if (item) item.classList.add("fresh");
    }
    document.title = ids.length ? `(${ids.length}) ${title}` : title;
    document.body.dataset.alerts = String(ids.length);
    if (fresh.length && sound && sound.checked) beep();
  }

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
      const response = await fetch(`/console/live?lang=${lang}`, { credentials: "same-origin" });
      if (response.ok) {
        const html = await response.text();
        const parsed = new DOMParser().parseFromString(`<div>${html}</div>`, "text/html");
        live.replaceChildren(...parsed.body.firstChild.childNodes);
        relativeTimes();
        noticeAlerts();
        document.body.dataset.redrawn = String(Date.now());
      }
    } finally {
      busy = false;
      if (pending) setTimeout(redraw, 200);
    }
  }

  relativeTimes();
  noticeAlerts();
  setInterval(relativeTimes, 30_000);
  const choice = document.getElementById("sound-choice");
  if (choice) choice.hidden = false;
  if (!("EventSource" in window)) return;
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
