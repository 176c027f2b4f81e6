// The report page: put a pin on the map (Leaflet) or at the phone's location, and, on the page
// after sending, copy the receipt code. All of it is optional: without JavaScript the person
// describes the place in words, and the server checks everything again.
"use strict";

(() => {
  /** Is [lon, lat] inside a GeoJSON Polygon or MultiPolygon (even-odd rule, holes included)? */
  function inside(geometry, lon, lat) {
    const polygons = geometry.type === "Polygon" ? [geometry.coordinates]
      : geometry.type === "MultiPolygon" ? geometry.coordinates : [];
    let hit = false;
    for (const rings of polygons) {
      for (const ring of rings) {
        for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
          const [xi, yi] = ring[i];
          const [xj, yj] = ring[j];
          if ((yi > lat) !== (yj > lat) && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) {
            hit = !hit;
          }
        }
      }
    }
    return hit;
  }

  function geometries(area) {
    if (area.type === "FeatureCollection") return area.features.map((f) => f.geometry);
    if (area.type === "Feature") return [area.geometry];
    return [area];
  }

  function setUpMap() {
    const block = document.getElementById("map-block");
    const box = document.getElementById("map");
    if (!block || !box || typeof L === "undefined") return;
    const lon = document.getElementById("lon");
    const lat = document.getElementById("lat");
    const status = document.getElementById("pin-status");
    const remove = document.getElementById("remove-pin");
    const say = (key) => { status.textContent = status.dataset[key] || ""; };

    fetch(box.dataset.area, { credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((area) => {
        const shapes = geometries(area);
        const within = (ll) => shapes.some((g) => g && inside(g, ll.lng, ll.lat));
        block.hidden = false;
        const map = L.map(box, { attributionControl: Boolean(box.dataset.tiles), zoomSnap: 0.25 });
        if (box.dataset.tiles) {
          L.tileLayer(box.dataset.tiles, { maxZoom: 19 }).addTo(map);
        }
        const outline = L.geoJSON(area, {
          interactive: false,
          style: { color: "#3b2a8f", weight: 2, fillOpacity: 0.05 },
        }).addTo(map);
        map.fitBounds(outline.getBounds());
        let pin = null;

        const place = (ll, message) => {
          if (!within(ll)) { say("outside"); return; }
          if (pin) { pin.setLatLng(ll); } else {
            pin = L.marker(ll, { alt: box.dataset.pinLabel, interactive: false, keyboard: false })
              .addTo(map);
          }
          lon.value = ll.lng.toFixed(6);
          lat.value = ll.lat.toFixed(6);
          remove.hidden = false;
          document.body.dataset.pinned = "1";
          say(message);
        };

        if (lon.value && lat.value) {  // a form drawn again after an error keeps its pin
          const kept = L.latLng(Number(lat.value), Number(lon.value));
          if (within(kept)) { place(kept, "kept"); } else { lon.value = ""; lat.value = ""; }
        }
        map.on("click", (event) => place(event.latlng, "placed"));
        document.getElementById("pin-centre").addEventListener("click", () => {
          place(map.getCenter(), "placed");
        });
        remove.addEventListener("click", () => {
          if (pin) { map.removeLayer(pin); pin = null; }
          lon.value = "";
          lat.value = "";
          remove.hidden = true;
          delete document.body.dataset.pinned;
          say("removed");
        });
        const locate = document.getElementById("use-location");
        if (!("geolocation" in navigator)) { locate.hidden = true; } else {
          locate.addEventListener("click", () => {
            navigator.geolocation.getCurrentPosition(
              (position) => {
                const ll = L.latLng(position.coords.latitude, position.coords.longitude);
                place(ll, "located");
                if (within(ll)) map.setView(ll, Math.max(map.getZoom(), 16));
              },
              () => say("failed"),
              { enableHighAccuracy: true, timeout: 15_000 },
            );
          });
        }
        document.body.dataset.mapReady = "1";
      })
      .catch(() => { block.hidden = true; });  // no map: the typed description still works
  }

  function localToday(input) {
    // The server's "today" is UTC; the person's may already be tomorrow (or still yesterday).
    const now = new Date();
    const pad = (n) => String(n).padStart(2, "0");
    const today = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
    if (!input.max || today <= input.max) input.value = today;
  }

  function setUpCopy() {
    const button = document.getElementById("copy-receipt");
    const code = document.getElementById("receipt");
    const status = document.getElementById("copy-status");
    if (!button || !code || !status || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", () => {
      navigator.clipboard.writeText(code.textContent.trim()).then(
        () => { status.textContent = button.dataset.copied || ""; },
        () => { status.textContent = button.dataset.failed || ""; },
      );
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const summary = document.getElementById("error-summary");
    if (summary) summary.focus();
    const date = document.querySelector("input[type=date][data-today]");
    if (date) localToday(date);
    setUpMap();
    setUpCopy();
  });
})();
