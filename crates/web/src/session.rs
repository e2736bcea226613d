//! The browser's session: the refresh token and a short-lived access token in HttpOnly,
//! SameSite=Strict cookies (Secure over https), never readable by page scripts; a CSRF token
//! per browser for every form that changes state; the language cookie.

use axum::http::{HeaderMap, header};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The cookies' names.
pub const REFRESH: &str = "sinergi_refresh";
pub const ACCESS: &str = "sinergi_access";
pub const CSRF: &str = "sinergi_csrf";
pub const LANG: &str = "sinergi_lang";

/// A cookie of the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
}

/// A `Set-Cookie` value: HttpOnly and SameSite=Strict always, Secure over https.
pub fn set(name: &str, value: &str, max_age_seconds: i64, secure: bool) -> String {
    format!(
        "{name}={value}; Path=/; Max-Age={max_age_seconds}; HttpOnly; SameSite=Strict{}",
        if secure { "; Secure" } else { "" }
    )
}

/// A `Set-Cookie` value that removes the cookie.
pub fn clear(name: &str, secure: bool) -> String {
    set(name, "", 0, secure)
}

/// The CSRF token of a browser: an HMAC of its random CSRF cookie, so a page of another
/// origin can neither read nor forge it.
pub fn csrf_token(key: &[u8], cookie_value: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    mac.update(b"sinergi-csrf:");
    mac.update(cookie_value.as_bytes());
    hex::encode(&mac.finalize().into_bytes()[..16])
}

/// Whether a form's token belongs to this browser (compared in constant time).
pub fn csrf_ok(key: &[u8], cookie_value: Option<&str>, token: &str) -> bool {
    let Some(c) = cookie_value else {
        return false;
    };
    let expected = csrf_token(key, c);
    expected.len() == token.len()
        && expected
            .bytes()
            .zip(token.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_read_by_name_and_tokens_bind_to_the_browser() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            "a=1; sinergi_csrf=abc; b=".parse().expect("header"),
        );
        assert_eq!(cookie(&h, CSRF), Some("abc"));
        assert_eq!(cookie(&h, "b"), None);
        let t = csrf_token(b"k", "abc");
        assert!(csrf_ok(b"k", Some("abc"), &t));
        assert!(!csrf_ok(b"k", Some("abd"), &t));
        assert!(!csrf_ok(b"k", None, &t));
        assert!(set(REFRESH, "x", 60, true).contains("HttpOnly; SameSite=Strict; Secure"));
    }
}
