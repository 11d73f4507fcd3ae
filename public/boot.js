// Starts the console (a separate file, so the page's CSP needs no inline script).
import("/pkg/app.js").then(({ default: init }) => init({ module_or_path: "/pkg/app_bg.wasm" }));
