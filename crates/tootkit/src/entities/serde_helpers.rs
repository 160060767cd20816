//! Tolerant (de)serialization shared by the entities.
//!
//! Servers that speak the Mastodon API differ in small ways: numeric IDs where Mastodon
//! sends strings, empty strings for missing dates, `null` for empty lists. These helpers
//! accept all of those and write what Mastodon writes.

use serde::{Deserialize, Deserializer, Serializer};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Declares a string enum that keeps values it does not know in `Other`, so a server
/// adding a new value never breaks deserialization.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $text:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this version of tootkit does not know, kept as the server sent it.
            Other(String),
        }

        impl $name {
            /// The value as the API writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $text, )*
                    Self::Other(other) => other,
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(match s {
                    $( $text => Self::$variant, )*
                    other => Self::Other(other.to_owned()),
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                // `null` is a value nobody knows, kept as an empty one; one that is no
                // string, as its JSON.
                let text = match Option::<serde_json::Value>::deserialize(d)? {
                    None | Some(serde_json::Value::Null) => String::new(),
                    Some(serde_json::Value::String(text)) => text,
                    Some(other) => {
                        let written = other.to_string();
                        tracing::warn!(
                            "the server's answer held {} where a {} belongs, kept as it was written",
                            crate::error::tame(&written),
                            stringify!($name)
                        );
                        written
                    }
                };
                Ok(text.parse().unwrap_or_else(|never: std::convert::Infallible| match never {}))
            }
        }
    };
}
pub(crate) use open_enum;

/// An ID that Mastodon sends as a string and some servers as a number.
pub(crate) fn id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    use serde::de::{Error, Unexpected};
    use serde_json::Value;
    match Value::deserialize(d)? {
        Value::String(text) => Ok(text),
        Value::Number(number) => Ok(number.to_string()),
        other => Err(D::Error::invalid_type(
            match &other {
                Value::Null => Unexpected::Unit,
                Value::Bool(b) => Unexpected::Bool(*b),
                Value::Array(_) => Unexpected::Seq,
                _ => Unexpected::Map,
            },
            &"an ID (a string or a number)",
        )),
    }
}

/// An optional ID, string or number.
pub(crate) fn opt_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    struct Wrap(#[serde(deserialize_with = "id")] String);
    Ok(Option::<Wrap>::deserialize(d)?.map(|w| w.0))
}

/// A list that some servers send as `null` (or as no list at all): empty then; an
/// item that cannot be read is left out rather than failing the entity holding it.
pub(crate) fn list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Array(items) => items
            .into_iter()
            .filter_map(|item| readable(serde_json::from_value(item)))
            .collect(),
        serde_json::Value::Null => Vec::new(),
        other => {
            left_out("a list", &other);
            Vec::new()
        }
    })
}

/// Warns that a value of the wrong kind (`other`, where `what` belongs) was left out.
fn left_out(what: &str, other: &serde_json::Value) {
    let kind = match other {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "an object",
    };
    tracing::warn!("the server's answer held {kind} where {what} belongs, so it was left out");
}

/// A value read, or `None` with a warning that the server sent one that could not be
/// read: left out, it is data the caller does not see.
fn readable<T>(read: Result<T, serde_json::Error>) -> Option<T> {
    read.map_err(|err| {
        // serde quotes what it could not take, which the server wrote.
        let why = crate::error::tame(&err.to_string());
        tracing::warn!(
            "the server's answer held {} that could not be read ({why}), so it was left out",
            what_is::<T>()
        );
    })
    .ok()
}

/// `T` in a few words: `a list`, `a map`, `an Account`.
fn what_is<T>() -> String {
    let name = std::any::type_name::<T>();
    let outer = name.split('<').next().unwrap_or(name);
    let last = outer.rsplit("::").next().unwrap_or(outer);
    match last {
        "Vec" => "a list".to_owned(),
        "Map" | "BTreeMap" | "HashMap" => "a map".to_owned(),
        "Value" => "a value".to_owned(),
        "String" => "a text".to_owned(),
        "Box" => name
            .split_once('<')
            .map(|(_, inner)| inner.trim_end_matches('>'))
            .and_then(|inner| inner.rsplit("::").next())
            .map_or_else(|| "a value".to_owned(), with_article),
        other => with_article(other),
    }
}

fn with_article(noun: &str) -> String {
    let vowel = noun.starts_with(['A', 'E', 'I', 'O', 'U', 'a', 'e', 'i', 'o', 'u']);
    format!("{} {noun}", if vowel { "an" } else { "a" })
}

/// A value that some servers send as `null`: its default then.
pub(crate) fn or_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// An optional value of any shape (a list, a map, an object): `None` when it is `null`,
/// or, with a warning, when it cannot be read.
pub(crate) fn or_none<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::Null => Ok(None),
        // What a PHP server writes for an empty map or absent object: none, unless it
        // is the empty list it may also be.
        serde_json::Value::Array(items) if items.is_empty() => {
            Ok(serde_json::from_value(serde_json::Value::Array(items)).ok())
        }
        value => Ok(readable(serde_json::from_value(value))),
    }
}

