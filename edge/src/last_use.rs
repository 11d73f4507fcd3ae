//! When each member last used the app, noted by the access check at most
//! once a day a member: the isolate remembers whom it noted today, and the
//! write runs after the answer (`wait_until`), so the check answers after
//! no more storage round trips than without it. D1 keeps one row a member
//! a day whatever the isolates do: the write changes the row only when its
//! last use is from an earlier day.

use crate::env;
use crate::store;
use domain::when::china_day_start;
use std::cell::RefCell;
use std::collections::HashSet;
use worker::{console_error, Context, Env};

/// Members an isolate remembers noting in a day (memory stays bounded;
/// past it the day starts over, and D1's guard still writes no second row).
const NOTED_MAX: usize = 100_000;

thread_local! {
    /// The day (its start) and the members noted in it, `corp\x1fuserid`.
    static NOTED: RefCell<(u64, HashSet<String>)> = RefCell::new((0, HashSet::new()));
}

/// Whether `corp_id`'s `userid` is the isolate's first sighting today.
fn first_today(corp_id: &str, userid: &str, now: u64) -> Option<u64> {
    let day = china_day_start(now);
    NOTED.with(|noted| {
        let mut noted = noted.borrow_mut();
        if noted.0 != day || noted.1.len() >= NOTED_MAX {
            *noted = (day, HashSet::new());
        }
        noted
            .1
            .insert(format!("{corp_id}\u{1f}{userid}"))
            .then_some(day)
    })
}

/// Notes that the member used the app now, after the answer.
pub fn note(ctx: &Context, env: &Env, corp_id: &str, userid: &str, now: u64) {
    let Some(day) = first_today(corp_id, userid, now) else {
        return;
    };
    let Ok(db) = env::db(env) else {
        return;
    };
    let (corp_id, userid) = (corp_id.to_owned(), userid.to_owned());
    ctx.wait_until(async move {
        if let Err(e) = store::note_last_use(&db, &corp_id, &userid, now, day).await {
            console_error!("{corp_id}: last use of {userid} not noted: {e}");
        }
    });
}
