//! How domain values are stored: enum lists as JSON arrays of their names, ids as text.

use sinergi_domain::{Dimension, FinancingModel, Sector};
use uuid::Uuid;

use crate::{Error, Result};

/// A list of enum values as a JSON array of names.
pub fn names<T: Copy>(items: &[T], name: fn(T) -> &'static str) -> String {
    // A JSON value's text cannot fail to be written, unlike a serialisation.
    serde_json::Value::from(items.iter().map(|i| name(*i)).collect::<Vec<_>>()).to_string()
}

/// Reads a JSON array of enum names back.
pub fn parse_names<T>(text: &str, parse: fn(&str) -> Option<T>, what: &str) -> Result<Vec<T>> {
    let raw: Vec<String> =
        serde_json::from_str(text).map_err(|_| Error::corrupt(format!("{what} list")))?;
    raw.iter()
        .map(|s| parse(s).ok_or_else(|| Error::corrupt(format!("{what} value {s}"))))
        .collect()
}

/// Strings as a JSON array.
pub fn strings(items: &[String]) -> String {
    serde_json::Value::from(items.to_vec()).to_string()
}

/// Reads a JSON array of strings back.
pub fn parse_strings(text: &str) -> Result<Vec<String>> {
    serde_json::from_str(text).map_err(|_| Error::corrupt("string list"))
}

/// Dimensions as stored.
pub fn dimensions(items: &[Dimension]) -> String {
    names(items, Dimension::as_str)
}

/// Sectors as stored.
pub fn sectors(items: &[Sector]) -> String {
    names(items, Sector::as_str)
}

/// Financing models as stored.
pub fn financing(items: &[FinancingModel]) -> String {
    names(items, FinancingModel::as_str)
}

/// Reads a stored id.
pub fn id(text: &str) -> Result<Uuid> {
    Uuid::parse_str(text).map_err(|_| Error::corrupt("id"))
}

/// Reads an optional stored id.
pub fn opt_id(text: Option<&str>) -> Result<Option<Uuid>> {
    text.map(id).transpose()
}

/// Reads a stored enum value.
pub fn one<T>(text: &str, parse: fn(&str) -> Option<T>, what: &str) -> Result<T> {
    parse(text).ok_or_else(|| Error::corrupt(format!("{what} value {text}")))
}
