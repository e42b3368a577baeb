//! Timestamps as stored: UTC, microsecond precision (what PostgreSQL keeps), so a value
//! read back from either backend equals the value written.

use time::{OffsetDateTime, UtcOffset};

/// Microseconds since the Unix epoch (the indexed column form in both backends).
pub fn unix_micros(at: OffsetDateTime) -> i64 {
    // i128 → i64 cannot overflow for any date time can represent in i64 micros
    // (±292,000 years); clamp rather than panic for the out-of-range remainder.
    let micros = at.unix_timestamp_nanos() / 1_000;
    i64::try_from(micros).unwrap_or(if micros < 0 { i64::MIN } else { i64::MAX })
}

/// The inverse of [`unix_micros`]; `None` for values outside `time`'s range.
pub fn from_unix_micros(micros: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1_000).ok()
}

/// Drops sub-microsecond precision and normalises to UTC.
pub fn to_stored_precision(at: OffsetDateTime) -> OffsetDateTime {
    from_unix_micros(unix_micros(at))
        .unwrap_or(at)
        .to_offset(UtcOffset::UTC)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn micros_round_trip() {
        let at = datetime!(2026-11-23 05:00:00.123456789 +02:00);
        let stored = to_stored_precision(at);
        assert_eq!(stored, datetime!(2026-11-23 03:00:00.123456 UTC));
        assert_eq!(stored.offset(), UtcOffset::UTC);
        assert_eq!(from_unix_micros(unix_micros(stored)), Some(stored));
        assert_eq!(unix_micros(datetime!(1970-01-01 0:00:00.000001 UTC)), 1);
    }
}
