//! The conditions of a policy, named as Graph's `conditionalAccessConditions` flags enum
//! names them in the sign-in log (`conditionsSatisfied`, `conditionsNotSatisfied`).

use serde::{Serialize, Serializer};

/// One assignment or condition of a policy, in evaluation order (the order the What If
/// analysis reports the first unmet one in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Condition {
    /// Users, groups, roles, guests (`users`).
    Users,
    /// Workload identities (`servicePrincipals`).
    ServicePrincipals,
    /// Target resources: applications, user actions, authentication contexts
    /// (`application`).
    Application,
    /// Device platforms (`devicePlatform`).
    DevicePlatform,
    /// The device filter. Graph's enum has no `devices` member; the filter replaced the
    /// device-state condition, so it is reported as `deviceState`.
    DeviceState,
    /// Client app types (`clientType`).
    ClientType,
    /// Network / named locations (`location`).
    Location,
    /// Sign-in risk (`signInRisk`).
    SignInRisk,
    /// User risk (`userRisk`).
    UserRisk,
    /// Service principal risk (`servicePrincipalRisk`).
    ServicePrincipalRisk,
    /// Insider risk (`insiderRisk`).
    InsiderRisk,
    /// Authentication flows (`authenticationFlows`).
    AuthenticationFlows,
}

impl Condition {
    /// Every condition, in evaluation order.
    pub const ALL: [Condition; 12] = [
        Condition::Users,
        Condition::ServicePrincipals,
        Condition::Application,
        Condition::DevicePlatform,
        Condition::DeviceState,
        Condition::ClientType,
        Condition::Location,
        Condition::SignInRisk,
        Condition::UserRisk,
        Condition::ServicePrincipalRisk,
        Condition::InsiderRisk,
        Condition::AuthenticationFlows,
    ];

    /// The Graph `conditionalAccessConditions` name.
    pub fn as_str(self) -> &'static str {
        match self {
            Condition::Users => "users",
            Condition::ServicePrincipals => "servicePrincipals",
            Condition::Application => "application",
            Condition::DevicePlatform => "devicePlatform",
            Condition::DeviceState => "deviceState",
            Condition::ClientType => "clientType",
            Condition::Location => "location",
            Condition::SignInRisk => "signInRisk",
            Condition::UserRisk => "userRisk",
            Condition::ServicePrincipalRisk => "servicePrincipalRisk",
            Condition::InsiderRisk => "insiderRisk",
            Condition::AuthenticationFlows => "authenticationFlows",
        }
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

/// A set of conditions. Serializes as Graph serializes flags: one comma-separated string
/// (`"application,users"`), `"none"` when empty.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ConditionFlags(u16);

impl ConditionFlags {
    /// The empty set.
    pub const EMPTY: ConditionFlags = ConditionFlags(0);

    /// Adds a condition.
    pub fn insert(&mut self, condition: Condition) {
        self.0 |= condition.bit();
    }

    /// Whether the condition is in the set.
    pub fn contains(self, condition: Condition) -> bool {
        self.0 & condition.bit() != 0
    }

    /// No condition in the set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The conditions in evaluation order.
    pub fn iter(self) -> impl Iterator<Item = Condition> {
        Condition::ALL
            .into_iter()
            .filter(move |condition| self.contains(*condition))
    }

    /// The first condition in evaluation order.
    pub fn first(self) -> Option<Condition> {
        self.iter().next()
    }

    /// The Graph wire form.
    pub fn to_wire(self) -> String {
        if self.is_empty() {
            return "none".to_owned();
        }
        let names: Vec<&str> = self.iter().map(Condition::as_str).collect();
        names.join(",")
    }
}

impl FromIterator<Condition> for ConditionFlags {
    fn from_iter<I: IntoIterator<Item = Condition>>(iter: I) -> Self {
        let mut flags = ConditionFlags::EMPTY;
        for condition in iter {
            flags.insert(condition);
        }
        flags
    }
}

impl Serialize for ConditionFlags {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_wire())
    }
}
