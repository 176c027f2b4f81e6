// "Cannot confirm" page: offer to add the phone's location to the form the person may send to
// the control room. Nothing is sent unless they press "Send"; without JavaScript they type a place.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("use-location");
  const status = document.getElementById("location-status");
  if (!button || !status || !("geolocation" in navigator)) return;
  button.hidden = false;
  button.addEventListener("click", () => {
    navigator.geolocation.getCurrentPosition(
      (position) => {
        document.getElementById("lon").value = position.coords.longitude.toFixed(6);
        document.getElementById("lat").value = position.coords.latitude.toFixed(6);
        status.textContent = status.dataset.found || "";
      },
      () => { status.textContent = status.dataset.failed || ""; },
      { enableHighAccuracy: true, timeout: 15_000 },
    );
  });
});
