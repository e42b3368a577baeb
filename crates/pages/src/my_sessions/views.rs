//! My sessions template data.

use askama::Template;
use portcullis_service::sessions::SessionSummary;
use time::OffsetDateTime;
use time::macros::format_description;

/// One session as its user sees it.
pub struct SessionRow {
    pub id: String,
    pub is_current: bool,
    pub browser: String,
    pub ip_address: String,
    pub signed_in: String,
    pub last_seen: String,
    pub methods: String,
    pub persistent: bool,
}

impl SessionRow {
    pub fn new(summary: &SessionSummary, is_current: bool) -> Self {
        SessionRow {
            id: summary.id.to_string(),
            is_current,
            browser: summary
                .user_agent
                .as_deref()
                .map(browser_name)
                .unwrap_or("Unknown browser")
                .to_owned(),
            ip_address: summary
                .ip_address
                .clone()
                .unwrap_or_else(|| "unknown address".to_owned()),
            signed_in: utc(summary.created_date_time),
            last_seen: utc(summary.last_seen_date_time),
            methods: method_names(&summary.amr),
            persistent: summary.persistent,
        }
    }
}

/// A short browser name from a user agent, enough to recognise a session by; the full
/// string is noise to most people. Order matters: Edge and Chrome also say "Safari".
fn browser_name(user_agent: &str) -> &'static str {
    const KNOWN: [(&str, &str); 7] = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("HeadlessChrome/", "Chrome (headless)"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
    ];
    KNOWN
        .iter()
        .find(|(marker, _)| user_agent.contains(marker))
        .map_or("Other client", |(_, name)| name)
}

/// RFC 8176 method references as words.
fn method_names(amr: &[String]) -> String {
    let names: Vec<&str> = amr
        .iter()
        .map(|m| match m.as_str() {
            "pwd" => "password",
            "otp" => "one-time code",
            "hwk" | "swk" | "fido" => "passkey",
            "mfa" => "multi-factor",
            "sms" => "text message",
            "tel" => "phone call",
            other => other,
        })
        .collect();
    if names.is_empty() {
        "—".to_owned()
    } else {
        names.join(", ")
    }
}

fn utc(at: OffsetDateTime) -> String {
    at.format(format_description!(
        "[year]-[month]-[day] [hour]:[minute] UTC"
    ))
    .unwrap_or_default()
}

#[derive(Template)]
#[template(path = "my_sessions/list.html")]
pub struct SessionsPage {
    pub csrf: String,
    pub user_name: String,
    pub rows: Vec<SessionRow>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_are_named_most_specific_first() {
        assert_eq!(
            browser_name(
                "Mozilla/5.0 (X11) AppleWebKit/537.36 Chrome/120.0 Safari/537.36 Edg/120.0"
            ),
            "Edge"
        );
        assert_eq!(
            browser_name("Mozilla/5.0 (X11) AppleWebKit/537.36 HeadlessChrome/120.0 Safari/537.36"),
            "Chrome (headless)"
        );
        assert_eq!(browser_name("Mozilla/5.0 Firefox/121.0"), "Firefox");
        assert_eq!(browser_name("something"), "Other client");
    }

    #[test]
    fn methods_read_as_words() {
        assert_eq!(
            method_names(&["pwd".into(), "otp".into(), "mfa".into()]),
            "password, one-time code, multi-factor"
        );
        assert_eq!(method_names(&[]), "—");
    }
}
