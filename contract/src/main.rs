//! `contract [FILE]`: writes the OpenAPI document (default `edge/openapi.json`).

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "edge/openapi.json".into());
    if let Err(e) = std::fs::write(&path, contract::document_text()) {
        eprintln!("contract: cannot write {path}: {e}");
        std::process::exit(1);
    }
}
