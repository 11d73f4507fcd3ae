//! The OpenAPI 3.1 document of the `/api/v1` surface, built from the route
//! table in `domain::routes` and the request and response types in
//! `domain::api` (their JSON Schemas come from `schemars`, host only: the
//! Worker and the console never compile this crate). `make build` writes it
//! to `edge/openapi.json`, which the Worker serves at
//! `GET /api/v1/openapi.json`; a test fails when the committed file is not
//! what this crate makes now.
//!
//! Development-only routes are not in the table: they are compiled only
//! into `edge`'s development builds (its `dev` feature).

use domain::access::Decision;
use domain::api::*;
use domain::routes::{Door, Method, Route};
use schemars::generate::{SchemaGenerator, SchemaSettings};
use schemars::JsonSchema;
use serde_json::{json, Map, Value};

/// The cookie a console session travels in.
const SESSION_COOKIE: &str = domain::session::COOKIE_NAME;

/// What one operation reads and answers.
struct Operation {
    /// Query parameters: the properties of this type's schema.
    query: Option<Value>,
    /// The JSON body.
    body: Option<Value>,
    /// The success status and its body.
    ok: (u16, Value),
    /// Error statuses besides those every operation behind its door has.
    errors: &'static [u16],
}

/// JSON Schemas of the types, collected as `#/components/schemas/*`.
struct Schemas {
    /// Answers: a field skipped when empty is not required.
    out: SchemaGenerator,
    /// Requests: a field with a default is not required.
    input: SchemaGenerator,
}

impl Schemas {
    fn new() -> Schemas {
        let settings = SchemaSettings::draft2020_12().with(|s| {
            s.definitions_path = "#/components/schemas/".into();
            s.meta_schema = None;
        });
        Schemas {
            out: settings.clone().for_serialize().into_generator(),
            input: settings.for_deserialize().into_generator(),
        }
    }

    fn answer<T: JsonSchema>(&mut self) -> Value {
        self.out.subschema_for::<T>().to_value()
    }

    fn request<T: JsonSchema>(&mut self) -> Value {
        self.input.subschema_for::<T>().to_value()
    }

    fn query<T: JsonSchema>(&mut self) -> Value {
        // Inline, so its properties can become parameters.
        let mut gen = SchemaSettings::draft2020_12()
            .with(|s| {
                s.definitions_path = "#/components/schemas/".into();
                s.inline_subschemas = true;
                s.meta_schema = None;
            })
            .for_deserialize()
            .into_generator();
        gen.root_schema_for::<T>().to_value()
    }

    fn into_components(mut self) -> Map<String, Value> {
        let mut all = self.out.take_definitions(true);
        for (name, schema) in self.input.take_definitions(true) {
            match all.get(&name) {
                Some(existing) if existing != &schema => {
                    panic!("{name} has different request and answer schemas")
                }
                _ => {
                    all.insert(name, schema);
                }
            }
        }
        all.sort_keys();
        all
    }
}

