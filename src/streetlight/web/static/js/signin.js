// Sign-in page: put the cursor where the user has to type next (the page works without it).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("signin");
  if (!form) return;
  const empty = Array.from(form.querySelectorAll("input:not([type=hidden])")).find((i) => !i.value);
  if (empty) empty.focus();
  const code = document.getElementById("code");
  if (code) {
    code.addEventListener("input", () => {
      code.value = code.value.replace(/[^0-9 ]/g, "");
    });
  }
});
