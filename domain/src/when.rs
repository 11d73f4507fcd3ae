//! Moments as an organisation reads them: WeCom's organisations are in
//! China Standard Time (UTC+8, no daylight saving), the console's and the
//! exports' zone.

/// China Standard Time's offset from UTC.
pub const CST_OFFSET_SECS: u64 = 8 * 3600;

/// When the China Standard Time day holding `t` began.
pub fn china_day_start(t: u64) -> u64 {
    const DAY: u64 = 86_400;
    ((t + CST_OFFSET_SECS) / DAY * DAY).saturating_sub(CST_OFFSET_SECS)
}

/// (year, month, day) of a day count since 1970-01-01 (Howard Hinnant's
/// civil-from-days).
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's
/// days-from-civil).
fn days(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The Unix time a `YYYY-MM-DD` day starts at in China Standard Time (a
/// date picker's value); `None` for anything else or before 1970.
pub fn day_start(text: &str) -> Option<u64> {
    let mut parts = text.splitn(3, '-');
    let mut next = |len: usize| {
        parts
            .next()
            .filter(|p| p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|p| p.parse::<i64>().ok())
    };
    let (y, m, d) = (next(4)?, next(2)?, next(2)?);
    if !(1..=12).contains(&m) || d < 1 || civil(days(y, m, d)) != (y, m, d) {
        return None;
    }
    u64::try_from(days(y, m, d) * 86_400 - CST_OFFSET_SECS as i64).ok()
}

/// The day of a Unix time in China Standard Time, as days since
/// 1970-01-01.
pub fn day_number(secs: u64) -> u64 {
    (secs + CST_OFFSET_SECS) / 86_400
}

/// `YYYY-MM-DD` of a day number ([`day_number`]).
pub fn day_date(day: u64) -> String {
    let (y, m, d) = civil(day as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The Monday that starts the week of a day number (1970-01-01 was a
/// Thursday).
pub fn week_monday(day: u64) -> u64 {
    ((day + 3) / 7 * 7).saturating_sub(3)
}

/// `YYYY-MM-DD` of a Unix time, in China Standard Time.
pub fn date(secs: u64) -> String {
    day_date(day_number(secs))
}

/// `YYYY-MM-DD HH:MM:SS` of a Unix time, in China Standard Time.
pub fn date_time(secs: u64) -> String {
    let local = secs + CST_OFFSET_SECS;
    let s = local % 86_400;
    format!(
        "{} {:02}:{:02}:{:02}",
        date(secs),
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_china_day_starts_at_midnight_in_beijing() {
        // 2026-12-06 23:59:59 and 2026-12-07 00:00:00 in Beijing.
        let before = day_start("2026-12-07").unwrap() - 1;
        assert_eq!(china_day_start(before), day_start("2026-12-06").unwrap());
        assert_eq!(china_day_start(before + 1), before + 1);
        assert_eq!(china_day_start(0), 0);
    }

    use super::*;

    #[test]
    fn dates_are_in_china_standard_time() {
        assert_eq!(date(0), "1970-01-01");
        // 2024-02-29 16:00 UTC is already 1 March in Beijing.
        assert_eq!(date(1_709_222_400), "2024-03-01");
        assert_eq!(date(1_709_222_399), "2024-02-29");
        assert_eq!(date(1_798_732_800), "2027-01-01");
    }

    #[test]
    fn a_picked_day_starts_at_beijing_midnight() {
        assert_eq!(day_start("2024-03-01"), Some(1_709_222_400));
        assert_eq!(day_start("1970-01-02"), Some(86_400 - CST_OFFSET_SECS));
        for day in ["2027-01-01", "2024-02-29", "2000-12-31"] {
            assert_eq!(date(day_start(day).unwrap()), day);
            assert_eq!(
                date(day_start(day).unwrap() - 1),
                date(day_start(day).unwrap() - 86_400)
            );
        }
        for bad in [
            "",
            "2023-02-29",
            "2024-13-01",
            "2024-1-01",
            "24-01-01",
            "1970-01-01",
            "x",
        ] {
            assert_eq!(day_start(bad), None, "{bad}");
        }
    }

    #[test]
    fn weeks_start_on_monday() {
        // 2026-12-07 is a Monday, 2026-12-13 the Sunday after it.
        let monday = day_number(day_start("2026-12-07").unwrap());
        for d in 0..7 {
            assert_eq!(day_date(week_monday(monday + d)), "2026-12-07");
        }
        assert_eq!(day_date(week_monday(monday + 7)), "2026-12-14");
        assert_eq!(day_date(week_monday(monday - 1)), "2026-11-30");
    }

    #[test]
    fn a_moment_shows_beijing_clock_time() {
        assert_eq!(date_time(0), "1970-01-01 08:00:00");
        assert_eq!(date_time(1_709_222_399), "2024-02-29 23:59:59");
        assert_eq!(date_time(1_709_222_400 + 3_723), "2024-03-01 01:02:03");
    }
}