/// A value that some servers send as `null` or cannot be read: its default then, the
/// latter with a warning.
pub(crate) fn or_default_readable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned + Default,
{
    Ok(or_none(d)?.unwrap_or_default())
}

/// An optional object that some servers send as an empty list or string when absent;
/// one that cannot be read is absent too, rather than failing the entity holding it.
pub(crate) fn object_or_none<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    match serde_json::Value::deserialize(d)? {
        value @ serde_json::Value::Object(_) => Ok(readable(serde_json::from_value(value))),
        _ => Ok(None),
    }
}

/// A count that some servers send as `null`, as a string, or omit: zero when it is
/// none that [`opt_count`] can read.
pub(crate) fn count<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    Ok(opt_count(d)?.unwrap_or(0))
}

/// A count or limit that may be absent: a number, or a string holding one; anything
/// else (`null`, an unreadable string, a negative number, one too large for `T`) is
/// `None` rather than a failure of the whole entity.
pub(crate) fn opt_count<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<u64>,
{
    Ok(Option::<serde_json::Value>::deserialize(d)?
        .as_ref()
        .and_then(count_in)
        .and_then(|n| T::try_from(n).ok()))
}

fn count_in(value: &serde_json::Value) -> Option<u64> {
    match value {
        serde_json::Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite() && *f >= 0.0)
                .map(|f| f as u64)
        }),
        serde_json::Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// A map of counts (`api_versions`): entries whose value is no count are left out.
pub(crate) fn count_map<'de, D, T>(d: D) -> Result<std::collections::BTreeMap<String, T>, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<u64>,
{
    let Some(serde_json::Value::Object(map)) = Option::<serde_json::Value>::deserialize(d)? else {
        return Ok(std::collections::BTreeMap::new());
    };
    Ok(map
        .into_iter()
        .filter_map(|(key, value)| Some((key, T::try_from(count_in(&value)?).ok()?)))
        .collect())
}

/// Unix seconds that may be absent, written as a number or a string of one; anything
/// else is `None`.
pub(crate) fn opt_seconds<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(d)? {
        Some(serde_json::Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f as i64)),
        Some(serde_json::Value::String(text)) => text.trim().parse().ok(),
        _ => None,
    })
}

/// A boolean that some servers send as `null`, as a string, or omit: `false` when it
/// is no `true` or `"true"`.
pub(crate) fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(opt_flag(d)?.unwrap_or(false))
}

/// A string that some servers send as `null`, as a number, or omit; anything else is
/// empty rather than the end of the entity holding it.
pub(crate) fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(opt_text(d)?.unwrap_or_default())
}

/// A flag that may be absent: a boolean, or a string holding one; anything else
/// (`null`, a number, an object) is `None` rather than a failure of the whole entity.
pub(crate) fn opt_flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(d)? {
        Some(serde_json::Value::Bool(b)) => Some(b),
        Some(serde_json::Value::String(text)) => match text.trim() {
            t if t.eq_ignore_ascii_case("true") => Some(true),
            t if t.eq_ignore_ascii_case("false") => Some(false),
            _ => {
                left_out("a flag", &serde_json::Value::String(text));
                None
            }
        },
        None | Some(serde_json::Value::Null) => None,
        Some(other) => {
            left_out("a flag", &other);
            None
        }
    })
}

/// Text that may be absent: a string, or a number written as one; anything else is
/// `None` rather than a failure of the whole entity.
pub(crate) fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(d)? {
        Some(serde_json::Value::String(text)) => Some(text),
        Some(serde_json::Value::Number(number)) => Some(number.to_string()),
        None | Some(serde_json::Value::Null) => None,
        Some(other) => {
            left_out("a text", &other);
            None
        }
    })
}

/// Parses an RFC 3339 timestamp, or Unix seconds written as a string (as one of the
/// documentation's examples has it); anything else (an empty string, a bare date, a
/// malformed value) is treated as absent rather than failing the whole entity.
pub(crate) fn parse_timestamp(text: &str) -> Option<OffsetDateTime> {
    let text = text.trim();
    let at = OffsetDateTime::parse(text, &Rfc3339).ok().or_else(|| {
        // Nine digits at least (1973 on): shorter ones are dates such as `20240101`.
        let seconds: i64 = (text.len() >= 9 && text.bytes().all(|b| b.is_ascii_digit()))
            .then(|| text.parse().ok())??;
        OffsetDateTime::from_unix_timestamp(seconds).ok()
    })?;
    in_utc(at)
}

/// `at` in UTC, if it falls within the years RFC 3339 can write (0 to 9999): a time at
/// the edge of that range with an offset may not.
fn in_utc(at: OffsetDateTime) -> Option<OffsetDateTime> {
    at.checked_to_offset(time::UtcOffset::UTC)
        .filter(|at| (0..=9999).contains(&at.year()))
}

/// Formats a timestamp as Mastodon does: UTC, milliseconds, `Z`. A time that UTC
/// would put outside the years 0 to 9999 is written as the nearest that is not.
pub fn format_timestamp(at: OffsetDateTime) -> String {
    let at = in_utc(at).unwrap_or(if at.year() < 5000 {
        time::macros::datetime!(0000-01-01 0:00 UTC)
    } else {
        time::macros::datetime!(9999-12-31 23:59:59.999 UTC)
    });
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.millisecond()
    )
}

