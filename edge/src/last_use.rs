//! When each member last used the app, noted by the access check at most
//! once a day a member. The isolate remembers whom it noted today and
//! gathers the day's first sightings for a second; one `wait_until`, after
//! the answer that started the gathering, writes them all in one round trip.
//! So the check answers after no more storage round trips than without it,
//! and a burst of members' first checks costs D1 one write a second, not
//! one a member. D1 keeps one row a member a day whatever the isolates do:
//! the write changes a row only when its last use is from an earlier day.
//! An isolate evicted while gathering loses that second's notes (a last
//! use is a hint for idle seats; the member's next day notes it again).

use crate::error::ApiError;
use crate::shard;
use crate::store::{self, LastUse};
use domain::when::china_day_start;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashSet};
use std::time::Duration;
use worker::{console_error, Context, Env};

/// Members an isolate remembers noting in a day (memory stays bounded;
/// past it the day starts over, and D1's guard still writes no second row).
const NOTED_MAX: usize = 100_000;

/// How long the isolate gathers first sightings before writing them: far
/// inside the 30 s a `wait_until` may run past its response ("Duration",
/// Workers limits, <https://developers.cloudflare.com/workers/platform/limits/#duration>).
const GATHER: Duration = Duration::from_millis(1000);

#[derive(Default)]
struct Noted {
    /// The day (its start) the set is for.
    day: u64,
    /// Members noted in it, `corp\x1fuserid`.
    members: HashSet<String>,
    /// Sightings gathered and not yet written.
    pending: Vec<LastUse>,
    /// Whether a `wait_until` will write `pending`.
    gathering: bool,
}

thread_local! {
    static NOTED: RefCell<Noted> = RefCell::new(Noted::default());
}

/// What a sighting asks of the caller.
#[derive(Debug, PartialEq)]
enum Sighting {
    /// Seen before today: nothing to do.
    Seen,
    /// Gathered with others; a write is already on its way.
    Gathered,
    /// Gathered first: the caller starts the write.
    StartsGathering,
}

fn sight(noted: &mut Noted, corp_id: &str, userid: &str, now: u64) -> Sighting {
    let day = china_day_start(now);
    if noted.day != day || noted.members.len() >= NOTED_MAX {
        noted.day = day;
        noted.members.clear();
    }
    if !noted.members.insert(format!("{corp_id}\u{1f}{userid}")) {
        return Sighting::Seen;
    }
    noted.pending.push(LastUse {
        corp_id: corp_id.to_owned(),
        userid: userid.to_owned(),
        at: now,
        day,
    });
    if noted.gathering {
        Sighting::Gathered
    } else {
        noted.gathering = true;
        Sighting::StartsGathering
    }
}

/// What the gathering wrote: every sighting pending, and none are now.
fn take_pending(noted: &mut Noted) -> Vec<LastUse> {
    noted.gathering = false;
    std::mem::take(&mut noted.pending)
}

/// Notes that the member used the app now, after the answer.
pub fn note(ctx: &Context, env: &Env, corp_id: &str, userid: &str, now: u64) {
    let sighting = NOTED.with(|n| sight(&mut n.borrow_mut(), corp_id, userid, now));
    if sighting != Sighting::StartsGathering {
        return;
    }
    let env = env.clone();
    ctx.wait_until(async move {
        worker::Delay::from(GATHER).await;
        let uses = NOTED.with(|n| take_pending(&mut n.borrow_mut()));
        // One write a database (the access check already found each
        // organisation's, so nothing is looked up here).
        let mut by_database: BTreeMap<String, Vec<LastUse>> = BTreeMap::new();
        for u in uses {
            match shard::binding_for(&env, &u.corp_id).await {
                Ok(b) => by_database.entry(b).or_default().push(u),
                Err(e) => console_error!("last use in {} not noted: {}", u.corp_id, e.message),
            }
        }
        for (binding, uses) in by_database {
            let written = match shard::open_binding(&env, &binding) {
                Ok(db) => store::note_last_uses(&db, &uses)
                    .await
                    .map_err(ApiError::from),
                Err(e) => Err(e),
            };
            if let Err(e) = written {
                console_error!(
                    "last use of {} members not noted: {}",
                    uses.len(),
                    e.message
                );
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: u64 = 1_780_000_000;

    #[test]
    fn a_day_gathers_each_member_once_and_one_sighting_starts_the_write() {
        let mut noted = Noted::default();
        assert_eq!(sight(&mut noted, "c", "a", T), Sighting::StartsGathering);
        assert_eq!(sight(&mut noted, "c", "b", T + 1), Sighting::Gathered);
        assert_eq!(sight(&mut noted, "c", "a", T + 2), Sighting::Seen);
        assert_eq!(sight(&mut noted, "d", "a", T + 2), Sighting::Gathered);
        let uses = take_pending(&mut noted);
        let who: Vec<_> = uses
            .iter()
            .map(|u| (u.corp_id.as_str(), u.userid.as_str()))
            .collect();
        assert_eq!(who, [("c", "a"), ("c", "b"), ("d", "a")]);
        assert!(uses.iter().all(|u| u.day == china_day_start(T)));
        // After the write, a new member starts the next one; a known one
        // still does nothing that day.
        assert_eq!(sight(&mut noted, "c", "a", T + 3), Sighting::Seen);
        assert_eq!(
            sight(&mut noted, "c", "e", T + 3),
            Sighting::StartsGathering
        );
    }

    #[test]
    fn the_next_day_notes_the_member_again() {
        let mut noted = Noted::default();
        sight(&mut noted, "c", "a", T);
        take_pending(&mut noted);
        assert_eq!(
            sight(&mut noted, "c", "a", T + 86_400),
            Sighting::StartsGathering
        );
        assert_eq!(take_pending(&mut noted)[0].day, china_day_start(T + 86_400));
    }
}
