// The report page: put a pin on the map (Leaflet), at the phone's location or on a street found
// by name, and, on the page after sending, copy the receipt code. All of it is optional: without
// JavaScript the person describes the place in words, and the server checks everything again.
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
    const say = (key, street = "") => {
      status.textContent = (status.dataset[key] || "").replace("{street}", street);
    };

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
        labelStreets(map, box.dataset.places);

        const place = (ll, message, street = "") => {
          if (!within(ll)) { say("outside"); return; }
          if (pin) { pin.setLatLng(ll); } else {
            pin = L.marker(ll, { alt: box.dataset.pinLabel, interactive: false, keyboard: false })
              .addTo(map);
          }
          lon.value = ll.lng.toFixed(6);
          lat.value = ll.lat.toFixed(6);
          remove.hidden = false;
          document.body.dataset.pinned = "1";
          say(message, street);
        };

        if (lon.value && lat.value) {  // a form drawn again after an error keeps its pin
          const kept = L.latLng(Number(lat.value), Number(lon.value));
          if (within(kept)) { place(kept, "kept"); } else { lon.value = ""; lat.value = ""; }
        }
        // A bare map shows no street names: after a tap, say which street the pin is near.
        let tapped = 0; // the latest tap: an older answer that arrives late is dropped
        const placeAndName = (ll) => {
          place(ll, "placed");
          if (!within(ll) || !box.dataset.places) return;
          const mine = ++tapped;
          const near = `${ll.lng.toFixed(6)},${ll.lat.toFixed(6)}`;
          fetch(`${box.dataset.places}?near=${near}`, { credentials: "same-origin" })
            .then((response) => (response.ok ? response.json() : []))
            .then((streets) => {
              const street = Array.isArray(streets) ? streets[0] : null;
              if (street && mine === tapped && pin) {
                say("near", street.district ? `${street.name}, ${street.district}` : street.name);
              }
            })
            .catch(() => {}); // the pin is placed either way
        };
        map.on("click", (event) => placeAndName(event.latlng));
        document.getElementById("pin-centre").addEventListener("click", () => {
          placeAndName(map.getCenter());
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
        setUpFinder((street, label) => {
          const ll = L.latLng(street.lat, street.lon);
          map.setView(ll, STREET_ZOOM);
          place(ll, "street", label);
        });
        document.body.dataset.mapReady = "1";
      })
      .catch(() => { block.hidden = true; });  // no map: the typed description still works
  }

  /**
   * Street names on the bare map (no tiles offline): zoomed in far enough to read them, the
   * busiest streets of the part shown, written at their busiest snap point. Decorative: the
   * finder and the "pin placed near" message say the same to a screen reader.
   */
  function labelStreets(map, places) {
    if (!places) return;
    const labels = L.layerGroup().addTo(map);
    let asked = 0;
    const redraw = () => {
      const mine = ++asked;
      if (map.getZoom() < LABEL_ZOOM) { labels.clearLayers(); return; }
      const b = map.getBounds();
      const box = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(6));
      fetch(`${places}?in=${box.join(",")}`, { credentials: "same-origin" })
        .then((response) => (response.ok ? response.json() : []))
        .then((streets) => {
          if (mine !== asked || !Array.isArray(streets)) return;
          labels.clearLayers();
          for (const street of streets) {
            const icon = L.divIcon({ className: "street-label", html: "", iconSize: null });
            const marker = L.marker([street.lat, street.lon], { icon, interactive: false, keyboard: false });
            marker.addTo(labels);
            const name = document.createElement("span");
            name.textContent = street.name;
            const element = marker.getElement();
            element.replaceChildren(name);
            element.setAttribute("aria-hidden", "true");
          }
        })
        .catch(() => {}); // no labels: the map still works
    };
    map.on("moveend", redraw);
    redraw();
  }

  const LABEL_ZOOM = 15;
  const STREET_ZOOM = 17;
  const MIN_QUERY = 2;
  const TYPING_PAUSE_MS = 300;

  /**
   * The street finder: streets of the area whose name matches what is typed (/report/places,
   * from the force's public crime data). The answers are buttons; `choose(street, label)` is
   * called with the one picked. Enter searches at once (it must not send the report form), the
   * arrow keys move between the input and the answers, Escape goes back to the input.
   */
  function setUpFinder(choose) {
    const finder = document.getElementById("street-finder");
    if (!finder) return;
    const input = document.getElementById("street-query");
    const button = document.getElementById("street-search");
    const list = document.getElementById("street-results");
    const status = document.getElementById("street-status");
    const words = status.dataset;
    let timer = 0;
    let asked = 0; // the latest search: an older answer that arrives late is dropped
    let pending = null;

    const say = (text) => { status.textContent = text || ""; };
    const clear = () => { list.replaceChildren(); list.hidden = true; };
    const show = (streets) => {
      // A late answer must not take the focus from someone already moving through the answers.
      const focused = [...list.querySelectorAll("button")].indexOf(document.activeElement);
      clear();
      for (const street of streets) {
        const label = street.district ? `${street.name}, ${street.district}` : street.name;
        const choice = document.createElement("button");
        choice.type = "button";
        choice.className = "secondary";
        choice.textContent = label;
        choice.addEventListener("click", () => choose(street, label));
        const item = document.createElement("li");
        item.append(choice);
        list.append(item);
      }
      list.hidden = streets.length === 0;
      const choices = list.querySelectorAll("button");
      if (focused >= 0) (choices[Math.min(focused, choices.length - 1)] || input).focus();
      say(streets.length === 0 ? words.none
        : streets.length === 1 ? words.one
          : words.many.replace("{count}", String(streets.length)));
    };
    const ask = (query) => {
      const mine = ++asked;
      if (pending) pending.abort();
      pending = new AbortController();
      fetch(`${finder.dataset.places}?q=${encodeURIComponent(query)}`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: pending.signal,
      })
        .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
        .then((streets) => { if (mine === asked) show(Array.isArray(streets) ? streets : []); })
        .catch(() => { if (mine === asked) { clear(); say(words.failed); } });
    };
    const search = (now) => {
      window.clearTimeout(timer);
      const query = input.value.trim();
      if (query.length < MIN_QUERY) {
        asked++;
        clear();
        say(now ? words.short : "");
        return;
      }
      if (now) { ask(query); } else { timer = window.setTimeout(() => ask(query), TYPING_PAUSE_MS); }
    };

    input.addEventListener("input", () => search(false));
    button.addEventListener("click", () => search(true));
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        search(true);
      } else if (event.key === "ArrowDown" && !list.hidden) {
        event.preventDefault();
        list.querySelector("button").focus();
      }
    });
    list.addEventListener("keydown", (event) => {
      const choices = [...list.querySelectorAll("button")];
      const at = choices.indexOf(document.activeElement);
      if (event.key === "ArrowDown" && at < choices.length - 1) {
        event.preventDefault();
        choices[at + 1].focus();
      } else if (event.key === "ArrowUp" || event.key === "Escape") {
        event.preventDefault();
        (event.key === "ArrowUp" && at > 0 ? choices[at - 1] : input).focus();
      }
    });
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
