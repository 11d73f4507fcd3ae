//! The committed document is the one the types make now: a route or a type
//! changed without `make build` fails here (and so in CI).

#[test]
fn committed_openapi_json_is_what_the_types_make() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../edge/openapi.json");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == contract::document_text(),
        "edge/openapi.json is stale: run `make build` (or `cargo run -p contract`) and commit it"
    );
}

#[test]
fn every_route_is_documented_and_dev_routes_are_not() {
    let doc = contract::document("test");
    for route in domain::routes::Route::ALL {
        let method = route.method().as_str().to_lowercase();
        assert!(doc["paths"][route.path()][&method].is_object(), "{route:?}");
    }
    let text = contract::document_text();
    for dev in ["/api/v1/dev/", "/auth/dev-login"] {
        assert!(!text.contains(dev), "{dev} is documented");
    }
}
