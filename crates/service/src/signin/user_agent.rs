//! Device platform (a Conditional Access condition) and `deviceDetail` (the log) from a
//! User-Agent header. Heuristic, like Entra's: the header is the client's claim, so
//! policies that must not be fooled use device filters or compliance instead.

use portcullis_core::signin::DeviceDetail;
use portcullis_policy::model::DevicePlatform;

/// The platform named by the user agent (order matters: iOS and Android user agents also
/// mention "Mac OS X" and "Linux").
pub(crate) fn platform(user_agent: &str) -> Option<DevicePlatform> {
    let ua = user_agent.to_ascii_lowercase();
    if ua.contains("windows phone") {
        Some(DevicePlatform::WindowsPhone)
    } else if ua.contains("iphone") || ua.contains("ipad") || ua.contains("ipod") {
        Some(DevicePlatform::IOs)
    } else if ua.contains("android") {
        Some(DevicePlatform::Android)
    } else if ua.contains("windows") {
        Some(DevicePlatform::Windows)
    } else if ua.contains("mac os x") || ua.contains("macintosh") {
        Some(DevicePlatform::MacOs)
    } else if ua.contains("linux") || ua.contains("x11") || ua.contains("cros") {
        Some(DevicePlatform::Linux)
    } else {
        None
    }
}

/// Browser and operating system names in Entra's wording (`Edge 120.0`, `Windows10`).
pub(crate) fn device_detail(user_agent: Option<&str>) -> DeviceDetail {
    let Some(ua) = user_agent else {
        return DeviceDetail::default();
    };
    let operating_system = platform(ua).map(|platform| {
        match platform {
            DevicePlatform::IOs => "iOS",
            DevicePlatform::Android => "Android",
            DevicePlatform::Windows => "Windows",
            DevicePlatform::WindowsPhone => "Windows Phone",
            DevicePlatform::MacOs => "MacOs",
            DevicePlatform::Linux => "Linux",
            _ => "Unknown",
        }
        .to_owned()
    });
    DeviceDetail {
        operating_system,
        browser: browser(ua),
        ..DeviceDetail::default()
    }
}

/// The browser and its major.minor version, checking the most specific tokens first
/// (Edge and Opera user agents also say Chrome; Chrome's also says Safari).
fn browser(ua: &str) -> Option<String> {
    const TOKENS: [(&str, &str); 6] = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Version/", "Safari"),
        ("curl/", "curl"),
    ];
    TOKENS.iter().find_map(|(token, name)| {
        let start = ua.find(token)? + token.len();
        let version: String = ua[start..]
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        let short: Vec<&str> = version.split('.').take(2).collect();
        Some(format!("{name} {}", short.join(".")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_user_agents() {
        let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91";
        assert_eq!(platform(edge), Some(DevicePlatform::Windows));
        assert_eq!(
            device_detail(Some(edge)).browser.as_deref(),
            Some("Edge 120.0")
        );
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1";
        assert_eq!(platform(iphone), Some(DevicePlatform::IOs));
        assert_eq!(
            device_detail(Some(iphone)).browser.as_deref(),
            Some("Safari 17.1")
        );
        let android = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36";
        assert_eq!(platform(android), Some(DevicePlatform::Android));
        assert_eq!(platform("garbage"), None);
        assert_eq!(device_detail(Some("ｘ€")).browser, None);
    }
}
