//! Which of several D1 databases a new organisation is placed on: a
//! stable hash of its corp id, so a retried install (or a reinstall after
//! `cancel_auth`) lands on the same database, and organisations spread
//! evenly. The directory (edge `shard`) records the choice; it, not this
//! hash, is what later reads follow, so an organisation moved by hand
//! stays where the directory says.

/// The home database's binding when `D1_DATABASES` names none.
pub const HOME: &str = "DB";

/// The bindings `D1_DATABASES` names, home first, separated by commas;
/// [`HOME`] alone when it names none.
pub fn databases(setting: &str) -> Vec<String> {
    let mut names: Vec<String> = setting
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .collect();
    if names.is_empty() {
        names.push(HOME.to_owned());
    }
    names
}

/// The index, below `databases`, of the database for `corp_id` (0 when
/// there is one or none).
pub fn pick(corp_id: &str, databases: usize) -> usize {
    if databases <= 1 {
        return 0;
    }
    // FNV-1a, 64 bits: stable across builds and platforms, unlike std's
    // randomly keyed hasher.
    let hash = corp_id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    (hash % databases as u64) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_setting_lists_the_bindings_home_first_and_defaults_to_db() {
        assert_eq!(databases(" DB , DB_2,"), ["DB", "DB_2"]);
        assert_eq!(databases(""), ["DB"]);
        assert_eq!(databases(" , "), ["DB"]);
    }

    #[test]
    fn one_database_takes_everyone() {
        assert_eq!(pick("wwabc", 1), 0);
        assert_eq!(pick("wwabc", 0), 0);
    }

    #[test]
    fn the_same_corp_always_lands_on_the_same_database() {
        assert_eq!(pick("ww7f3e9a", 2), pick("ww7f3e9a", 2));
        assert_ne!(
            (0..50).map(|i| pick(&format!("wwcorp{i}"), 2)).min(),
            (0..50).map(|i| pick(&format!("wwcorp{i}"), 2)).max(),
            "fifty corps all on one of two databases"
        );
    }

    #[test]
    fn organisations_spread_evenly_over_the_databases() {
        for n in [2usize, 3, 5] {
            let mut counts = vec![0u32; n];
            for i in 0..10_000 {
                counts[pick(&format!("ww{i:08x}"), n)] += 1;
            }
            let fair = 10_000 / n as u32;
            for c in &counts {
                assert!(c.abs_diff(fair) < fair / 10, "{n} databases: {counts:?}");
            }
        }
    }
}