/// Optional timestamp, tolerant: strings that are not RFC 3339 become `None`.
pub(crate) mod timestamp {
    use super::*;

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<OffsetDateTime>, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Seconds(i64),
            Other(serde::de::IgnoredAny),
        }
        Ok(match Option::<Raw>::deserialize(d)? {
            Some(Raw::Text(text)) => parse_timestamp(&text),
            Some(Raw::Seconds(secs)) => OffsetDateTime::from_unix_timestamp(secs).ok(),
            Some(Raw::Other(_)) | None => None,
        })
    }

    pub(crate) fn serialize<S: Serializer>(
        at: &Option<OffsetDateTime>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match at {
            Some(at) => s.serialize_str(&format_timestamp(*at)),
            None => s.serialize_none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_format_as_mastodon_does() {
        let at = parse_timestamp("2026-08-01T13:53:55.410Z").unwrap();
        assert_eq!(format_timestamp(at), "2026-08-01T13:53:55.410Z");
        let at = parse_timestamp("2018-10-31T04:11:00.076+00:00").unwrap();
        assert_eq!(format_timestamp(at), "2018-10-31T04:11:00.076Z");
        assert!(parse_timestamp("").is_none());
        assert!(parse_timestamp("2026-08-01").is_none());
    }

    #[test]
    fn a_timestamp_utc_cannot_write_is_absent_and_never_panics() {
        // Valid RFC 3339, but in UTC it is the year 10000.
        assert!(parse_timestamp("9999-12-31T23:30:00-01:00").is_none());
        assert!(parse_timestamp("0000-01-01T00:30:00+01:00").is_none());
        let status: crate::Status = serde_json::from_value(serde_json::json!({
            "id": "1", "created_at": "9999-12-31T23:30:00-01:00", "account": {"id": "2", "username": "a", "acct": "a"}
        }))
        .unwrap();
        assert!(serde_json::to_string(&status).is_ok());
        // Built by a caller: written as the nearest time RFC 3339 can hold.
        let late = time::macros::datetime!(9999-12-31 23:30 -01:00);
        assert_eq!(format_timestamp(late), "9999-12-31T23:59:59.999Z");
        let early = time::macros::datetime!(0000-01-01 0:30 +01:00);
        assert_eq!(format_timestamp(early), "0000-01-01T00:00:00.000Z");
    }

    #[test]
    fn nulls_and_odd_objects_where_a_value_belongs_are_absent_rather_than_fatal() {
        let status: crate::Status = serde_json::from_value(serde_json::json!({
            "id": "1", "account": {"id": "2", "username": null}
        }))
        .unwrap();
        assert_eq!(
            (
                status.account.username.as_str(),
                status.account.acct.as_str()
            ),
            ("", "")
        );
        let instance: crate::Instance = serde_json::from_value(serde_json::json!({
            "domain": "example.org", "configuration": null,
            "contact": {"account": {"id": 7, "username": ["not", "text"]}}
        }))
        .unwrap();
        assert_eq!(instance.max_characters(), 500);
        let v1: crate::InstanceV1 = serde_json::from_value(serde_json::json!({
            "uri": "example.org", "configuration": null, "contact_account": {"id": []}
        }))
        .unwrap();
        assert!(v1.contact_account.is_none());
        // A text or flag of the wrong kind is read as far as it can be.
        let account: crate::Account = serde_json::from_value(serde_json::json!({
            "id": 2, "username": "a", "acct": "a", "note": 7, "display_name": {"x": 1},
            "bot": "true", "locked": 1
        }))
        .unwrap();
        assert_eq!(
            (
                account.id.as_str(),
                account.note.as_str(),
                account.display_name.as_str()
            ),
            ("2", "7", "")
        );
        assert!(account.bot && !account.locked);
        // An ID of no kind an ID has is an error that says so.
        let err = serde_json::from_value::<crate::Account>(serde_json::json!({"id": {}}))
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "invalid type: map, expected an ID (a string or a number)"
        );
    }

    #[test]
    fn an_odd_number_is_absent_rather_than_the_end_of_the_entity() {
        let statuses: crate::entities::instance::StatusesConfiguration =
            serde_json::from_value(serde_json::json!({
                "max_characters": "5000",
                "max_media_attachments": -1,
                "characters_reserved_per_url": 23.0
            }))
            .unwrap();
        assert_eq!(statuses.max_characters, Some(5000));
        assert_eq!(statuses.max_media_attachments, None);
        assert_eq!(statuses.characters_reserved_per_url, Some(23));
        let versions: std::collections::BTreeMap<String, u32> =
            count_map(serde_json::json!({"mastodon": 7, "other": "x", "big": 1e12})).unwrap();
        assert_eq!(versions, [("mastodon".to_owned(), 7)].into());
        let token: crate::Token =
            serde_json::from_value(serde_json::json!({"access_token": "t", "token_type": null}))
                .unwrap();
        assert_eq!(token.token_type, "Bearer");
    }
}
