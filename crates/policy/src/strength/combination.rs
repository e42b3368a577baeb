//! A combination of methods that together satisfy a strength: Graph writes it as one
//! comma-joined string, e.g. `"password,sms"`.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::error::StrengthError;
use super::method::{AuthenticationMethodMode, MethodClass};

/// A non-empty set of methods; order does not matter (`"sms,password"` equals
/// `"password,sms"`). Printed comma-joined in Graph's flag order, without spaces.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Combination {
    methods: BTreeSet<AuthenticationMethodMode>,
}

impl Combination {
    /// Parses `"password,sms"` (spaces around names allowed, names case-insensitive).
    pub fn parse(text: &str) -> Result<Self, StrengthError> {
        let mut methods = BTreeSet::new();
        for name in text.split(',') {
            if name.trim().is_empty() {
                return Err(StrengthError::EmptyMethodInCombination {
                    combination: text.to_owned(),
                });
            }
            let mode: AuthenticationMethodMode = name.parse()?;
            if methods.contains(&mode) {
                return Err(StrengthError::DuplicateMethod {
                    combination: text.to_owned(),
                    method: mode.to_string(),
                });
            }
            methods.insert(mode);
        }
        Ok(Self { methods })
    }

    /// A combination of one method.
    pub fn single(mode: AuthenticationMethodMode) -> Self {
        Self {
            methods: BTreeSet::from([mode]),
        }
    }

    /// A combination of two methods (one if they are the same).
    pub fn pair(first: AuthenticationMethodMode, second: AuthenticationMethodMode) -> Self {
        Self {
            methods: BTreeSet::from([first, second]),
        }
    }

    /// The methods, in Graph's flag order.
    pub fn methods(&self) -> impl Iterator<Item = &AuthenticationMethodMode> {
        self.methods.iter()
    }

    /// Number of methods (at least 1).
    pub fn len(&self) -> usize {
        self.methods.len()
    }

    /// Always false: a combination has at least one method. Present for API completeness.
    pub fn is_empty(&self) -> bool {
        self.methods.is_empty()
    }

    pub fn contains(&self, mode: &AuthenticationMethodMode) -> bool {
        self.methods.contains(mode)
    }

    /// How strong the combination is: its strongest method's class, except that two or more
    /// single-factor methods together are multi-factor.
    pub fn class(&self) -> MethodClass {
        let strongest = self
            .methods
            .iter()
            .map(AuthenticationMethodMode::class)
            .min()
            .unwrap_or(MethodClass::SingleFactor);
        if strongest == MethodClass::SingleFactor && self.methods.len() > 1 {
            MethodClass::Multifactor
        } else {
            strongest
        }
    }
}

/// Collects methods into a combination (duplicates collapse). Collecting nothing gives an
/// empty combination, which [`Combination::parse`] never produces and which does not
/// serialize to a parsable string; callers build combinations from at least one method.
impl FromIterator<AuthenticationMethodMode> for Combination {
    fn from_iter<I: IntoIterator<Item = AuthenticationMethodMode>>(iter: I) -> Self {
        Self {
            methods: iter.into_iter().collect(),
        }
    }
}

impl FromStr for Combination {
    type Err = StrengthError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl fmt::Display for Combination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, mode) in self.methods.iter().enumerate() {
            if index > 0 {
                f.write_str(",")?;
            }
            f.write_str(mode.as_str())?;
        }
        Ok(())
    }
}

impl Serialize for Combination {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Combination {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Checks the `allowedCombinations` of a custom strength: at least one, no duplicates, and
/// none using email (`entra.md` §4: "Email OTP cannot be used in any strength").
pub fn validate_allowed_combinations(combinations: &[Combination]) -> Result<(), StrengthError> {
    if combinations.is_empty() {
        return Err(StrengthError::NoCombinations);
    }
    let mut seen = BTreeSet::new();
    for combination in combinations {
        if combination.contains(&AuthenticationMethodMode::Email) {
            return Err(StrengthError::EmailNotAllowed {
                combination: combination.to_string(),
            });
        }
        if !seen.insert(combination) {
            return Err(StrengthError::DuplicateCombination {
                combination: combination.to_string(),
            });
        }
    }
    Ok(())
}
