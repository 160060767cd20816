//! Secret strings: access tokens, client secrets, authorization codes, PKCE verifiers.
//!
//! Each is its own type so that one cannot be passed where another is expected, and so
//! that none of them can leak by accident: `Debug` and `Display` print a redaction;
//! reading the value takes an explicit call to `expose()`.
//!
//! None of them implements `Serialize`: a field holding one that must be written as it
//! is (a token response, a stored credential) says so with
//! `#[serde(serialize_with = "tootkit::exposed::serialize")]`, as explicit as
//! `expose()`. The entities that carry secrets do, so never serialize one into a log.

use std::fmt;

/// What every secret prints instead of its value.
pub const REDACTED: &str = "[redacted]";

macro_rules! secret_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash)]
        pub struct $name(String);

        impl $name {
            /// Wraps a secret value.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The secret value itself. Call this only where the value must leave the
            /// program: an HTTP request, a credential store, output the user asked for.
            pub fn expose(&self) -> &str {
                &self.0
            }

            /// Whether the value is empty or only whitespace (such a secret is never
            /// valid).
            pub fn is_empty(&self) -> bool {
                self.0.trim().is_empty()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), REDACTED)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(REDACTED)
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.to_owned())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                String::deserialize(d).map(Self)
            }
        }

        impl Secret for $name {
            fn expose(&self) -> &str {
                &self.0
            }
        }
    };
}

/// `from_pasted` for the secrets a server issues (a password is the person's own, and
/// may well hold quotes and spaces).
macro_rules! issued_secret {
    ($($name:ident),*) => {$(
        impl $name {
            /// Wraps a value as a person copied it, without what came along with it:
            /// the whitespace around it, the `Bearer` scheme of an `Authorization`
            /// header, and matching quotes around it, as a `.env` file, a Docker
            /// `--env-file` or a shell line may keep them. No token, code or secret a
            /// Mastodon-compatible server issues holds a quote or a space, so nothing
            /// of the value itself is taken.
            ///
            /// ```
            /// use tootkit::AccessToken;
            ///
            /// let token = |text| AccessToken::from_pasted(text).expose().to_owned();
            /// assert_eq!(token(" ZA-Yj3aBD8U8Cm7lKUp\n"), "ZA-Yj3aBD8U8Cm7lKUp");
            /// assert_eq!(token("\"ZA-Yj3aBD8U8Cm7lKUp\""), "ZA-Yj3aBD8U8Cm7lKUp");
            /// assert_eq!(token("Bearer 'ZA-Yj3aBD8U8Cm7lKUp'"), "ZA-Yj3aBD8U8Cm7lKUp");
            /// assert_eq!(token("'Bearer '"), "");
            /// // Quotes that do not match are left for the server to refuse.
            /// assert_eq!(token("\"ZA-Yj3aBD8U8Cm7lKUp"), "\"ZA-Yj3aBD8U8Cm7lKUp");
            /// ```
            pub fn from_pasted(text: &str) -> Self {
                Self(pasted(text).to_owned())
            }
        }
    )*};
}

issued_secret!(AccessToken, RefreshToken, ClientSecret, AuthorizationCode);

