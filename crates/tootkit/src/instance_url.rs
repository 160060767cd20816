//! Instance addresses: what a user types, normalised to a base URL the client can use.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use url::{Host, Url};

use crate::Error;

/// The base URL of an instance, normalised: scheme, host and port only, no trailing slash.
///
/// Accepts what people type — `botsin.space`, `https://botsin.space/`,
/// `https://host:8443` — and refuses what would be unsafe: plain `http://` is allowed
/// only for loopback hosts (127.0.0.0/8, `::1`, `localhost`), where the sandbox runs.
/// A bare loopback host such as `localhost:3000` means `http://localhost:3000`.
///
/// ```
/// use tootkit::InstanceUrl;
///
/// let url: InstanceUrl = "botsin.space".parse()?;
/// assert_eq!(url.as_str(), "https://botsin.space");
/// assert_eq!(url.host(), "botsin.space");
/// assert_eq!(url.endpoint("/api/v1/statuses").as_str(), "https://botsin.space/api/v1/statuses");
///
/// assert_eq!(InstanceUrl::parse("https://Botsin.Space:8443/")?.as_str(), "https://botsin.space:8443");
/// assert_eq!(InstanceUrl::parse("127.0.0.1:3000")?.as_str(), "http://127.0.0.1:3000");
/// assert!(InstanceUrl::parse("http://botsin.space").is_err());
/// # Ok::<(), tootkit::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct InstanceUrl {
    url: Url,
}

impl InstanceUrl {
    /// Parses and normalises an instance address.
    ///
    /// ```
    /// use tootkit::InstanceUrl;
    ///
    /// assert_eq!(InstanceUrl::parse("botsin.space")?.as_str(), "https://botsin.space");
    /// assert_eq!(InstanceUrl::parse("https://host:8443/")?.as_str(), "https://host:8443");
    /// assert!(InstanceUrl::parse("http://botsin.space").is_err(), "http only on loopback");
    /// assert!(InstanceUrl::parse("http://localhost:3000").is_ok());
    /// # Ok::<(), tootkit::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] when the text is not a host name or URL, uses a scheme
    /// other than https (or http on loopback), or carries a path, query or credentials.
    pub fn parse(input: &str) -> Result<Self, Error> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(Error::invalid_input(
                "No instance address was given; pass one such as `mastodon.social` or `https://botsin.space`.",
            ));
        }
        // A scheme before the host, not a `://` further on (in a query, say).
        let after_scheme = trimmed.split_once("://").and_then(|(scheme, rest)| {
            let is_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
            is_scheme.then_some(rest)
        });
        let scheme_given = after_scheme.is_some();
        // `user:password@host`: refused before anything can echo the password.
        let authority = after_scheme
            .unwrap_or(trimmed)
            .split(['/', '?', '#'])
            .next()
            .unwrap_or_default();
        if let Some((userinfo, host)) = authority.rsplit_once('@')
            && (userinfo.contains(':') || scheme_given)
        {
            return Err(Error::invalid_input(format!(
                "The instance address holds a user name, password or token before its host; remove it and pass the host alone, such as `{host}`."
            )));
        }
        // `@bot@botsin.space` or `bot@botsin.space`; `botsin.space/@bot` is a page of the
        // instance, said below.
        if trimmed.starts_with('@') || authority.contains('@') {
            let host = authority.rsplit('@').next().unwrap_or_default();
            // Echoed only as a handle is written (what follows it may carry a token):
            // before `name@host` without its `@` may stand a token as well as a name.
            let given = if authority.starts_with('@') {
                format!("`{authority}` is an account handle")
            } else {
                format!("A name before `@{host}` makes an account handle")
            };
            return Err(Error::invalid_input(format!(
                "{given}, not an instance address; pass the instance alone, such as `{host}`."
            )));
        }
        let with_scheme = if scheme_given {
            trimmed.to_owned()
        } else {
            // A bare loopback host is the sandbox, which speaks plain http.
            let probe = Url::parse(&format!("http://{trimmed}")).map_err(unparsable_because)?;
            let scheme = if probe.host().is_some_and(|h| is_loopback(&h)) {
                "http"
            } else {
                "https"
            };
            format!("{scheme}://{trimmed}")
        };
        let url = Url::parse(&with_scheme).map_err(unparsable_because)?;
        let host = url.host().ok_or_else(unparsable)?.to_owned();
        if url.port() == Some(0) {
            return Err(bad_port());
        }
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&host) => {}
            "http" => {
                let https = format!("https://{}", host_and_port(&url));
                return Err(Error::invalid_input(format!(
                    "Refusing to send credentials to {host} over plain http, which anyone on the network can read; use {https} (plain http is allowed only for loopback addresses such as 127.0.0.1)."
                )));
            }
            other => {
                return Err(Error::invalid_input(format!(
                    "The instance address uses the scheme `{other}:`; it must start with https:// (or http:// for a loopback address)."
                )));
            }
        }
        // A bare word is no public instance, and is sometimes a token given in the
        // address's place (two variables swapped): not looked up, not echoed. A host on
        // a private network is written with its scheme (`https://intranet:8443`).
        if let Host::Domain(name) = &host
            && !scheme_given
            && !name.trim_end_matches('.').contains('.')
            && !is_loopback(&host)
        {
            return Err(Error::invalid_input(
                "The instance address has no dot in its host name, so it is no public instance (or is a token given in its place); pass the instance's full domain, such as `mastodon.social`, or a private host with its scheme, such as `https://intranet:8443`.",
            ));
        }
        if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
            let base = format!("{}://{}", url.scheme(), host_and_port(&url));
            // Not echoed: a query may carry a token.
            return Err(Error::invalid_input(format!(
                "The instance address goes on past the host to a page (a path, query or fragment); pass the instance alone, such as `{base}`."
            )));
        }
        let mut normalised = url;
        normalised.set_path("");
        Ok(Self { url: normalised })
    }

    /// The normalised base URL, without a trailing slash.
    pub fn as_str(&self) -> &str {
        self.url.as_str().trim_end_matches('/')
    }

    /// The host name (or IP address) of the instance, without port.
    pub fn host(&self) -> String {
        match self.url.host() {
            Some(host) => host.to_string(),
            None => String::new(),
        }
    }

    /// The host and, when it is not the scheme's default, the port: `botsin.space`,
    /// `127.0.0.1:3000`. This is how profiles name an instance.
    pub fn authority(&self) -> String {
        host_and_port(&self.url)
    }

    /// The host and port of an address, as [`authority`](Self::authority) gives them
    /// for the instance's: to tell whether the address is on this instance.
    pub(crate) fn authority_of(url: &Url) -> String {
        host_and_port(url)
    }

    /// Whether this instance is on a loopback address (such as the sandbox).
    pub fn is_loopback(&self) -> bool {
        self.url.host().is_some_and(|h| is_loopback(&h))
    }

    /// The URL of an API path on this instance. `path` starts with `/`.
    pub fn endpoint(&self, path: &str) -> Url {
        let mut url = self.url.clone();
        let (path, query) = match path.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (path, None),
        };
        url.set_path(path);
        url.set_query(query);
        url
    }

    /// The base URL as a [`Url`].
    pub fn as_url(&self) -> &Url {
        &self.url
    }
}

