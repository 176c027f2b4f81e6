// The service worker of /safety (scope "/safety"): keeps the safety advice readable without a
// connection once it has been opened. Pages come from the network when it answers and from the
// cache when it does not; the cache is filled when this worker installs, anonymously (no cookie:
// a signed-in member of staff's name never lands in an offline copy). A new release changes
// VERSION, so browsers install the new worker and refill the cache.
"use strict";

const VERSION = "__VERSION__";
const CACHE = `streetlight-safety-${VERSION}`;
const PAGES = ["/safety?lang=en", "/safety?lang=fr"];
const ASSETS = ["/static/css/site.css", "/static/js/safety.js", "/static/favicon.svg"];

async function fill() {
  const cache = await caches.open(CACHE);
  await Promise.all([...PAGES, ...ASSETS].map(async (url) => {
    const response = await fetch(url, { credentials: "omit", cache: "no-store" });
    if (!response.ok) throw new Error(`${url}: ${response.status}`);
    await cache.put(url, response);
  }));
}

self.addEventListener("install", (event) => {
  event.waitUntil(fill().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("streetlight-safety-") && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

function pageKey(url) {
  const asked = url.searchParams.get("lang") || (self.navigator.language || "en");
  return asked.toLowerCase().startsWith("fr") ? "/safety?lang=fr" : "/safety?lang=en";
}

async function networkFirst(request, key) {
  try {
    const response = await fetch(request);
    if (response.status < 500) return response;
  } catch (error) {
    // Offline or the server unreachable: answer from the cache below.
  }
  const cached = await caches.match(key, { cacheName: CACHE });
  return cached || Response.error();
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === "/safety") {
    event.respondWith(networkFirst(request, pageKey(url)));
  } else if (ASSETS.includes(url.pathname)) {
    event.respondWith(networkFirst(request, url.pathname));
  }
});
