// Analyst map: three layers fetched from the server (the perception layer, the crime hotspots and
// the exact report points), each switched on and off in Leaflet's layer control. The words come
// from the page (data-* attributes written by the server in the analyst's language) or from each
// layer's own "note", so this file holds none. Popups are built as DOM text, never as HTML.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const element = document.getElementById("map");
  const notes = document.getElementById("layer-notes");
  if (!element || !window.L) return;
  const data = element.dataset;
  const map = L.map(element).setView([54.5, -2.0], 6);
  if (data.tiles) {
    L.tileLayer(data.tiles, { maxZoom: 19 }).addTo(map);
  }

  function addNote(text, failed) {
    if (!notes) return;
    const item = document.createElement("li");
    item.textContent = text;
    if (failed) item.className = "failed";
    notes.appendChild(item);
  }

  function popup(lines, link) {
    const box = document.createElement("div");
    if (link) {
      const anchor = document.createElement("a");
      anchor.href = link.href;
      anchor.textContent = link.text;
      box.appendChild(anchor);
    }
    for (const line of lines) {
      if (!line) continue;
      const paragraph = document.createElement("p");
      paragraph.textContent = line;
      box.appendChild(paragraph);
    }
    return box;
  }

  const lang = document.documentElement.lang || "en";
  const layers = [
    {
      key: "perception",
      url: data.perception,
      name: data.perceptionName,
      make(geo) {
        const most = Math.max(1, ...geo.features.map((f) => f.properties.reports));
        return L.geoJSON(geo, {
          style: (f) => ({
            color: "#3b2a8f", weight: 1, fillColor: "#3b2a8f",
            fillOpacity: 0.15 + 0.55 * (f.properties.reports / most),
          }),
          onEachFeature: (f, layer) => layer.bindPopup(
            popup([`${data.reportsLabel}: ${f.properties.reports}`, f.properties.cell_id])
          ),
        });
      },
    },
    {
      key: "hotspots",
      url: data.hotspots,
      name: data.hotspotsName,
      make(geo) {
        return L.geoJSON(geo, {
          style: () => ({ color: "#a11d1d", weight: 2, fillColor: "#a11d1d", fillOpacity: 0.12 }),
          onEachFeature: (f, layer) => layer.bindPopup(
            popup([`${data.rankLabel}: ${f.properties.rank}`, f.properties.place || ""])
          ),
        });
      },
    },
    {
      key: "points",
      url: data.points,
      name: data.pointsName,
      make(geo) {
        return L.geoJSON(geo, {
          pointToLayer: (_f, latlng) => L.circleMarker(latlng, {
            radius: 6, color: "#1b1b1f", weight: 1, fillColor: "#f2a900", fillOpacity: 0.9,
          }),
          onEachFeature: (f, layer) => layer.bindPopup(popup(
            [`${f.properties.occurred_on} · ${f.properties.band}`, f.properties.factors],
            { href: `${f.properties.url}?lang=${lang}`, text: `${data.reportLabel} #${f.properties.id}` },
          )),
        });
      },
    },
  ];

  async function load(definition) {
    try {
      const response = await fetch(definition.url, { credentials: "same-origin" });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const geo = await response.json();
      element.dataset[`${definition.key}Features`] = String(geo.features.length);
      return { definition, geo, layer: definition.make(geo) };
    } catch (_error) {
      return { definition, geo: null, layer: null };
    }
  }

  async function outline() {
    if (!data.outline) return null;
    try {
      const response = await fetch(data.outline, { credentials: "same-origin" });
      if (!response.ok) return null;
      return L.geoJSON(await response.json(), {
        style: () => ({ color: "#5a5a66", weight: 2, fill: false, dashArray: "4 4" }),
        interactive: false,
      });
    } catch (_error) {
      return null;
    }
  }

  Promise.all([outline(), ...layers.map(load)]).then(([area, ...results]) => {
    const control = L.control.layers(null, null, { collapsed: false }).addTo(map);
    // Frame the report area and the reports; the hotspots (which may cover a whole force) only
    // when there is nothing else to frame.
    const bounds = L.latLngBounds([]);
    const fallback = L.latLngBounds([]);
    let loaded = 0;
    if (area) {
      area.addTo(map);
      bounds.extend(area.getBounds());
    }
    // In a fixed order, so the points are drawn on top of the cells whatever answered first.
    for (const { definition, geo, layer } of results) {
      if (!layer) {
        addNote(`${definition.name}: ${data.failed}`, true);
        continue;
      }
      layer.addTo(map);
      control.addOverlay(layer, definition.name);
      if (geo.note) addNote(geo.note, false);
      const extent = layer.getBounds();
      if (extent.isValid()) (definition.key === "hotspots" ? fallback : bounds).extend(extent);
      loaded += 1;
    }
    const frame = bounds.isValid() ? bounds : fallback;
    if (frame.isValid()) map.fitBounds(frame, { maxZoom: 16, padding: [12, 12] });
    document.body.dataset.layers = String(loaded);
  });
});
