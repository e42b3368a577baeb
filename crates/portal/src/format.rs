//! How values are shown on pages: times, sign-in error codes, policy states and results.

use time::OffsetDateTime;
use time::macros::format_description;

/// `2026-11-23 08:25:03 UTC`: sortable and unambiguous for admins in any time zone.
pub fn when(at: OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC)
        .format(format_description!(
            "[year]-[month]-[day] [hour]:[minute]:[second] UTC"
        ))
        .unwrap_or_else(|_| at.to_string())
}

/// The Graph RFC 3339 text, or what was stored when it does not parse.
pub fn when_text(text: &str) -> String {
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map(when)
        .unwrap_or_else(|_| text.to_owned())
}

/// A bucket label: the day, or the day and hour for hourly buckets.
pub fn bucket_label(start_micros: i64, hourly: bool) -> String {
    let Some(at) = portcullis_core::timestamp::from_unix_micros(start_micros) else {
        return start_micros.to_string();
    };
    let format = if hourly {
        at.format(format_description!("[day] [month repr:short] [hour]:00"))
    } else {
        at.format(format_description!("[day] [month repr:short]"))
    };
    format.unwrap_or_else(|_| at.to_string())
}

/// What a sign-in error code means (the codes the sign-in pipeline writes).
pub fn error_code_text(code: i32) -> &'static str {
    match code {
        0 => "Success",
        50034 => "User account not found",
        50126 => "Invalid user name or password",
        50053 => "Account locked (smart lockout)",
        50057 => "Account disabled",
        50055 => "Password expired",
        50125 => "Password change required (interrupt)",
        50074 => "MFA challenge shown (interrupt)",
        50076 => "MFA required, client cannot be challenged",
        50072 => "MFA registration shown (interrupt)",
        50079 => "MFA registration required",
        500121 => "Second factor failed",
        53003 => "Blocked by Conditional Access",
        53004 => "Registration blocked: risky sign-in",
        53000 => "Device not compliant",
        53001 => "Device not domain joined",
        53002 => "App not approved",
        53005 => "App protection policy required",
        50158 => "External security challenge",
        50133 => "Re-authentication required",
        50089 => "Flow expired",
        90100 => "Invalid request parameter",
        _ => "Other error",
    }
}

/// Graph policy state as an admin reads it.
pub fn state_label(state: &str) -> &'static str {
    match state {
        "enabled" => "On",
        "disabled" => "Off",
        "enabledForReportingButNotEnforced" => "Report-only",
        _ => "Unknown",
    }
}

/// Graph `appliedConditionalAccessPolicy.result` as an admin reads it.
pub fn policy_result_label(result: &str) -> &'static str {
    match result {
        "success" => "Success",
        "failure" => "Failure (blocked or not satisfied)",
        "notApplied" => "Not applied",
        "notEnabled" => "Not enabled",
        "reportOnlySuccess" => "Report-only: success",
        "reportOnlyFailure" => "Report-only: would have blocked",
        "reportOnlyInterrupted" => "Report-only: would have challenged",
        "reportOnlyNotApplied" => "Report-only: not applied",
        _ => "Unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn times_are_shown_in_utc() {
        assert_eq!(
            when(datetime!(2026-11-23 09:25:03 +01:00)),
            "2026-11-23 08:25:03 UTC"
        );
        assert_eq!(when_text("2026-11-23T08:25:03Z"), "2026-11-23 08:25:03 UTC");
        assert_eq!(when_text("not a time"), "not a time");
    }

    #[test]
    fn buckets_label_days_or_hours() {
        let micros = portcullis_core::timestamp::unix_micros(datetime!(2026-11-23 08:00 UTC));
        assert_eq!(bucket_label(micros, false), "23 Nov");
        assert_eq!(bucket_label(micros, true), "23 Nov 08:00");
    }

    #[test]
    fn codes_and_states_have_words() {
        assert_eq!(error_code_text(53003), "Blocked by Conditional Access");
        assert_eq!(error_code_text(12345), "Other error");
        assert_eq!(
            state_label("enabledForReportingButNotEnforced"),
            "Report-only"
        );
        assert_eq!(
            policy_result_label("reportOnlyInterrupted"),
            "Report-only: would have challenged"
        );
    }
}
