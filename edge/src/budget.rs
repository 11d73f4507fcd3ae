//! A per-client budget on the anonymous sign-in routes, so that traffic
//! from nobody in particular cannot make us write login states or ask
//! WeCom about junk codes without end. Cloudflare's rate-limiting binding
//! counts (no storage round trip; `wrangler dev` plays it locally); past
//! the budget the answer is 429 with `Retry-After`, before any D1 write or
//! WeCom call.
//!
//! The client is `CF-Connecting-IP`, which Cloudflare sets on every
//! request and a client cannot choose (`wrangler dev` sets it only when a
//! request has none, so tests can speak for several clients).

use crate::error::ApiError;
use crate::pages;
use worker::{console_warn, Env, Request, Response};

/// The window both budgets count in: the binding takes 10 or 60 seconds
/// (developers.cloudflare.com/workers/runtime-apis/bindings/rate-limit/,
/// read 2026-12-06). A refused client is told to wait one whole window.
pub const BUDGET_PERIOD_SECS: u32 = 60;

/// Which budget a route spends from; each is a `[[ratelimits]]` binding in
/// `wrangler.toml` with the limit named here (a unit test keeps the two
/// equal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    /// The admin's sign-in: `/auth/login`, `/auth/callback`,
    /// `/auth/wecom-admin` (the only route that asks WeCom about a code
    /// without a state) and its continue step. Admins are few, and a
    /// sign-in is two or three of these requests.
    Admin,
    /// A member's sign-in inside WeCom: the webview's OAuth start (`/` or
    /// `/me` without a session) and `/auth/oauth`. Larger, because a whole
    /// organisation may reach us through one address (its office NAT) when
    /// everyone opens the app at nine.
    Member,
}

impl Budget {
    pub const fn binding(self) -> &'static str {
        match self {
            Budget::Admin => "ADMIN_SIGNIN_BUDGET",
            Budget::Member => "MEMBER_SIGNIN_BUDGET",
        }
    }

    /// Requests one client may make per [`BUDGET_PERIOD_SECS`]: the
    /// binding enforces it; this names it, and the test below keeps
    /// `wrangler.toml` equal to it.
    #[cfg_attr(not(test), allow(dead_code))]
    pub const fn limit(self) -> u32 {
        match self {
            Budget::Admin => 30,
            Budget::Member => 600,
        }
    }
}

/// The client a budget counts for.
fn client(req: &Request) -> String {
    req.headers()
        .get("CF-Connecting-IP")
        .ok()
        .flatten()
        .filter(|ip| !ip.is_empty())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Spends one request of `budget` for this request's client: `Ok(None)` to
/// go on, `Ok(Some(429 page))` past the budget. A missing binding is a
/// deployment error (500); a limiter that fails to answer lets the request
/// through (sign-in must not stop with it) and says so in the log.
pub async fn spend(
    req: &Request,
    env: &Env,
    budget: Budget,
) -> std::result::Result<Option<Response>, ApiError> {
    let limiter = env
        .rate_limiter(budget.binding())
        .map_err(|e| ApiError::internal(format!("{} binding: {e}", budget.binding())))?;
    match limiter.limit(client(req)).await {
        Ok(outcome) if outcome.success => Ok(None),
        Ok(_) => pages::too_many(BUDGET_PERIOD_SECS).map(Some),
        Err(e) => {
            console_warn!(
                "{} did not answer, request let through: {e}",
                budget.binding()
            );
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `[[ratelimits]]` entry of `wrangler.toml` named `binding`:
    /// its limit and period.
    fn configured(binding: &str) -> (u32, u32) {
        let toml = include_str!("../../wrangler.toml");
        let entry = toml
            .split("[[ratelimits]]")
            .skip(1)
            .find(|e| e.contains(&format!("name = \"{binding}\"")))
            .unwrap_or_else(|| panic!("wrangler.toml has no [[ratelimits]] {binding}"));
        let number = |key: &str| -> u32 {
            let at = entry.find(&format!("{key} = ")).expect(key) + key.len() + 3;
            entry[at..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse()
                .expect(key)
        };
        (number("limit"), number("period"))
    }

    #[test]
    fn wrangler_toml_configures_each_budget_as_the_code_names_it() {
        for budget in [Budget::Admin, Budget::Member] {
            assert_eq!(
                configured(budget.binding()),
                (budget.limit(), BUDGET_PERIOD_SECS),
                "{budget:?}"
            );
        }
    }
}
