// Kizuna's only script of its own: small enhancements that pages work without.
// (The CSP forbids inline scripts, so behaviour is attached here by data attributes.)
(function () {
  "use strict";
  // <form data-confirm="…">: ask before destructive actions such as revoking a token.
  document.addEventListener("submit", function (e) {
    var msg = e.target.getAttribute && e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) { e.preventDefault(); }
  });
  // <button data-copy="#id">: copy a shown secret (API token) to the clipboard.
  document.addEventListener("click", function (e) {
    var sel = e.target.getAttribute && e.target.getAttribute("data-copy");
    if (!sel || !navigator.clipboard) { return; }
    var el = document.querySelector(sel);
    if (el) {
      navigator.clipboard.writeText(el.textContent.trim());
      e.target.textContent = e.target.getAttribute("data-copied") || "OK";
    }
  });
  // Mobile navigation toggle.
  var toggle = document.querySelector("[data-nav-toggle]");
  if (toggle) {
    toggle.addEventListener("click", function () {
      var nav = document.getElementById(toggle.getAttribute("aria-controls"));
      var open = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", String(!open));
      if (nav) { nav.classList.toggle("is-open", !open); }
    });
  }
})();
