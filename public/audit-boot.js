// Starts the audit log (a separate file, so the page's CSP needs no inline script).
import("/pkg/audit.js").then(({ default: init }) => init({ module_or_path: "/pkg/audit_bg.wasm" }));
