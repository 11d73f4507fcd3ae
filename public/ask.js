// Asks who is signed in as the console (or the audit log) starts, beside
// the wasm download (a classic script in <head>, so it runs before the page
// is parsed; the page's own first ask then takes this answer). A member's
// /me and the desk have pages of their own, which preload what they ask
// first.
(function () {
  var ask = document.createElement("link");
  ask.rel = "preload";
  ask.as = "fetch";
  ask.href = "/api/v1/session";
  ask.crossOrigin = "anonymous";
  document.head.appendChild(ask);
})();
