//! WeCom's rules for binding and moving interface licenses, written here
//! from WeCom's license documentation independently of `domain::seat`:
//! a code is bound within a year of purchase, a member may renew only with
//! 20 days or less left and never past five years stacked, and a transfer
//! away from an active member in range waits 30 days before the account
//! moves again. Each operation answers WeCom's errcode (0 when it went).

use crate::range::visible;
use crate::state::{Account, State, MAX_STACKED_SECS};
use domain::wecom::AccountStatus;

const DAY: u64 = 86_400;
/// An activation code must be bound within a year of its order's payment
/// (701012).
const CODE_BIND_WINDOW_SECS: u64 = 365 * DAY;
/// A member holding an account of a type may be given another only with
/// this little time left (701011; 701018 for a transfer's takeover).
const RENEW_WINDOW_SECS: u64 = 20 * DAY;
/// An account moved away from an active member in range cannot move again
/// for this long (701017).
const TRANSFER_COOLDOWN_SECS: u64 = 30 * DAY;

/// A member's active account of one type, if any.
fn held<'a>(state: &'a State, corp: &str, userid: &str, t: u8, now: u64) -> Option<&'a Account> {
    state.accounts.iter().find(|a| {
        a.corp_id == corp
            && a.userid.as_deref() == Some(userid)
            && a.account_type == t
            && a.expire_time.is_some_and(|e| e > now)
    })
}

/// Whether the member exists and the app may see them (`None`: no such
/// member or organisation).
fn member_visible(state: &State, corp: &str, userid: &str) -> Option<bool> {
    let c = state.corps.get(corp)?;
    let u = c.users.iter().find(|u| u.userid == userid)?;
    Some(visible(c).sees(u))
}

/// Ends an account now: its time was merged into another (status 5).
fn end_now(state: &mut State, active_code: &str, now: u64) {
    if let Some(o) = state
        .accounts
        .iter_mut()
        .find(|a| a.active_code == active_code)
    {
        o.expire_time = Some(now);
        o.set_status = Some(AccountStatus::Merged);
    }
}

/// Activates one code for one member; the WeCom errcode when it cannot.
pub fn activate(state: &mut State, corp: &str, code: &str, userid: &str) -> i64 {
    let now = state.now();
    match member_visible(state, corp, userid) {
        // 701019: the userid is not a member the app may see.
        None | Some(false) => return 701019,
        Some(true) => {}
    }
    let Some(i) = state
        .accounts
        .iter()
        .position(|a| a.active_code == code && a.corp_id == corp)
    else {
        return 701002; // not a license account of this organisation
    };
    if state.accounts[i].userid.is_some() {
        return 701003; // code already bound
    }
    if state.accounts[i].set_status.is_some() {
        return 701002; // merged or shared downstream: not ours to bind
    }
    if now > state.accounts[i].create_time + CODE_BIND_WINDOW_SECS {
        return 701012; // a code must be bound within 365 days of purchase
    }
    let t = state.accounts[i].account_type;
    let days = state.accounts[i].days;
    let mut expire = now + days * DAY;
    if let Some(h) = held(state, corp, userid, t, now) {
        let left = h.expire_time.unwrap_or(now) - now;
        if left > RENEW_WINDOW_SECS {
            return 701011; // userid already bound: more than 20 days left
        }
        expire += left;
        if expire - now > MAX_STACKED_SECS {
            return 701030;
        }
        let old = h.active_code.clone();
        end_now(state, &old, now); // merged into the new one
    }
    let a = &mut state.accounts[i];
    a.userid = Some(userid.to_owned());
    a.active_time = Some(now);
    a.expire_time = Some(expire);
    0
}

/// `active_account_by_type` when no unbound code of the type is left (WeCom
/// documents no own errcode for it; this is its "invalid code" one).
const NO_FREE_CODE: i64 = 701002;

/// `active_account_by_type`: binds the unbound code of this type with the
/// earliest activation deadline (a code must be bound within a year of its
/// purchase) to a member without a valid account of that type; renewing is
/// not its job. The WeCom errcode when it cannot.
pub fn activate_by_type(state: &mut State, corp: &str, userid: &str, t: u8) -> i64 {
    let now = state.now();
    if member_visible(state, corp, userid) != Some(true) {
        return 701019;
    }
    if held(state, corp, userid, t, now).is_some() {
        return 701011; // already holds a valid account of this type
    }
    let earliest = state
        .accounts
        .iter()
        .filter(|a| a.corp_id == corp && a.account_type == t)
        .filter(|a| a.status(now) == AccountStatus::Unbound)
        .filter(|a| now <= a.create_time + CODE_BIND_WINDOW_SECS)
        .min_by_key(|a| a.create_time)
        .map(|a| a.active_code.clone());
    match earliest {
        Some(code) => activate(state, corp, &code, userid),
        None => NO_FREE_CODE,
    }
}

/// An account about to move in a transfer.
struct Moving {
    active_code: String,
    account_type: u8,
    transferable_after: u64,
}

/// Moves every active account of `handover` to `takeover`; the WeCom
/// errcode when it cannot.
pub fn transfer(state: &mut State, corp: &str, handover: &str, takeover: &str) -> i64 {
    let now = state.now();
    if handover == takeover || member_visible(state, corp, takeover) != Some(true) {
        return 701019;
    }
    // The handover's active accounts (any type) move.
    let moving: Vec<Moving> = state
        .accounts
        .iter()
        .filter(|a| {
            a.corp_id == corp
                && a.userid.as_deref() == Some(handover)
                && a.expire_time.is_some_and(|e| e > now)
        })
        .map(|a| Moving {
            active_code: a.active_code.clone(),
            account_type: a.account_type,
            transferable_after: a.transferable_after,
        })
        .collect();
    if moving.is_empty() {
        return 701016; // handover holds no active, unexpired account
    }
    if moving.iter().any(|m| m.transferable_after > now) {
        return 701017; // transferred within 30 days
    }
    for m in &moving {
        if let Some(h) = held(state, corp, takeover, m.account_type, now) {
            if h.expire_time.unwrap_or(now) - now > RENEW_WINDOW_SECS {
                return 701018; // takeover already holds this type
            }
        }
    }
    // Leaving an active member inside the range starts the 30-day wait.
    let handover_active_in_range = member_visible(state, corp, handover) == Some(true);
    for m in moving {
        let replaced =
            held(state, corp, takeover, m.account_type, now).map(|h| h.active_code.clone());
        if let Some(old) = replaced {
            end_now(state, &old, now);
        }
        if let Some(a) = state
            .accounts
            .iter_mut()
            .find(|a| a.active_code == m.active_code)
        {
            a.userid = Some(takeover.to_owned());
            a.set_status = None; // bound again, no longer awaiting transfer
            a.transferable_after = if handover_active_in_range {
                now + TRANSFER_COOLDOWN_SECS
            } else {
                0
            };
        }
    }
    0
}
