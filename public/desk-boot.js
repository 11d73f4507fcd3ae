// Starts the provider's desk (a separate file, so the page's CSP needs no inline script).
import("/pkg/desk.js").then(({ default: init }) => init({ module_or_path: "/pkg/desk_bg.wasm" }));
