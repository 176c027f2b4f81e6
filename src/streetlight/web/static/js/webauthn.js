// Security keys (WebAuthn). On the sign-in page: "Use a security key instead of a code" asks the
// server for options for the typed username, lets the browser talk to the key, and posts the
// same form (username, password) with the key's answer to /signin/key. On the security keys
// page: add a key. Both pages work without this script: the code form stays as it is.
//
// The server speaks WebAuthn's JSON forms, with bytes in base64url (RFC 4648, section 5); the
// browser's API wants and gives ArrayBuffers, so this file converts both ways by hand (the
// browsers' own JSON helpers are too new to rely on).
"use strict";
(() => {
  const csrfToken = () =>
    document.querySelector('meta[name="csrf-token"]')?.getAttribute("content") ?? "";

  function toBase64url(buffer) {
    let text = "";
    for (const byte of new Uint8Array(buffer)) text += String.fromCharCode(byte);
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function fromBase64url(text) {
    const padded = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  }

  async function postJSON(url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
      body: JSON.stringify(body ?? {}),
    });
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    return response.json();
  }

  const descriptors = (list) => (list ?? []).map((c) => ({ ...c, id: fromBase64url(c.id) }));

  function requestOptions(json) {
    return { ...json, challenge: fromBase64url(json.challenge), allowCredentials: descriptors(json.allowCredentials) };
  }

  function creationOptions(json) {
    return {
      ...json,
      challenge: fromBase64url(json.challenge),
      user: { ...json.user, id: fromBase64url(json.user.id) },
      excludeCredentials: descriptors(json.excludeCredentials),
    };
  }

  function credentialJSON(credential, response) {
    return {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment ?? undefined,
      response,
      clientExtensionResults: credential.getClientExtensionResults(),
    };
  }

  function assertionJSON(credential) {
    const r = credential.response;
    return credentialJSON(credential, {
      clientDataJSON: toBase64url(r.clientDataJSON),
      authenticatorData: toBase64url(r.authenticatorData),
      signature: toBase64url(r.signature),
      userHandle: r.userHandle ? toBase64url(r.userHandle) : undefined,
    });
  }

  function attestationJSON(credential) {
    const r = credential.response;
    return credentialJSON(credential, {
      clientDataJSON: toBase64url(r.clientDataJSON),
      attestationObject: toBase64url(r.attestationObject),
      transports: typeof r.getTransports === "function" ? r.getTransports() : [],
    });
  }

  function say(status, key) {
    if (status) status.textContent = status.dataset[key] ?? "";
  }

  function setUpSignIn() {
    const form = document.getElementById("signin");
    const choice = document.getElementById("key-signin");
    const button = document.getElementById("use-key");
    const status = document.getElementById("key-status");
    if (!form || !choice || !button) return;
    choice.hidden = false;
    button.addEventListener("click", async () => {
      const username = form.elements.namedItem("username");
      const password = form.elements.namedItem("password");
      if (!username.reportValidity() || !password.reportValidity()) return;
      button.disabled = true;
      say(status, "working");
      try {
        const options = await postJSON(form.dataset.keyOptions, { username: username.value });
        const credential = await navigator.credentials.get({ publicKey: requestOptions(options) });
        if (!credential) throw new Error("no key answered");
        const answer = document.createElement("input");
        answer.type = "hidden";
        answer.name = "credential";
        answer.value = JSON.stringify(assertionJSON(credential));
        form.append(answer);
        form.action = form.dataset.keyAction;
        form.submit(); // the code field is not needed: submit() skips the form's validation
      } catch {
        say(status, "failed");
        button.disabled = false;
      }
    });
  }

  function setUpRegistration(supported) {
    const form = document.getElementById("add-key");
    const status = document.getElementById("key-status");
    if (!form) return;
    if (!supported) {
      say(status, "unsupported");
      return;
    }
    document.getElementById("key-needs-js").hidden = true;
    document.getElementById("key-add").hidden = false;
    const button = document.getElementById("add-key-button");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      button.disabled = true;
      say(status, "working");
      try {
        const options = await postJSON(form.dataset.options);
        const credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
        if (!credential) throw new Error("no key answered");
        const label = form.elements.namedItem("label").value;
        await postJSON(form.dataset.finish, { label, credential: attestationJSON(credential) });
        window.location.assign(form.dataset.done);
      } catch {
        say(status, "failed");
        button.disabled = false;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    // Only in a secure context (HTTPS, or localhost) does the browser offer WebAuthn at all.
    const supported = Boolean(window.PublicKeyCredential && navigator.credentials);
    if (supported) setUpSignIn();
    setUpRegistration(supported);
  });
})();
