//! The `/api/v1` route table, shared by `edge` (whose router is built from
//! it and must handle every entry: an exhaustive `match`) and the OpenAPI
//! generator in `contract` (which documents every entry). A route cannot
//! exist in one and not the other. Development-only routes are not here:
//! they live in `edge`'s `dev` module, compiled only with its `dev`
//! feature, so production builds have none of them.

/// HTTP methods the API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    /// The method a request names (exactly, as HTTP methods are
    /// case-sensitive); `None` for any the API does not use.
    pub fn parse(name: &str) -> Option<Method> {
        match name {
            "GET" => Some(Method::Get),
            "POST" => Some(Method::Post),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Door {
    /// Anyone (health, the document itself, who is signed in).
    Public,
    /// A console session for the organisation named by `{corp_id}`.
    Session,
    /// A console session whose admin has WeCom's management permission
    /// for the app (`auth_type` 1): the routes that change something.
    Manage,
    /// Any session of the user named inside it (a member's or an
    /// admin's): only that user's own data (`/api/v1/me...`).
    Member,
    /// The product's servers: `Authorization: Bearer <ACCESS_API_KEY>`.
    AccessKey,
    /// Either `Manage`, or the provider's operator for any organisation:
    /// `Authorization: Bearer <OPERATOR_API_KEY>` (a different key from
    /// the access key, which is refused here).
    ManageOrOperator,
    /// The provider's operator: an operator's console session (a member of
    /// `PROVIDER_CORPID` named in `OPERATOR_USERIDS`).
    Operator,
}

macro_rules! routes {
    ($($name:ident => $method:ident $path:literal, $door:ident, $summary:literal;)*) => {
        /// Every `/api/v1` route.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Route {
            $(#[doc = $summary] $name,)*
        }

        impl Route {
            pub const ALL: &'static [Route] = &[$(Route::$name,)*];

            pub fn method(self) -> Method {
                match self {
                    $(Route::$name => Method::$method,)*
                }
            }

            /// The path in OpenAPI's form (`{corp_id}`).
            pub fn path(self) -> &'static str {
                match self {
                    $(Route::$name => $path,)*
                }
            }

            pub fn door(self) -> Door {
                match self {
                    $(Route::$name => Door::$door,)*
                }
            }

            /// One line for people: the operation's summary.
            pub fn summary(self) -> &'static str {
                match self {
                    $(Route::$name => $summary,)*
                }
            }

            /// A stable name (the OpenAPI `operationId`).
            pub fn id(self) -> &'static str {
                match self {
                    $(Route::$name => stringify!($name),)*
                }
            }
        }
    };
}

