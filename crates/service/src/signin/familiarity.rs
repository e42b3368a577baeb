//! Familiar places: where the user recently signed in successfully. Smart lockout keeps
//! separate counters for familiar and unfamiliar locations, so an attacker elsewhere
//! cannot lock the user out of their usual place.
//!
//! The places live in the user's sign-in state row, which every step reads anyway, so the
//! first factor judges familiarity without a query. (Reading the last 50 successful
//! sign-ins for every password attempt doubled the cost of a sign-in apart from the
//! hash; see docs/benchmarks.md.) A user whose state predates this list is judged once
//! from the sign-in log, and the list is seeded from that history at their next
//! success.

use std::net::IpAddr;

use portcullis_authn::lockout::Familiarity;
use portcullis_core::UserId;
use portcullis_signin::RequestContext;
use portcullis_store::{Filter, FilterValue, SignInField, SignInOutcome, SignInQuery, Store};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use super::types::SignInError;

/// How many recent successful sign-ins seed the places of a user who has none yet.
const SEED_HISTORY: u32 = 50;
/// How many distinct places are remembered (the most recent win).
const MAX_PLACES: usize = 32;
/// A place not used for this long is no longer familiar.
const FORGET_AFTER: Duration = Duration::days(180);
/// A known place's last use is refreshed at most this often, so that a user signing in
/// from the same place all day costs no extra write.
const REFRESH_EVERY: Duration = Duration::days(1);

/// One place: an IP address and/or a country, with the last successful sign-in there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Place {
    pub(crate) ip_address: Option<String>,
    pub(crate) country_or_region: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub(crate) last_success_at: OffsetDateTime,
}

/// The remembered places, most recent first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct FamiliarPlaces(Vec<Place>);

/// Where a request comes from, as familiarity compares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Origin {
    ip_address: Option<String>,
    country_or_region: Option<String>,
}

impl Origin {
    pub(crate) fn of(request: &RequestContext) -> Self {
        Origin::new(
            request.ip_address,
            request.location.country_or_region.clone(),
        )
    }

    pub(crate) fn new(ip: Option<IpAddr>, country_or_region: Option<String>) -> Self {
        Origin {
            ip_address: ip.map(|ip| ip.to_string()),
            country_or_region,
        }
    }

    fn is_unknown(&self) -> bool {
        self.ip_address.is_none() && self.country_or_region.is_none()
    }

    /// Same IP address, or same country when the country is known.
    fn matches(&self, place: &Place) -> bool {
        (self.ip_address.is_some() && place.ip_address == self.ip_address)
            || (self.country_or_region.is_some()
                && place.country_or_region == self.country_or_region)
    }
}

impl FamiliarPlaces {
    pub(crate) fn judge(&self, origin: &Origin, now: OffsetDateTime) -> Familiarity {
        let familiar = self
            .0
            .iter()
            .any(|place| now - place.last_success_at <= FORGET_AFTER && origin.matches(place));
        if familiar {
            Familiarity::Familiar
        } else {
            Familiarity::Unfamiliar
        }
    }

    /// Records a successful sign-in from `origin`. `false` when nothing changed (the
    /// place is known and was refreshed recently), so the caller need not write.
    pub(crate) fn record_success(&mut self, origin: &Origin, now: OffsetDateTime) -> bool {
        if origin.is_unknown() {
            return false;
        }
        let position = self.0.iter().position(|place| {
            place.ip_address == origin.ip_address
                && place.country_or_region == origin.country_or_region
        });
        if let Some(index) = position {
            if now - self.0[index].last_success_at < REFRESH_EVERY {
                return false;
            }
            self.0.remove(index);
        }
        self.0.insert(
            0,
            Place {
                ip_address: origin.ip_address.clone(),
                country_or_region: origin.country_or_region.clone(),
                last_success_at: now,
            },
        );
        self.0
            .retain(|place| now - place.last_success_at <= FORGET_AFTER);
        self.0.truncate(MAX_PLACES);
        true
    }

    /// Places from past successful sign-ins (newest first), for a user who has no list yet.
    fn from_history(history: impl IntoIterator<Item = Place>) -> Self {
        let mut places: Vec<Place> = Vec::new();
        for place in history {
            let known = places.iter().any(|kept| {
                kept.ip_address == place.ip_address
                    && kept.country_or_region == place.country_or_region
            });
            if !known && (place.ip_address.is_some() || place.country_or_region.is_some()) {
                places.push(place);
            }
            if places.len() == MAX_PLACES {
                break;
            }
        }
        FamiliarPlaces(places)
    }
}

