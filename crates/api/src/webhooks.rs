//! Webhooks as Standard Webhooks 1.0 has them: the signature of a message, and the check that
//! an endpoint URL may be called at all (https; no loopback, private, link-local, unique-local
//! or metadata address, at creation and again before every delivery, against DNS rebinding),
//! except hosts the configuration allows.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::ApiError;

/// `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` for each live secret, space-separated.
pub fn signature(secrets: &[String], message_id: &str, timestamp: i64, body: &str) -> String {
    let b64 = base64::engine::general_purpose::STANDARD;
    secrets
        .iter()
        .filter_map(|s| {
            let key = b64.decode(s.strip_prefix("whsec_").unwrap_or(s)).ok()?;
            let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
            mac.update(format!("{message_id}.{timestamp}.{body}").as_bytes());
            Some(format!("v1,{}", b64.encode(mac.finalize().into_bytes())))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether an address is one no endpoint may reach: loopback, private, link-local (the cloud
/// metadata address among them), unique-local, shared (CGNAT), unspecified, multicast or
/// broadcast; IPv4 inside IPv6 is judged as IPv4.
pub fn forbidden_address(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return forbidden_v4(v4);
            }
            let s = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || v6 == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)
        }
    }
}

fn forbidden_v4(v4: Ipv4Addr) -> bool {
    let o = v4.octets();
    v4.is_loopback()
        || v4.is_private()
        || v4.is_link_local()
        || v4.is_unspecified()
        || v4.is_broadcast()
        || v4.is_multicast()
        || o[0] == 0
        || (o[0] == 100 && (o[1] & 0xc0) == 64)
}

/// Checks an endpoint URL: https (http only for allowed hosts), a host, and — unless the host
/// is allowed — every address it resolves to is public. VALIDATION on `field` otherwise.
pub async fn check_url(raw: &str, allowed: &[String], field: &str) -> Result<String, ApiError> {
    let bad = |m: &str| ApiError::validation(field, m);
    let url = url::Url::parse(raw.trim()).map_err(|_| bad("not a URL"))?;
    let host = url
        .host_str()
        .ok_or_else(|| bad("the URL has no host"))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("credentials do not belong in the URL"));
    }
    let is_allowed = allowed.iter().any(|a| a.eq_ignore_ascii_case(&host));
    match url.scheme() {
        "https" => {}
        "http" if is_allowed => {}
        _ => return Err(bad("an https:// URL")),
    }
    if !is_allowed {
        let port = url.port_or_known_default().unwrap_or(443);
        let addrs: Vec<_> = tokio::net::lookup_host((host.as_str(), port))
            .await
            .map_err(|_| bad("the host does not resolve"))?
            .collect();
        if addrs.is_empty() {
            return Err(bad("the host does not resolve"));
        }
        if addrs.iter().any(|a| forbidden_address(a.ip())) {
            return Err(bad(
                "the host resolves to a private, loopback or link-local address",
            ));
        }
    }
    Ok(url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_metadata_addresses_are_refused_public_ones_pass() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "fd00:ec2::254",
        ] {
            assert!(forbidden_address(ip.parse().expect("ip")), "{ip}");
        }
        for ip in ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "172.32.0.1"] {
            assert!(!forbidden_address(ip.parse().expect("ip")), "{ip}");
        }
    }

    #[tokio::test]
    async fn urls_must_be_https_and_public_unless_allowed() {
        let none: Vec<String> = vec![];
        for (url, why) in [
            ("http://example.com/hook", "an https:// URL"),
            ("https://127.0.0.1/hook", "private"),
            ("https://localhost/hook", "private"),
            ("https://[::1]/hook", "private"),
            ("https://user:pw@example.com/", "credentials"),
            ("ftp://example.com/", "https"),
        ] {
            let e = check_url(url, &none, "input.url").await.expect_err(url);
            assert!(format!("{e:?}").contains(why), "{url}: {e:?}");
        }
        let allowed = vec!["127.0.0.1".to_owned()];
        assert!(
            check_url("http://127.0.0.1:9/x", &allowed, "f")
                .await
                .is_ok()
        );
    }
}
