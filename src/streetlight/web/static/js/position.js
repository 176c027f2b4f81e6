// Officer app: while on duty, send this phone's position to the control room once a minute
// (POST /api/v1/me/position with the page's CSRF token). Positions are only sent while the
// duty page is open, and only if the officer allows location access.
"use strict";
(() => {
  const EVERY_MS = 60_000;
  const token = document.querySelector('meta[name="csrf-token"]')?.getAttribute("content") ?? "";

  function send(position) {
    const body = JSON.stringify({ lon: position.coords.longitude, lat: position.coords.latitude });
    fetch("/api/v1/me/position", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": token },
      body,
    }).then((response) => {
      // A marker the browser test waits for; nothing is shown to the officer.
      if (response.ok) document.body.dataset.positionSent = new Date().toISOString();
    }).catch(() => { /* offline: the next tick tries again */ });
  }

  function tick() {
    if (!("geolocation" in navigator)) return;
    navigator.geolocation.getCurrentPosition(send, () => {}, { enableHighAccuracy: true, timeout: 20_000 });
  }

  document.addEventListener("DOMContentLoaded", () => {
    tick();
    setInterval(tick, EVERY_MS);
  });
})();
