//! `conditionalAccessTemplate.scenarios` (entra.md §9): a flags enum.

use crate::model::open_enum::open_enum;

open_enum! {
    /// `templateScenarios`.
    pub enum TemplateScenario: "templateScenarios" {
        New = "new",
        SecureFoundation = "secureFoundation",
        ZeroTrust = "zeroTrust",
        RemoteWork = "remoteWork",
        ProtectAdmins = "protectAdmins",
        EmergingThreats = "emergingThreats",
        UnknownFutureValue = "unknownFutureValue",
    }
}