fn operation(route: Route, s: &mut Schemas) -> Operation {
    use Route::*;
    let op = |query, body, ok, errors| Operation {
        query,
        body,
        ok,
        errors,
    };
    match route {
        Health => op(None, None, (200, s.answer::<domain::api::Health>()), &[503]),
        OpenApi => op(None, None, (200, json!({"type": "object"})), &[]),
        Session => op(None, None, (200, s.answer::<SessionInfo>()), &[401, 403]),
        AccessCheck => op(
            None,
            Some(s.request::<domain::api::AccessCheck>()),
            (200, s.answer::<Decision>()),
            &[400, 404],
        ),
        Me => op(None, None, (200, s.answer::<domain::api::Me>()), &[404]),
        MeSeatRequest => op(
            None,
            None,
            (200, s.answer::<domain::api::SeatRequested>()),
            &[404],
        ),
        Corp => op(None, None, (200, s.answer::<domain::api::Corp>()), &[404]),
        Members => op(
            Some(s.query::<MemberQuery>()),
            None,
            (200, s.answer::<Page<MemberItem>>()),
            &[400],
        ),
        Departments => op(None, None, (200, s.answer::<Vec<DepartmentNode>>()), &[]),
        Range => op(None, None, (200, s.answer::<RangeSummary>()), &[404]),
        SyncStatus => op(
            None,
            None,
            (200, s.answer::<domain::api::SyncStatus>()),
            &[],
        ),
        StartSync => op(None, None, (202, s.answer::<SyncStarted>()), &[409]),
        Summary => op(
            None,
            None,
            (200, s.answer::<domain::api::Summary>()),
            &[404],
        ),
        Seats => op(
            Some(s.query::<SeatQuery>()),
            None,
            (200, s.answer::<Page<SeatItem>>()),
            &[400],
        ),
        Orders => op(None, None, (200, s.answer::<Items<OrderItem>>()), &[]),
        Activate => op(
            None,
            Some(s.request::<ActivateRequest>()),
            (200, s.answer::<ActionResults>()),
            &[400, 502],
        ),
        Transfer => op(
            None,
            Some(s.request::<TransferRequest>()),
            (200, s.answer::<ActionResults>()),
            &[400, 502],
        ),
        Requests => op(None, None, (200, s.answer::<Items<SeatRequest>>()), &[]),
        Suggestions => op(
            None,
            None,
            (200, s.answer::<domain::api::Suggestions>()),
            &[],
        ),
        Forecast => op(
            None,
            Some(s.request::<ForecastRequest>()),
            (200, s.answer::<domain::api::Forecast>()),
            &[400, 404],
        ),
        RenewalRequest => op(
            None,
            Some(s.request::<domain::api::RenewalAsk>()),
            (200, s.answer::<domain::api::RenewalAsked>()),
            &[400, 404],
        ),
        AutoActivate => op(
            None,
            Some(s.request::<AutoActivateRequest>()),
            (200, s.answer::<domain::api::AutoActivate>()),
            &[400, 502],
        ),
        IdleSettings => op(
            None,
            Some(s.request::<domain::api::IdleSettings>()),
            (200, s.answer::<domain::api::IdleSettings>()),
            &[400],
        ),
        Alerts => op(None, None, (200, s.answer::<domain::api::Alerts>()), &[404]),
        AlertSettings => op(
            None,
            Some(s.request::<domain::api::AlertSettings>()),
            (200, s.answer::<domain::api::AlertSettings>()),
            &[400],
        ),
        Events => op(
            None,
            None,
            (200, s.answer::<domain::api::EventHealth>()),
            &[],
        ),
        RetryEvents => op(
            None,
            None,
            (200, s.answer::<domain::api::EventsRetried>()),
            &[],
        ),
        AgentConfig => op(
            Some(s.query::<domain::api::AgentConfigQuery>()),
            None,
            (200, s.answer::<domain::api::AgentConfig>()),
            &[400, 404, 502],
        ),
        RevokeSessions => op(
            None,
            None,
            (200, s.answer::<domain::api::SessionsRevoked>()),
            &[],
        ),
        Trends => op(None, None, (200, s.answer::<domain::api::Trends>()), &[]),
        Audit => op(
            Some(s.query::<AuditQuery>()),
            None,
            (200, s.answer::<Page<AuditItem>>()),
            &[400],
        ),
        ExportMembers => op(Some(s.query::<MemberFilters>()), None, (200, csv()), &[400]),
        ExportSeats => op(Some(s.query::<SeatFilters>()), None, (200, csv()), &[400]),
        ExportOrders => op(None, None, (200, csv()), &[]),
        ExportAudit => op(Some(s.query::<AuditFilters>()), None, (200, csv()), &[400]),
        DeskOrder => op(
            None,
            Some(s.request::<domain::api::DeskOrderRequest>()),
            (200, s.answer::<domain::api::DeskOrderPlaced>()),
            &[400, 404, 409, 502],
        ),
        DeskPay => op(
            None,
            Some(s.request::<domain::api::DeskPayRequest>()),
            (200, s.answer::<domain::api::DeskPaid>()),
            &[400, 502],
        ),
        DeskMultiOrder => op(
            None,
            Some(s.request::<domain::api::DeskMultiOrderRequest>()),
            (200, s.answer::<domain::api::DeskMultiPlaced>()),
            &[400, 409, 502],
        ),
        DeskMultiPay => op(
            None,
            Some(s.request::<domain::api::DeskPayRequest>()),
            (200, s.answer::<domain::api::DeskPaid>()),
            &[400, 502],
        ),
        DeskRenewals => op(
            Some(s.query::<domain::api::DeskRenewalsQuery>()),
            None,
            (200, s.answer::<domain::api::DeskRenewals>()),
            &[400],
        ),
        DeskRenew => op(
            None,
            Some(s.request::<domain::api::DeskRenewRequest>()),
            (200, s.answer::<domain::api::DeskRenewPlaced>()),
            &[400, 409, 502],
        ),
        DeskCorps => op(
            Some(s.query::<domain::api::DeskQuery>()),
            None,
            (200, s.answer::<Page<domain::api::DeskRow>>()),
            &[400],
        ),
    }
}

