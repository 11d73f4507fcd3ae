// Starts the provider's desk (a separate file, so the page's CSP needs no inline script).
import init from "/pkg/desk.js";
init({ module_or_path: "/pkg/desk_bg.wasm" });
