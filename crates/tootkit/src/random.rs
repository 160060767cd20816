//! Randomness for OAuth `state`, PKCE verifiers and idempotency keys.

use base64::Engine;

/// `len` bytes from the operating system's generator.
///
/// The OS generator failing leaves nothing safe to do: an OAuth state or PKCE verifier
/// made from anything weaker would be guessable, so this aborts rather than degrade.
pub(crate) fn bytes(len: usize) -> Vec<u8> {
    let mut buf = vec![0u8; len];
    if let Err(err) = getrandom::fill(&mut buf) {
        panic!("the operating system's random number generator failed: {err}");
    }
    buf
}

/// `len` random bytes, base64url-encoded without padding.
pub(crate) fn token(len: usize) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes(len))
}

/// A random UUID (version 4) in its usual hyphenated form, as Mastodon's web client
/// sends in `Idempotency-Key`.
pub(crate) fn uuid_v4() -> String {
    let mut b = bytes(16);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|byte| format!("{byte:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn uuids_have_the_version_and_variant_bits() {
        let id = super::uuid_v4();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"));
        assert_ne!(id, super::uuid_v4());
    }
}