/// A CSV export's body: text, its first line the header
/// (`edge::reports::export`).
fn csv() -> Value {
    json!({"type": "string", "description": "UTF-8 CSV with a byte-order mark, CRLF line ends; the first line names the columns"})
}

/// The media type of a route's success body.
fn media(route: Route) -> &'static str {
    if route.path().ends_with(".csv") {
        "text/csv"
    } else {
        "application/json"
    }
}

/// What every error answer is, by status.
fn error_description(status: u16) -> &'static str {
    match status {
        400 => "The query or body is not what this operation takes (`bad_request`).",
        401 => "No valid session, access key or operator key (`unauthenticated`), or WeCom no longer lists the session's user as an admin of the app (`not_admin`).",
        403 => "The session manages another organisation (`forbidden`), is a member's, not an admin's (`member_session`), this operation changes something and WeCom gave the admin no management permission (`read_only`), or a browser sent it from another origin (`cross_site`).",
        415 => "A request body that is not `application/json` (`unsupported_media_type`).",
        404 => "Not found: the organisation is not installed (`not_found`, `unknown_corp`).",
        409 => "A sync of this organisation is already running (`sync_running`, naming who started it and when, with its `progress`: chunks of departments done of the total); try again when it is done.",
        500 => "An internal failure; details are logged, never sent (`internal`).",
        502 => "WeCom refused or could not be reached (`wecom_error`).",
        503 => "D1, KV or the queue is unreachable (health: the same body, `ok: false`).",
        _ => "An error.",
    }
}

fn statuses(route: Route, op: &Operation) -> Vec<u16> {
    let mut all: Vec<u16> = op.errors.to_vec();
    match route.door() {
        Door::Session | Door::Manage | Door::ManageOrOperator | Door::Operator => {
            all.extend([401, 403])
        }
        Door::Member => all.push(401),
        Door::AccessKey => all.push(401),
        Door::Public => {}
    }
    if route.method() == Method::Post {
        // Every state-changing request: same origin, JSON body (edge::http::same_origin).
        all.extend([403, 415]);
    }
    if route != Route::OpenApi {
        all.push(500);
    }
    all.sort_unstable();
    all.dedup();
    all
}

/// A query value is absent or a string, never `null`: drops the null that
/// an `Option` field's schema allows.
fn not_null(mut schema: Value) -> Value {
    if let Some(any) = schema.get("anyOf").and_then(Value::as_array) {
        let rest: Vec<Value> = any
            .iter()
            .filter(|s| s.get("type") != Some(&json!("null")))
            .cloned()
            .collect();
        if let [one] = &rest[..] {
            let mut one = one.clone();
            if let (Some(o), Some(d)) = (one.as_object_mut(), schema.get("description")) {
                o.insert("description".into(), d.clone());
            }
            schema = one;
        }
    }
    if let Some(types) = schema.get("type").and_then(Value::as_array) {
        let types: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
        schema["type"] = if types.len() == 1 {
            types[0].clone()
        } else {
            json!(types)
        };
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let values: Vec<Value> = values.iter().filter(|v| !v.is_null()).cloned().collect();
        schema["enum"] = json!(values);
    }
    schema
}

fn parameters(route: Route, op: &Operation) -> Vec<Value> {
    let mut params = vec![];
    if route.path().contains("{corp_id}") {
        params.push(json!({"$ref": "#/components/parameters/corp_id"}));
    }
    if let Some(query) = &op.query {
        let props = query["properties"].as_object().cloned().unwrap_or_default();
        let required: Vec<Value> = query["required"].as_array().cloned().unwrap_or_default();
        for (name, schema) in props {
            let needed = required.iter().any(|r| r == &Value::String(name.clone()));
            let mut schema = not_null(schema);
            let description = schema
                .as_object_mut()
                .and_then(|o| o.remove("description"))
                .unwrap_or(Value::Null);
            let mut p = json!({"name": name, "in": "query", "required": needed, "schema": schema});
            if !description.is_null() {
                p["description"] = description;
            }
            params.push(p);
        }
    }
    params
}

