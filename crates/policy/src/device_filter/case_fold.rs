//! Case-insensitive string comparison for device filter values.
//!
//! Microsoft's dynamic-membership documentation says "string operations aren't case
//! sensitive", and the device filter uses the same engine, so every comparison here ignores
//! case. Folding is Unicode lower-casing character by character (`char::to_lowercase`), applied
//! the same way to the rule's constants (once, at parse time) and to the device's values.
//! Equality, prefix and suffix tests fold lazily and do not allocate.

/// The folded form of `text`, as stored for the constants of a parsed rule.
pub(crate) fn fold(text: &str) -> String {
    folded_chars(text).collect()
}

fn folded_chars(text: &str) -> impl DoubleEndedIterator<Item = char> + '_ {
    text.chars().flat_map(char::to_lowercase)
}

/// `value` equals the already-folded `folded_constant`, ignoring case.
pub(crate) fn equals(value: &str, folded_constant: &str) -> bool {
    folded_chars(value).eq(folded_constant.chars())
}

/// `value` starts with the already-folded `folded_prefix`, ignoring case.
pub(crate) fn starts_with(value: &str, folded_prefix: &str) -> bool {
    let mut value_chars = folded_chars(value);
    folded_prefix
        .chars()
        .all(|expected| value_chars.next() == Some(expected))
}

/// `value` ends with the already-folded `folded_suffix`, ignoring case.
pub(crate) fn ends_with(value: &str, folded_suffix: &str) -> bool {
    let mut value_chars = folded_chars(value).rev();
    folded_suffix
        .chars()
        .rev()
        .all(|expected| value_chars.next() == Some(expected))
}

/// `value` contains the already-folded `folded_needle`, ignoring case.
pub(crate) fn contains(value: &str, folded_needle: &str) -> bool {
    fold(value).contains(folded_needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons_ignore_case() {
        assert!(equals("ServerAD", &fold("serverad")));
        assert!(!equals("ServerAD", &fold("serverad ")));
        assert!(starts_with("Windows 11", &fold("WIN")));
        assert!(!starts_with("Win", &fold("Windows")));
        assert!(ends_with("Surface Pro", &fold("PRO")));
        assert!(!ends_with("Pro", &fold("Surface Pro")));
        assert!(contains("Microsoft Surface", &fold("SURF")));
        assert!(!contains("Microsoft", &fold("surf")));
    }

    #[test]
    fn empty_constants_match_every_value() {
        assert!(starts_with("x", ""));
        assert!(ends_with("x", ""));
        assert!(contains("x", ""));
        assert!(equals("", ""));
    }

    #[test]
    fn non_ascii_values_fold() {
        assert!(equals("ÉCOLE", &fold("école")));
        // 'İ' lower-cases to two characters; prefix tests still line up.
        assert!(starts_with("İstanbul", &fold("i\u{307}st")));
    }
}
