// Officer app: fill the engagement form's position from the phone (the officer may type it
// instead), stop a double tap from sending the form twice (the server would dedupe it anyway),
// and say at once when strangers burnt a code or a limit locks the officer's checks.
"use strict";

const CHECK_STATUS_SECONDS = 5;

function watchCheckStatus() {
  const box = document.getElementById("check-status");
  if (!box) return;
  let shown = Array.from(box.querySelectorAll("p"), (p) => p.textContent).join("\n");
  const poll = async () => {
    try {
      const answer = await fetch("/api/v1/engagements/checks" + window.location.search, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!answer.ok) return;
      const { messages } = await answer.json();
      if (messages.join("\n") === shown) return;
      shown = messages.join("\n");
      box.replaceChildren(...messages.map((text) => {
        const line = document.createElement("p");
        line.className = "notice bad";
        line.textContent = text;
        return line;
      }));
    } catch (_) {
      // Offline for a moment: the next poll tries again.
    }
  };
  setInterval(poll, CHECK_STATUS_SECONDS * 1000);
}

document.addEventListener("DOMContentLoaded", () => {
  watchCheckStatus();
  const form = document.getElementById("engagement-form");
  if (!form) return;
  const status = document.getElementById("position-status");
  const lat = document.getElementById("lat");
  const lon = document.getElementById("lon");
  if ("geolocation" in navigator) {
    navigator.geolocation.getCurrentPosition(
      (position) => {
        if (!lat.value) lat.value = position.coords.latitude.toFixed(6);
        if (!lon.value) lon.value = position.coords.longitude.toFixed(6);
        if (status) status.textContent = status.dataset.found || "";
        document.body.dataset.positionFilled = "1";
      },
      () => { if (status) status.textContent = status.dataset.failed || ""; },
      { enableHighAccuracy: true, timeout: 15_000 },
    );
  }
  form.addEventListener("submit", () => {
    const button = document.getElementById("log-button");
    if (button) setTimeout(() => { button.disabled = true; }, 0);
  });
});