/// The user's places: the stored list, or (a user without one yet) the places of their
/// last successful sign-ins in the log.
pub(crate) async fn places_or_history(
    store: &dyn Store,
    user: &UserId,
    stored: Option<&FamiliarPlaces>,
) -> Result<FamiliarPlaces, SignInError> {
    if let Some(places) = stored {
        return Ok(places.clone());
    }
    let query = SignInQuery {
        filter: Some(Filter::Eq(
            SignInField::UserId,
            FilterValue::Text(user.as_str().to_owned()),
        )),
        outcome: Some(SignInOutcome::Success),
        limit: SEED_HISTORY,
        ..SignInQuery::default()
    };
    let recent = store.query_sign_ins(&query).await?;
    Ok(FamiliarPlaces::from_history(recent.items.into_iter().map(
        |past| {
            Place {
                ip_address: past.ip_address,
                country_or_region: past
                    .location
                    .and_then(|location| location.country_or_region),
                last_success_at: past.created_date_time,
            }
        },
    )))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn at(days: i64) -> OffsetDateTime {
        OffsetDateTime::UNIX_EPOCH + Duration::days(1000 + days)
    }

    fn origin(ip: &str, country: Option<&str>) -> Origin {
        Origin::new(Some(ip.parse().unwrap()), country.map(str::to_owned))
    }

    #[test]
    fn a_place_becomes_familiar_after_a_success_there() {
        let mut places = FamiliarPlaces::default();
        let home = origin("192.0.2.1", None);
        assert_eq!(places.judge(&home, at(0)), Familiarity::Unfamiliar);
        assert!(places.record_success(&home, at(0)));
        assert_eq!(places.judge(&home, at(1)), Familiarity::Familiar);
        assert_eq!(
            places.judge(&origin("198.51.100.7", None), at(1)),
            Familiarity::Unfamiliar
        );
    }

    #[test]
    fn the_same_country_is_familiar_from_another_address() {
        let mut places = FamiliarPlaces::default();
        places.record_success(&origin("192.0.2.1", Some("NL")), at(0));
        assert_eq!(
            places.judge(&origin("198.51.100.7", Some("NL")), at(0)),
            Familiarity::Familiar
        );
        assert_eq!(
            places.judge(&origin("198.51.100.7", Some("DE")), at(0)),
            Familiarity::Unfamiliar
        );
    }

    #[test]
    fn repeated_successes_from_one_place_write_once_a_day() {
        let mut places = FamiliarPlaces::default();
        let home = origin("192.0.2.1", None);
        assert!(places.record_success(&home, at(0)));
        assert!(!places.record_success(&home, at(0) + Duration::hours(5)));
        assert!(places.record_success(&home, at(2)));
        assert_eq!(places.0.len(), 1);
    }

    #[test]
    fn places_are_forgotten_after_180_days_and_capped() {
        let mut places = FamiliarPlaces::default();
        let old = origin("192.0.2.1", None);
        places.record_success(&old, at(0));
        assert_eq!(places.judge(&old, at(181)), Familiarity::Unfamiliar);
        for n in 0..40 {
            places.record_success(&origin(&format!("198.51.100.{n}"), None), at(200));
        }
        assert_eq!(places.0.len(), MAX_PLACES);
        assert_eq!(
            places.judge(&origin("198.51.100.39", None), at(200)),
            Familiarity::Familiar
        );
        assert_eq!(
            places.judge(&origin("198.51.100.0", None), at(200)),
            Familiarity::Unfamiliar,
            "the oldest place made room"
        );
    }

    #[test]
    fn an_unknown_origin_is_never_recorded() {
        let mut places = FamiliarPlaces::default();
        assert!(!places.record_success(&Origin::new(None, None), at(0)));
        assert_eq!(places, FamiliarPlaces::default());
    }

    #[test]
    fn history_seeds_distinct_places_newest_first() {
        let place = |ip: &str, day| Place {
            ip_address: Some(ip.into()),
            country_or_region: None,
            last_success_at: at(day),
        };
        let places = FamiliarPlaces::from_history([
            place("192.0.2.1", 5),
            place("192.0.2.1", 4),
            place("192.0.2.2", 3),
        ]);
        assert_eq!(places.0.len(), 2);
        assert_eq!(places.0[0].last_success_at, at(5));
    }
}
