//! Opaque, signed pagination cursors: a cursor from another list or a tampered one is refused.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{TimeZone, Utc};
use sha2::{Digest, Sha256};
use sinergi_services::page::Key;

use crate::error::ApiError;

fn mac(key: &[u8], body: &str) -> String {
    let mut h = Sha256::new();
    h.update(key);
    h.update(body.as_bytes());
    h.update(key);
    hex::encode(&h.finalize()[..8])
}

fn seal(key: &[u8], body: String) -> String {
    let m = mac(key, &body);
    URL_SAFE_NO_PAD.encode(format!("{body}|{m}"))
}

fn open(key: &[u8], kind: &str, cursor: &str) -> Result<Vec<String>, ApiError> {
    let bad = || ApiError::validation("after", "not a cursor of this list");
    let raw = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    let text = String::from_utf8(raw).map_err(|_| bad())?;
    let (body, m) = text.rsplit_once('|').ok_or_else(bad)?;
    if mac(key, body) != m {
        return Err(bad());
    }
    let parts: Vec<String> = body.split('|').map(str::to_owned).collect();
    if parts.first().map(String::as_str) != Some(kind) {
        return Err(bad());
    }
    Ok(parts[1..].to_vec())
}

/// The cursor after a row of a keyset list.
pub fn encode(key: &[u8], kind: &str, k: &Key) -> String {
    seal(key, format!("{kind}|{}|{}", k.at.timestamp_micros(), k.id))
}

/// Reads a keyset cursor of the list `kind`.
pub fn decode(key: &[u8], kind: &str, cursor: Option<&str>) -> Result<Option<Key>, ApiError> {
    let Some(c) = cursor else { return Ok(None) };
    let parts = open(key, kind, c)?;
    let bad = || ApiError::validation("after", "not a cursor of this list");
    let [micros, id] = parts.as_slice() else {
        return Err(bad());
    };
    let micros: i64 = micros.parse().map_err(|_| bad())?;
    let at = Utc.timestamp_micros(micros).single().ok_or_else(bad)?;
    Ok(Some(Key { at, id: id.clone() }))
}

/// The cursor after a position of a ranked list.
pub fn encode_offset(key: &[u8], kind: &str, offset: usize) -> String {
    seal(key, format!("{kind}|{offset}"))
}

/// Reads a ranked-list cursor.
pub fn decode_offset(key: &[u8], kind: &str, cursor: Option<&str>) -> Result<usize, ApiError> {
    let Some(c) = cursor else { return Ok(0) };
    let parts = open(key, kind, c)?;
    parts
        .first()
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| ApiError::validation("after", "not a cursor of this list"))
}

/// Checks `first` (1..100); an explicit null means the field's default.
pub fn first(n: Option<i32>, default: i32) -> Result<u64, ApiError> {
    let n = n.unwrap_or(default);
    if (1..=100).contains(&n) {
        Ok(n as u64)
    } else {
        Err(ApiError::validation("first", "must be 1 to 100"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tampered_and_foreign_cursors_are_refused() {
        let k = Key {
            at: Utc::now(),
            id: "abc".into(),
        };
        let c = encode(b"key", "cities", &k);
        assert_eq!(
            decode(b"key", "cities", Some(&c))
                .expect("ok")
                .map(|x| x.id),
            Some("abc".into())
        );
        assert!(decode(b"key", "projects", Some(&c)).is_err());
        assert!(decode(b"other", "cities", Some(&c)).is_err());
        assert!(decode(b"key", "cities", Some("garbage")).is_err());
    }
}
