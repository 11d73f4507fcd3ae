//! Wall-clock time for the rules, in unix seconds.

pub fn now_secs() -> u64 {
    worker::Date::now().as_millis() / 1000
}