/// Not echoing the input: what fails to parse may be a token given in its place.
fn unparsable_because(err: url::ParseError) -> Error {
    match err {
        url::ParseError::InvalidPort => bad_port(),
        _ => unparsable(),
    }
}

fn bad_port() -> Error {
    Error::invalid_input(
        "The instance address has a port that is no number from 1 to 65535; pass a valid port, such as `https://intranet:8443`, or none for https's own.",
    )
}

fn unparsable() -> Error {
    Error::invalid_input(
        "The instance address is not a host name or URL; pass one such as `mastodon.social` or `https://botsin.space`.",
    )
}

/// Whether an address the server gave may be visited: https, or http on loopback (the
/// rule [`InstanceUrl`] applies to what people type).
pub(crate) fn is_safe_to_visit(url: &Url) -> bool {
    match url.scheme() {
        "https" => url.host().is_some(),
        "http" => url.host().is_some_and(|h| is_loopback(&h)),
        _ => false,
    }
}

fn host_and_port(url: &Url) -> String {
    let host = match url.host() {
        Some(Host::Ipv6(ip)) => format!("[{ip}]"),
        Some(host) => host.to_string(),
        None => String::new(),
    };
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    }
}

fn is_loopback<S: AsRef<str>>(host: &Host<S>) -> bool {
    match host {
        // Only `localhost` itself: other `*.localhost` names go to the system resolver,
        // which may send them off the machine.
        Host::Domain(name) => name
            .as_ref()
            .trim_end_matches('.')
            .eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
    }
}

impl FromStr for InstanceUrl {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for InstanceUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for InstanceUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "InstanceUrl({})", self.as_str())
    }
}

impl serde::Serialize for InstanceUrl {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for InstanceUrl {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(input: &str) -> String {
        InstanceUrl::parse(input)
            .unwrap_or_else(|e| panic!("{input}: {e}"))
            .to_string()
    }

    fn refused(input: &str) -> String {
        InstanceUrl::parse(input).expect_err(input).to_string()
    }

