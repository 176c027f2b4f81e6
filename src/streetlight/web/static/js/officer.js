// Officer app: fill the engagement form's position from the phone (the officer may type it
// instead), and stop a double tap from sending the form twice (the server would dedupe it anyway).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
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