/// See `from_pasted` on the issued secret types.
pub(crate) fn pasted(text: &str) -> &str {
    let mut text = text.trim();
    loop {
        let before = text;
        // `Bearer …`, or the scheme alone: copied without the secret.
        let (scheme, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
        if scheme.eq_ignore_ascii_case("bearer") {
            text = rest.trim();
        }
        for quote in ['"', '\'', '`'] {
            if let Some(inside) = text
                .strip_prefix(quote)
                .and_then(|rest| rest.strip_suffix(quote))
            {
                text = inside.trim();
            }
        }
        if text == before {
            return text;
        }
    }
}

/// What every secret type is, for code generic over them (such as
/// [`exposed::serialize`]).
pub trait Secret {
    /// The secret value itself.
    fn expose(&self) -> &str;
}

/// Serializing secrets as they are, opted into field by field with serde's
/// `serialize_with`: a secret type has no `Serialize` of its own, so that a secret
/// cannot reach JSON or a log without a word that says so.
///
/// ```
/// #[derive(serde::Serialize)]
/// struct Stored {
///     #[serde(serialize_with = "tootkit::exposed::serialize")]
///     token: tootkit::AccessToken,
/// }
///
/// let stored = Stored { token: tootkit::AccessToken::new("ZA-Yj3aBD8U8Cm7lKUp") };
/// assert_eq!(serde_json::to_string(&stored)?, r#"{"token":"ZA-Yj3aBD8U8Cm7lKUp"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
///
/// A secret on its own does not serialize:
///
/// ```compile_fail
/// serde_json::to_string(&tootkit::AccessToken::new("ZA-Yj3aBD8U8Cm7lKUp"));
/// ```
pub mod exposed {
    use super::Secret;

    /// Writes the secret's value as a string.
    pub fn serialize<T: Secret, S: serde::Serializer>(
        secret: &T,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(secret.expose())
    }

    /// Writes an optional secret's value as a string, or nothing as `null`.
    pub fn option<T: Secret, S: serde::Serializer>(
        secret: &Option<T>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match secret {
            Some(secret) => serializer.serialize_some(secret.expose()),
            None => serializer.serialize_none(),
        }
    }
}

secret_type! {
    /// An OAuth access token: the bearer credential of an account or an application.
    ///
    /// ```
    /// use tootkit::AccessToken;
    /// let token = AccessToken::new("ZA-Yj3aBD8U8Cm7lKUp");
    /// assert_eq!(format!("{token}"), "[redacted]");
    /// assert_eq!(format!("{token:?}"), "AccessToken([redacted])");
    /// assert_eq!(token.expose(), "ZA-Yj3aBD8U8Cm7lKUp");
    /// ```
    AccessToken
}

secret_type! {
    /// An OAuth refresh token, which some servers (Pleroma, Akkoma, Pixelfed) issue with
    /// an access token that expires; Mastodon issues none.
    ///
    /// ```
    /// let token = tootkit::RefreshToken::new("Qt2G0kMzcUcCzXGpSE");
    /// assert_eq!(format!("{token:?}"), "RefreshToken([redacted])");
    /// ```
    RefreshToken
}

secret_type! {
    /// The client secret of a registered application.
    ///
    /// ```
    /// let secret = tootkit::ClientSecret::new("ZEaFUFmF0umgBX1q");
    /// assert!(!format!("{secret:?}").contains("ZEaF"));
    /// ```
    ClientSecret
}

secret_type! {
    /// An OAuth authorization code, valid once and for ten minutes.
    ///
    /// ```
    /// let code = tootkit::AuthorizationCode::new("qDFUEaYrRK5c");
    /// assert_eq!(code.to_string(), "[redacted]");
    /// ```
    AuthorizationCode
}

secret_type! {
    /// A PKCE code verifier (RFC 7636): the secret half of a code challenge.
    ///
    /// ```
    /// let verifier = tootkit::PkceVerifier::generate();
    /// assert_eq!(verifier.expose().len(), 43);
    /// assert_eq!(verifier.to_string(), "[redacted]");
    /// ```
    PkceVerifier
}

secret_type! {
    /// A password, for the legacy password grant and the sandbox's accounts.
    ///
    /// ```
    /// let password = tootkit::Password::new("hunter2");
    /// assert_eq!(format!("{password:?}"), "Password([redacted])");
    /// ```
    Password
}

impl PkceVerifier {
    /// A fresh verifier: 32 random bytes, base64url without padding (43 characters, the
    /// RFC 7636 minimum length with 256 bits of entropy).
    pub fn generate() -> Self {
        Self(crate::random::token(32))
    }

    /// The S256 code challenge for this verifier: `BASE64URL(SHA256(verifier))`.
    ///
    /// ```
    /// // The example of RFC 7636, appendix B.
    /// let verifier = tootkit::PkceVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
    /// assert_eq!(verifier.challenge(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    /// ```
    pub fn challenge(&self) -> String {
        use base64::Engine;
        use sha2::Digest;
        let digest = sha2::Sha256::digest(self.0.as_bytes());
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_secret_type_shows_its_value_in_debug_or_display() {
        let value = "s3cr3t-value-123";
        let shown = [
            format!("{:?} {}", AccessToken::new(value), AccessToken::new(value)),
            format!(
                "{:?} {}",
                ClientSecret::new(value),
                ClientSecret::new(value)
            ),
            format!(
                "{:?} {}",
                AuthorizationCode::new(value),
                AuthorizationCode::new(value)
            ),
            format!(
                "{:?} {}",
                PkceVerifier::new(value),
                PkceVerifier::new(value)
            ),
            format!("{:?} {}", Password::new(value), Password::new(value)),
            format!("{:?}", Some(AccessToken::new(value))),
        ];
        for text in shown {
            assert!(!text.contains(value), "leaked in {text}");
            assert!(text.contains(REDACTED));
        }
    }

    #[test]
    fn verifiers_are_unreserved_characters_and_differ() {
        let a = PkceVerifier::generate();
        let b = PkceVerifier::generate();
        assert_ne!(a, b);
        assert!(
            a.expose()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
    }
}
