//! Range-file parsing never panics, whatever the bytes.

#![allow(clippy::unwrap_used)]

use portcullis_authn::password::LeakedPasswordQuery;
use proptest::prelude::*;

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = LeakedPasswordQuery::for_password("password").occurrences_in(&bytes);
    }

    #[test]
    fn line_shaped_noise_never_panics(lines in proptest::collection::vec("[0-9A-Fa-fZ:\r ]{0,50}", 0..40)) {
        let file = lines.join("\n");
        let _ = LeakedPasswordQuery::for_password("password").occurrences_in(file.as_bytes());
    }

    #[test]
    fn a_well_formed_file_finds_exactly_the_listed_count(
        others in proptest::collection::vec(("[0-9A-F]{35}", 0u64..1_000_000), 0..20),
        count in 1u64..u64::MAX,
        position in 0usize..21,
    ) {
        let query = LeakedPasswordQuery::for_password("hunter2");
        let mut lines: Vec<String> = others
            .iter()
            .filter(|(suffix, _)| suffix != query.suffix())
            .map(|(suffix, count)| format!("{suffix}:{count}"))
            .collect();
        let at = position.min(lines.len());
        lines.insert(at, format!("{}:{count}", query.suffix()));
        let file = lines.join("\r\n");
        prop_assert_eq!(query.occurrences_in(file.as_bytes()), Ok(count));
    }
}
