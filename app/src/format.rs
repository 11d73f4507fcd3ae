//! Between the admin's screen and plain values: dates in China Standard
//! Time (UTC+8, no DST), typed lists of ids, and form fields left empty.

const CST_OFFSET_SECS: u64 = 8 * 3600;

/// `YYYY-MM-DD` of a Unix time, in China Standard Time.
pub fn date(secs: u64) -> String {
    let days = ((secs + CST_OFFSET_SECS) / 86_400) as i64;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Splits a typed list of user ids (commas, spaces, Chinese commas, lines).
pub fn userids(text: &str) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    text.split(|c: char| c == ',' || c == '，' || c == '、' || c.is_whitespace())
        .filter(|s| !s.is_empty() && seen.insert(*s))
        .map(str::to_owned)
        .collect()
}

/// Department ids from a typed list; the words that are not numbers.
pub fn party_ids(text: &str) -> Result<Vec<u64>, String> {
    userids(text)
        .into_iter()
        .map(|s| s.parse().map_err(|_| s))
        .collect()
}

/// A form field's value, or `None` when it was left empty (a select's
/// "any" option), so a query leaves the parameter out.
pub fn given(value: String) -> Option<String> {
    (!value.is_empty()).then_some(value)
}

#[cfg(test)]
mod tests {
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
    fn typed_lists_split_on_any_separator() {
        assert_eq!(userids(" a, b，c、d\ne a"), ["a", "b", "c", "d", "e"]);
        assert_eq!(userids(""), Vec::<String>::new());
        assert_eq!(party_ids("2 3"), Ok(vec![2, 3]));
        assert_eq!(party_ids("2 sales"), Err("sales".into()));
    }

    #[test]
    fn an_empty_field_is_not_given() {
        assert_eq!(given(String::new()), None);
        assert_eq!(given("active".into()), Some("active".into()));
    }
}
