// Starts a member's own page (a separate file, so the page's CSP needs no inline script).
import("/pkg/me.js").then(({ default: init }) => init({ module_or_path: "/pkg/me_bg.wasm" }));
