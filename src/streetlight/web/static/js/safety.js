// Keep /safety readable offline: register the service worker that caches it (English and
// French). An external file, not an inline script: the CSP allows scripts from this origin only.
"use strict";
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/safety-sw.js", { scope: "/safety" }).catch(() => {
    // No offline copy (private browsing, an old browser): the page itself still works.
  });
}
