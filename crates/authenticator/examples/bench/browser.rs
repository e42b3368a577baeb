//! A minimal browser for the push benchmarks: posts the sign-in pages' forms over
//! loopback HTTP the way Chromium would (cookies kept, hidden fields carried, redirects
//! not followed so the session cookie can be seen), without a real browser's own cost in
//! the figure.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::net::IpAddr;

use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::redirect::Policy;

/// The name of the sign-in session cookie over plain HTTP (the pages' contract).
pub const SESSION_COOKIE: &str = "portcullis_session";

pub struct Browser {
    base: String,
    http: reqwest::Client,
    cookies: BTreeMap<String, String>,
}

/// A page as the browser saw it: status, body, and whether it set the session cookie.
pub struct Page {
    pub status: u16,
    pub body: String,
    pub set_session: bool,
}

impl Browser {
    /// A browser connecting from `local` (any 127.x.y.z address on Linux): the pages
    /// rate-limit form posts per client address, and each benchmark run is a different
    /// person's sign-in.
    pub fn new(base: &str, local: IpAddr) -> Self {
        Browser {
            base: base.to_owned(),
            http: reqwest::Client::builder()
                .local_address(local)
                .redirect(Policy::none())
                .build()
                .unwrap(),
            cookies: BTreeMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn finish(&mut self, response: reqwest::Response) -> Page {
        let status = response.status().as_u16();
        let mut set_session = false;
        for header in response.headers().get_all(SET_COOKIE) {
            let text = header.to_str().unwrap();
            let pair = text.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                set_session |= name == SESSION_COOKIE && !value.is_empty();
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let body = response.text().await.unwrap();
        Page {
            status,
            body,
            set_session,
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .send()
            .await
            .unwrap();
        self.finish(response).await
    }

    /// Posts `fields` as a form to `path`, same-origin.
    pub async fn post(&mut self, path: &str, fields: &[(String, String)]) -> Page {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .header("sec-fetch-site", "same-origin")
            .form(fields)
            .send()
            .await
            .unwrap();
        self.finish(response).await
    }
}

/// The hidden and text inputs of the form posting to `action` on `page`: what the
/// browser would submit, before the fields the user fills in.
pub fn form_fields(page: &str, action: &str) -> Vec<(String, String)> {
    let start = page
        .find(&format!("action=\"{action}\""))
        .unwrap_or_else(|| panic!("no form posting to {action} in:\n{page}"));
    let form = &page[start..];
    let form = &form[..form.find("</form>").unwrap_or(form.len())];
    let mut fields = Vec::new();
    for input in form.split("<input").skip(1) {
        let tag = &input[..input.find('>').unwrap_or(input.len())];
        if let (Some(name), Some(value)) = (attribute(tag, "name"), attribute(tag, "value")) {
            fields.push((name, html_unescape(&value)));
        }
    }
    fields
}

/// The text of the element carrying `marker` (e.g. `data-push-number`).
pub fn marked_text(page: &str, marker: &str) -> String {
    let at = page
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker} in:\n{page}"));
    let rest = &page[at..];
    let open = rest.find('>').unwrap() + 1;
    let close = rest[open..].find('<').unwrap() + open;
    rest[open..close].trim().to_owned()
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = tag[start..].find('"')? + start;
    Some(tag[start..end].to_owned())
}

fn html_unescape(text: &str) -> String {
    text.replace("&#x2F;", "/")
        .replace("&#x2f;", "/")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Sets `name` in `fields` (replacing it when present).
pub fn set(fields: &mut Vec<(String, String)>, name: &str, value: &str) {
    fields.retain(|(field, _)| field != name);
    fields.push((name.to_owned(), value.to_owned()));
}