routes! {
    Health         => Get  "/api/v1/health", Public, "Liveness with real D1 and KV round trips";
    OpenApi        => Get  "/api/v1/openapi.json", Public, "This document";
    Session        => Get  "/api/v1/session", Public, "Who the console is signed in as";
    AccessCheck    => Post "/api/v1/access/check", AccessKey, "May this member do this operation now?";
    Me             => Get  "/api/v1/me", Member, "The signed-in member's own access, seat and seat request";
    MeSeatRequest  => Post "/api/v1/me/seat-request", Member, "Asks the admins for a seat (once: a second ask adds nothing)";
    Corp           => Get  "/api/v1/corps/{corp_id}", Session, "The organisation this session manages";
    Members        => Get  "/api/v1/corps/{corp_id}/members", Session, "Members, filtered, in userid order";
    Departments    => Get  "/api/v1/corps/{corp_id}/departments", Session, "The in-range department tree with member counts";
    Range          => Get  "/api/v1/corps/{corp_id}/range", Session, "The visible range, its counts and advice";
    SyncStatus     => Get  "/api/v1/corps/{corp_id}/sync", Session, "The last or running contacts sync";
    StartSync      => Post "/api/v1/corps/{corp_id}/sync", Manage, "Starts a full contacts sync";
    Summary        => Get  "/api/v1/corps/{corp_id}/summary", Session, "License regime, trial, seats and licensed members";
    Seats          => Get  "/api/v1/corps/{corp_id}/seats", Session, "Accounts, with status computed now";
    Orders         => Get  "/api/v1/corps/{corp_id}/orders", Session, "Orders mirrored from WeCom (awaiting payment too), newest first by payment or, unpaid, by placing; at most 100";
    Activate       => Post "/api/v1/corps/{corp_id}/seats/activate", Manage, "Binds free accounts to members";
    Transfer       => Post "/api/v1/corps/{corp_id}/seats/transfer", Manage, "Moves members' seats to others";
    Requests       => Get  "/api/v1/corps/{corp_id}/requests", Session, "Members who asked for a seat, those without one first, then the latest; at most 200";
    Suggestions    => Get  "/api/v1/corps/{corp_id}/suggestions", Session, "Idle seats matched to members who asked; it weighs at most 1000 of each";
    Forecast       => Post "/api/v1/corps/{corp_id}/forecast", Session, "Members and seats a range change would mean; it weighs at most 100000 members and 100000 departments";
    RenewalRequest => Post "/api/v1/corps/{corp_id}/renewal_request", Manage, "Asks the provider to renew the seats ending within 1 to 90 days; the desk shows the request";
    AutoActivate   => Post "/api/v1/corps/{corp_id}/auto_activate", Manage, "WeCom's auto-activation on or off";
    IdleSettings   => Post "/api/v1/corps/{corp_id}/idle_settings", Manage, "When an in-range member's seat counts as idle (7 to 365 days without use) and whether idle seats move to the members asking each night";
    Alerts         => Get  "/api/v1/corps/{corp_id}/alerts", Session, "The alerts the admins get inside WeCom: each kind on or off, and who receives them (only seat holders once WeCom checks licenses)";
    AlertSettings  => Post "/api/v1/corps/{corp_id}/alerts", Manage, "Turns kinds of alert off (every other kind on)";
    Events         => Get  "/api/v1/corps/{corp_id}/events", Session, "Callbacks waiting to be applied, and those that failed";
    RetryEvents    => Post "/api/v1/corps/{corp_id}/events/retry", ManageOrOperator, "Sends the failed callbacks to the queue again (an admin who manages, or the provider's operator key)";
    AgentConfig    => Get  "/api/v1/corps/{corp_id}/jsapi/agent_config", Session, "Signs wx.agentConfig for a console page, so WeCom's JS-SDK can show real names";
    RevokeSessions => Post "/api/v1/corps/{corp_id}/sessions/revoke", Manage, "Ends every session of the organisation, the caller's too";
    Trends         => Get  "/api/v1/corps/{corp_id}/trends", Session, "Seats bought and active, members in range and asking: the cron's snapshot of each of the last 90 days; new seat requests a week";
    Audit          => Get  "/api/v1/corps/{corp_id}/audit", Session, "The audit log, newest first: admins' actions, sign-ins, changes WeCom pushed, the cron's repairs";
    ExportMembers  => Get  "/api/v1/corps/{corp_id}/export/members.csv", Session, "Members with their seats as CSV (UTF-8 with BOM), the members list's filters; at most 105000 rows";
    ExportSeats    => Get  "/api/v1/corps/{corp_id}/export/seats.csv", Session, "Seats as CSV (UTF-8 with BOM), the seat list's filters; at most 105000 rows";
    ExportOrders   => Get  "/api/v1/corps/{corp_id}/export/orders.csv", Session, "Orders mirrored from WeCom as CSV (UTF-8 with BOM)";
    DeskOrder      => Post "/api/v1/desk/corps/{corp_id}/orders", Operator, "New seats for one organisation (create_new_order), bought by the signed-in operator; the same request_id gives the same order";
    DeskPay        => Post "/api/v1/desk/corps/{corp_id}/orders/pay", Operator, "Pays an order from the provider's balance (submit_pay_job) and says how it went";
    DeskMultiOrder => Post "/api/v1/desk/orders", Operator, "New seats for several organisations in one multi-organisation order (create_new_order_job, submit_new_order_job), bought by the signed-in operator; the same request_id gives the same order";
    DeskMultiPay   => Post "/api/v1/desk/orders/pay", Operator, "Pays a multi-organisation order from the provider's balance and notes it in each organisation's log";
    DeskRenewals   => Get  "/api/v1/desk/corps/{corp_id}/renewals", Operator, "The seats a renewal would renew: members whose seat ends within within_days (default 30), soonest first, the first 200 and how many in all";
    DeskRenew      => Post "/api/v1/desk/corps/{corp_id}/renewals", Operator, "Renews the seats ending within within_days for months (create_renew_order_job, submit_order_job), bought by the signed-in operator; names the seats WeCom refused";
    DeskCorps      => Get  "/api/v1/desk/corps", Operator, "The provider's desk: every installed organisation with its seats, requests, trial, callbacks and sync, filtered, sorted and paged";
    ExportAudit    => Get  "/api/v1/corps/{corp_id}/export/audit.csv", Session, "The audit log as CSV (UTF-8 with BOM), its filters, newest first; at most 105000 rows";
}

