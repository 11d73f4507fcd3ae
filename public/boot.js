// Starts the console (a separate file, so the page's CSP needs no inline script).
import init from "/pkg/app.js";
init({ module_or_path: "/pkg/app_bg.wasm" });
