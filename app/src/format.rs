//! Between the admin's screen and plain values: dates in China Standard
//! Time (`domain::when`), and form fields left empty.

pub use domain::when::date;

/// A form field's value, or `None` when it was left empty (a select's
/// "any" option), so a query leaves the parameter out.
pub fn given(value: String) -> Option<String> {
    (!value.is_empty()).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_field_is_not_given() {
        assert_eq!(given(String::new()), None);
        assert_eq!(given("active".into()), Some("active".into()));
    }
}
