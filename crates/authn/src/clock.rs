//! Date arithmetic that cannot panic. `OffsetDateTime + Duration` panics when the result
//! leaves the representable range (years −9999 to 9999); a misconfigured duration or an
//! odd clock must never take the server down, so results clamp to the range instead.

use time::{Duration, OffsetDateTime, PrimitiveDateTime};

fn latest() -> OffsetDateTime {
    PrimitiveDateTime::MAX.assume_utc()
}

fn earliest() -> OffsetDateTime {
    PrimitiveDateTime::MIN.assume_utc()
}

/// `at + duration`, clamped to the representable range.
pub(crate) fn add(at: OffsetDateTime, duration: Duration) -> OffsetDateTime {
    at.checked_add(duration).unwrap_or_else(|| {
        if duration.is_negative() {
            earliest()
        } else {
            latest()
        }
    })
}

/// `at − duration`, clamped to the representable range.
pub(crate) fn sub(at: OffsetDateTime, duration: Duration) -> OffsetDateTime {
    at.checked_sub(duration).unwrap_or_else(|| {
        if duration.is_negative() {
            latest()
        } else {
            earliest()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_arithmetic_is_unchanged() {
        let at = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        assert_eq!(add(at, Duration::minutes(10)), at + Duration::minutes(10));
        assert_eq!(sub(at, Duration::minutes(10)), at - Duration::minutes(10));
    }

    #[test]
    fn overflow_clamps() {
        assert_eq!(add(latest(), Duration::seconds(1)), latest());
        assert_eq!(add(earliest(), Duration::seconds(-1)), earliest());
        assert_eq!(sub(earliest(), Duration::seconds(1)), earliest());
        assert_eq!(sub(latest(), Duration::MIN), latest());
        assert_eq!(add(earliest(), Duration::MAX), latest());
    }
}