/// A table path in the router's form (`{corp_id}` becomes `:corp_id`).
pub fn router_pattern(path: &str) -> String {
    path.replace("{corp_id}", ":corp_id")
}

impl Route {
    /// The methods served at this route's path (for `Allow`).
    pub fn methods_at(path: &str) -> Vec<Method> {
        Route::ALL
            .iter()
            .filter(|r| r.path() == path)
            .map(|r| r.method())
            .collect()
    }

    /// The route at `path` for `method`.
    pub fn find(method: Method, path: &str) -> Option<Route> {
        Route::ALL
            .iter()
            .copied()
            .find(|r| r.method() == method && r.path() == path)
    }

    /// Every distinct path, in table order.
    pub fn paths() -> Vec<&'static str> {
        let mut paths: Vec<&'static str> = vec![];
        for r in Route::ALL {
            if !paths.contains(&r.path()) {
                paths.push(r.path());
            }
        }
        paths
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bounded_list_says_its_bound_in_its_summary() {
        use crate::api::{
            EXPORT_ROWS_MAX, FORECAST_WEIGHED, ORDERS_LISTED, REQUESTS_LISTED, SUGGESTIONS_WEIGHED,
        };
        let export = EXPORT_ROWS_MAX as usize;
        for (route, bound) in [
            (Route::ExportMembers, export),
            (Route::ExportSeats, export),
            (Route::ExportAudit, export),
            (Route::Orders, ORDERS_LISTED),
            (Route::Requests, REQUESTS_LISTED),
            (Route::Suggestions, SUGGESTIONS_WEIGHED),
            (Route::Forecast, FORECAST_WEIGHED),
        ] {
            assert!(
                route.summary().contains(&format!("at most {bound}")),
                "{:?}: {}",
                route,
                route.summary()
            );
        }
    }

    #[test]
    fn every_method_and_path_is_one_route() {
        for r in Route::ALL {
            assert_eq!(Route::find(r.method(), r.path()), Some(*r));
        }
        assert_eq!(
            Route::methods_at("/api/v1/corps/{corp_id}/sync"),
            vec![Method::Get, Method::Post]
        );
        assert_eq!(Route::find(Method::Post, "/api/v1/health"), None);
    }

    #[test]
    fn only_reads_are_open_to_admins_who_may_only_look() {
        let managed: Vec<Route> = Route::ALL
            .iter()
            .copied()
            .filter(|r| matches!(r.door(), Door::Manage | Door::ManageOrOperator))
            .collect();
        use Route::*;
        assert_eq!(
            managed,
            vec![
                StartSync,
                Activate,
                Transfer,
                RenewalRequest,
                AutoActivate,
                IdleSettings,
                AlertSettings,
                RetryEvents,
                RevokeSessions
            ]
        );
        // Only the retry is open to the provider's operator too.
        assert_eq!(RetryEvents.door(), Door::ManageOrOperator);
        // The forecast is a POST that changes nothing.
        assert_eq!(Forecast.door(), Door::Session);
    }

    #[test]
    fn a_members_routes_name_no_organisation_and_only_theirs_do() {
        let member: Vec<Route> = Route::ALL
            .iter()
            .copied()
            .filter(|r| r.door() == Door::Member)
            .collect();
        assert_eq!(member, vec![Route::Me, Route::MeSeatRequest]);
        for r in Route::ALL {
            // A member's session is scoped by the session itself: a route
            // that names an organisation is an admin's.
            assert_eq!(
                r.door() == Door::Member,
                r.path().starts_with("/api/v1/me"),
                "{r:?}"
            );
            if r.path().contains("{corp_id}") {
                assert!(
                    matches!(
                        r.door(),
                        Door::Session | Door::Manage | Door::ManageOrOperator | Door::Operator
                    ),
                    "{r:?}"
                );
            }
        }
    }

    #[test]
    fn router_patterns_use_colon_params() {
        assert_eq!(
            router_pattern(Route::Members.path()),
            "/api/v1/corps/:corp_id/members"
        );
        assert_eq!(router_pattern(Route::Health.path()), "/api/v1/health");
    }
}
