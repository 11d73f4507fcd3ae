//! Between the admin's screen and plain values: dates in China Standard
//! Time (`domain::when`), typed lists of ids, and form fields left empty.

pub use domain::when::date;

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
