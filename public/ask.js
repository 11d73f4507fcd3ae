// Asks who is signed in as the page starts, beside the wasm download (a
// classic script in <head>, so it runs before the page is parsed; the
// console's own first ask then takes this answer). Not on a member's /me,
// which never asks it.
(function () {
  var path = location.pathname;
  if (path === "/me" || path.indexOf("/me/") === 0) return;
  var ask = document.createElement("link");
  ask.rel = "preload";
  ask.as = "fetch";
  ask.href = "/api/v1/session";
  ask.crossOrigin = "anonymous";
  document.head.appendChild(ask);
})();