fn json_content(schema: Value) -> Value {
    content("application/json", schema)
}

fn content(media: &str, schema: Value) -> Value {
    json!({media: {"schema": schema}})
}

fn describe(route: Route, s: &mut Schemas) -> Value {
    let op = operation(route, s);
    let mut responses = Map::new();
    let (ok_status, ok_schema) = op.ok.clone();
    responses.insert(
        ok_status.to_string(),
        json!({"description": "Success.", "content": content(media(route), ok_schema.clone())}),
    );
    for status in statuses(route, &op) {
        let body = if route == Route::Health {
            json!({"description": error_description(status), "content": json_content(ok_schema.clone())})
        } else {
            json!({"$ref": format!("#/components/responses/E{status}")})
        };
        responses.insert(status.to_string(), body);
    }
    let mut o = json!({
        "operationId": route.id(),
        "summary": route.summary(),
        "responses": responses,
    });
    let params = parameters(route, &op);
    if !params.is_empty() {
        o["parameters"] = json!(params);
    }
    if let Some(body) = op.body {
        o["requestBody"] = json!({"required": true, "content": json_content(body)});
    }
    match route.door() {
        Door::Session | Door::Manage | Door::Member | Door::Operator => {
            o["security"] = json!([{"session": []}])
        }
        Door::AccessKey => o["security"] = json!([{"accessKey": []}]),
        // Either one: OpenAPI's list of alternatives.
        Door::ManageOrOperator => o["security"] = json!([{"session": []}, {"operatorKey": []}]),
        Door::Public => {}
    }
    o
}

/// The document of every route of the table (development-only routes are
/// not in it: they live in `edge`'s `dev` feature).
pub fn document(version: &str) -> Value {
    let mut s = Schemas::new();
    let mut paths = Map::new();
    for route in Route::ALL {
        let method = match route.method() {
            Method::Get => "get",
            Method::Post => "post",
        };
        let entry = paths
            .entry(route.path().to_owned())
            .or_insert_with(|| json!({}));
        entry[method] = describe(*route, &mut s);
    }
    let mut responses = Map::new();
    for status in [400, 401, 403, 404, 409, 415, 500, 502] {
        responses.insert(
            format!("E{status}"),
            json!({
                "description": error_description(status),
                "content": json_content(json!({"$ref": "#/components/schemas/ErrorBody"})),
            }),
        );
    }
    // Every error body, whichever operation answers it.
    s.answer::<ErrorBody>();
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "wecom-seats API",
            "version": version,
            "description": "The Worker's JSON API. Console routes under `/api/v1/corps/{corp_id}` need the session cookie for that same organisation (401 without a session, 403 for another organisation's id). The access check needs `Authorization: Bearer <ACCESS_API_KEY>`. Every error is `{\"error\":{\"code\",\"message\"}}`; a path asked with a method it does not serve answers 405 with `Allow`. WeCom's callback routes (`/wecom/callback/*`) speak WeCom's protocol (plain text) and are described in docs/callbacks.md."
        },
        "servers": [{"url": "http://127.0.0.1:8787"}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE},
                "accessKey": {"type": "http", "scheme": "bearer", "description": "The product's servers: `Authorization: Bearer <ACCESS_API_KEY>`."},
                "operatorKey": {"type": "http", "scheme": "bearer", "description": "The provider's operator, for any organisation: `Authorization: Bearer <OPERATOR_API_KEY>` (the access key is not accepted)."},
            },
            "parameters": {
                "corp_id": {
                    "name": "corp_id", "in": "path", "required": true,
                    "description": "The organisation's WeCom corp id; a session manages exactly one.",
                    "schema": {"type": "string"}
                }
            },
            "responses": responses,
            "schemas": s.into_components(),
        },
    })
}

/// The document as `edge/openapi.json` holds it.
pub fn document_text() -> String {
    let mut text = serde_json::to_string_pretty(&document(env!("CARGO_PKG_VERSION")))
        .expect("the document is JSON");
    text.push('\n');
    text
}