    #[test]
    fn normalises_what_people_type() {
        assert_eq!(ok("botsin.space"), "https://botsin.space");
        assert_eq!(ok("  botsin.space  "), "https://botsin.space");
        assert_eq!(ok("https://botsin.space/"), "https://botsin.space");
        assert_eq!(ok("https://host:8443"), "https://host:8443");
        assert_eq!(ok("https://host:443/"), "https://host");
        assert_eq!(ok("HTTPS://MASTODON.Social"), "https://mastodon.social");
        assert_eq!(ok("bücher.example"), "https://xn--bcher-kva.example");
    }

    #[test]
    fn allows_http_only_on_loopback() {
        assert_eq!(ok("http://127.0.0.1:3000/"), "http://127.0.0.1:3000");
        assert_eq!(ok("http://127.8.9.1:3000"), "http://127.8.9.1:3000");
        assert_eq!(ok("http://[::1]:3000"), "http://[::1]:3000");
        assert_eq!(ok("http://localhost:3000"), "http://localhost:3000");
        assert_eq!(ok("localhost:3000"), "http://localhost:3000");
        assert_eq!(ok("https://localhost:3000"), "https://localhost:3000");
        let message = refused("http://botsin.space");
        assert!(message.contains("plain http"), "{message}");
        assert!(message.contains("https://botsin.space"), "{message}");
        assert!(refused("http://128.0.0.1").contains("plain http"));
        assert!(refused("http://10.0.0.1:3000").contains("https://10.0.0.1:3000"));
    }

    #[test]
    fn refuses_what_is_not_an_instance() {
        assert!(refused("").contains("No instance address"));
        assert!(refused("ftp://botsin.space").contains("scheme `ftp:`"));
        assert!(refused("https://mastodon.social/@Gargron").contains("`https://mastodon.social`"));
        assert!(refused("@bot@botsin.space").contains("`botsin.space`"));
        assert!(refused("bot@botsin.space").contains("account handle"));
        assert!(refused("mastodon.social/@Gargron").contains("`https://mastodon.social`"));
        assert!(refused("@bot@botsin.space/").contains("such as `botsin.space`"));
        for with_password in [
            "https://user:hunter2@botsin.space",
            "user:hunter2@botsin.space",
            "ftp://u:hunter2@h",
            "https://u:hunter2@exa mple.com",
            "https://hunter2@botsin.space",
            "https://hunter2@botsin.space/?access_token=hunter2",
        ] {
            let message = refused(with_password);
            assert!(
                message.contains("user name, password or token"),
                "{message}"
            );
            assert!(!message.contains("hunter2"), "{message}");
        }
        // A `://` further on is no scheme: a handle with a query is still a handle.
        let unmarked = refused("hunter2@botsin.space/?r=https://x");
        assert_eq!(
            unmarked,
            "A name before `@botsin.space` makes an account handle, not an instance address; pass the instance alone, such as `botsin.space`."
        );
        assert!(refused("example.com/?r=https://x").contains("goes on past the host"));
        let handle = refused("@bot@botsin.space/?access_token=hunter2");
        assert!(
            handle.starts_with("`@bot@botsin.space` is an account handle"),
            "{handle}"
        );
        assert!(!handle.contains("hunter2"), "{handle}");
        assert!(refused("http://app.localhost:3000").contains("plain http"));
        assert!(refused("https://").contains("not a host name or URL"));
        assert!(refused("exa mple.com").contains("not a host name or URL"));
        for port in [
            "mastodon.social:99999",
            "https://mastodon.social:0/",
            "127.0.0.1:x",
        ] {
            assert!(
                refused(port).contains("a port that is no number from 1 to 65535"),
                "{port}"
            );
        }
        // What may be a token given in the address's place, or one in a query, is not
        // repeated.
        let token = "ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0";
        assert!(!refused(&format!("{token} x")).contains(token));
        let message = refused(token);
        assert!(message.contains("no dot"), "{message}");
        assert!(!message.contains(&token.to_lowercase()), "{message}");
        let message = refused(&format!("https://mastodon.example/?access_token={token}"));
        assert!(message.contains("`https://mastodon.example`"), "{message}");
        assert!(!message.contains(token), "{message}");
    }

    #[test]
    fn builds_endpoints_with_queries() {
        let url = InstanceUrl::parse("botsin.space").unwrap();
        assert_eq!(
            url.endpoint("/api/v1/timelines/home?limit=2").as_str(),
            "https://botsin.space/api/v1/timelines/home?limit=2"
        );
        assert_eq!(url.authority(), "botsin.space");
        let local = InstanceUrl::parse("127.0.0.1:3000").unwrap();
        assert_eq!(local.authority(), "127.0.0.1:3000");
        assert!(local.is_loopback());
    }
}
