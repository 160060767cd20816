//! OAuth scopes, and the rule by which one covers another.

use std::fmt;
use std::str::FromStr;

use crate::Error;

/// A set of OAuth scopes, such as `read write:statuses`.
///
/// Parses from spaces, commas or pluses (`read,write`, `read+write`). A scope covers its
/// granular children, as Mastodon rules: `write` covers `write:statuses`, `admin:read`
/// covers `admin:read:accounts`; `follow` is the old name for the follow-related
/// `read:`/`write:` scopes and covers them.
///
/// ```
/// use tootkit::Scopes;
///
/// let scopes: Scopes = "read,write:statuses".parse()?;
/// assert_eq!(scopes.to_string(), "read write:statuses");
/// assert!(scopes.covers("read:accounts"));
/// assert!(scopes.covers("write:statuses"));
/// assert!(!scopes.covers("write:media"));
/// assert!(Scopes::parse("write")?.covers("write:statuses"));
/// # Ok::<(), tootkit::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Scopes(Vec<String>);

impl Scopes {
    /// Parses scopes separated by spaces, commas or pluses.
    ///
    /// ```
    /// let scopes = tootkit::Scopes::parse("read,write:statuses")?;
    /// assert_eq!(scopes.to_string(), "read write:statuses");
    /// assert!(scopes.covers("write:statuses") && !scopes.covers("write:media"));
    /// # Ok::<(), tootkit::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] when a scope contains characters no scope has.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let mut scopes: Vec<String> = Vec::new();
        for scope in text.split(|c: char| c == ',' || c == '+' || c.is_whitespace()) {
            if scope.is_empty() {
                continue;
            }
            if !scope
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == ':' || c == '_')
            {
                return Err(Error::invalid_input(format!(
                    "`{scope}` is not an OAuth scope; use scopes such as `read`, `write:statuses` or `profile`, separated by commas."
                )));
            }
            if !scopes.iter().any(|s| s == scope) {
                scopes.push(scope.to_owned());
            }
        }
        Ok(Self(scopes))
    }

    /// `read`, Mastodon's default when no scope is given.
    pub fn read() -> Self {
        Self(vec!["read".to_owned()])
    }

    /// `read write`, what a posting bot usually asks for.
    pub fn read_write() -> Self {
        Self(vec!["read".to_owned(), "write".to_owned()])
    }

    /// The scopes, one per item.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    /// Whether no scope is in the set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether these scopes grant `needed`.
    pub fn covers(&self, needed: &str) -> bool {
        self.iter().any(|held| scope_covers(held, needed))
    }

    /// Whether every scope of `other` is granted by these.
    pub fn covers_all(&self, other: &Scopes) -> bool {
        other.iter().all(|needed| self.covers(needed))
    }

    /// These scopes and those of `other` not among them, in that order.
    ///
    /// ```
    /// let scopes = tootkit::Scopes::read_write().union(&tootkit::Scopes::parse("write profile")?);
    /// assert_eq!(scopes.to_string(), "read write profile");
    /// # Ok::<(), tootkit::Error>(())
    /// ```
    pub fn union(&self, other: &Scopes) -> Scopes {
        let mut scopes = self.0.clone();
        for scope in other.iter() {
            if !scopes.iter().any(|s| s == scope) {
                scopes.push(scope.to_owned());
            }
        }
        Scopes(scopes)
    }
}

/// Whether the held scope grants the needed one.
fn scope_covers(held: &str, needed: &str) -> bool {
    if held == needed {
        return true;
    }
    if needed
        .strip_prefix(held)
        .is_some_and(|rest| rest.starts_with(':'))
    {
        return true;
    }
    // `follow` predates granular scopes and grants what following needs.
    held == "follow"
        && matches!(
            needed,
            "read:blocks"
                | "write:blocks"
                | "read:follows"
                | "write:follows"
                | "read:mutes"
                | "write:mutes"
        )
}

impl FromStr for Scopes {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join(" "))
    }
}

impl serde::Serialize for Scopes {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> serde::Deserialize<'de> for Scopes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// The granular scope Mastodon asks of a request the library makes; `None` where
/// tootkit does not know it.
pub(crate) fn scope_needed_by(method: &reqwest::Method, path: &str) -> Option<&'static str> {
    let path = path.split('?').next().unwrap_or_default();
    let reading = *method == reqwest::Method::GET;
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    Some(match segments[..] {
        ["api", "v1", "statuses", ..] if reading => "read:statuses",
        ["api", "v1", "statuses", ..] => "write:statuses",
        ["api", "v1", "accounts", _, "statuses"] if reading => "read:statuses",
        ["api", "v1", "accounts", ..] if reading => "read:accounts",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parent_scopes_cover_children_only() {
        let write = Scopes::parse("write").unwrap();
        assert!(write.covers("write:statuses"));
        assert!(!write.covers("read:statuses"));
        assert!(!write.covers("writeable"));
        let admin = Scopes::parse("admin:read").unwrap();
        assert!(admin.covers("admin:read:accounts"));
        assert!(!admin.covers("read"));
        assert!(Scopes::parse("follow").unwrap().covers("write:follows"));
        assert!(!Scopes::parse("read").unwrap().covers("write:statuses"));
    }

    #[test]
    fn parses_any_separator_and_refuses_nonsense() {
        assert_eq!(
            Scopes::parse(" read+write,push  profile read")
                .unwrap()
                .to_string(),
            "read write push profile"
        );
        let err = Scopes::parse("read;drop").unwrap_err().to_string();
        assert!(err.contains("`read;drop` is not an OAuth scope"), "{err}");
    }

    #[test]
    fn the_scope_a_request_needs_is_named_where_known() {
        use reqwest::Method;
        let needs = |method: Method, path: &str| super::scope_needed_by(&method, path);
        assert_eq!(
            needs(Method::POST, "/api/v1/statuses"),
            Some("write:statuses")
        );
        assert_eq!(
            needs(Method::DELETE, "/api/v1/statuses/1"),
            Some("write:statuses")
        );
        assert_eq!(
            needs(Method::GET, "/api/v1/statuses/1"),
            Some("read:statuses")
        );
        assert_eq!(
            needs(Method::GET, "/api/v1/accounts/1/statuses?limit=5"),
            Some("read:statuses")
        );
        assert_eq!(
            needs(Method::GET, "/api/v1/accounts/verify_credentials"),
            Some("read:accounts")
        );
        assert_eq!(needs(Method::GET, "/api/v2/instance"), None);
    }
}
