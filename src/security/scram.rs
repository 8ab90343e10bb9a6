//! SCRAM-SHA-256 password verifiers as PostgreSQL stores them:
//! `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` (base64).
//! The password itself is never kept: only these keys, from which it
//! cannot be recovered, and with which a SCRAM exchange is checked.
//!
//! Unknown users get a *mock* verifier: the salt is derived from the user
//! name and a secret of the data directory (so it is the same on every
//! attempt, like a real user's), the keys are random (so no proof passes).

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use ring::{digest, hmac, pbkdf2};

/// Iterations for new verifiers (PostgreSQL's scram_iterations default).
pub const ITERATIONS: u32 = 4096;
const KEY_LEN: usize = 32;
const SALT_LEN: usize = 16;

/// A stored SCRAM-SHA-256 verifier.
#[derive(Clone, PartialEq, Eq)]
pub struct Verifier {
    pub iterations: u32,
    pub salt: Vec<u8>,
    pub stored_key: [u8; KEY_LEN],
    pub server_key: [u8; KEY_LEN],
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("iterations", &self.iterations)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// A new verifier for a password, with a random salt. The password is
    /// normalized with SASLprep as PostgreSQL does (used as given when it
    /// is not valid for SASLprep).
    pub fn from_password(password: &str) -> Verifier {
        Self::with_salt(password, &super::random_bytes::<SALT_LEN>(), ITERATIONS)
    }

    /// A verifier for a password with a given salt and iteration count.
    pub fn with_salt(password: &str, salt: &[u8], iterations: u32) -> Verifier {
        let prepared = stringprep::saslprep(password)
            .map(|p| p.into_owned())
            .unwrap_or_else(|_| password.to_string());
        let mut salted = [0u8; KEY_LEN];
        pbkdf2::derive(
            pbkdf2::PBKDF2_HMAC_SHA256,
            std::num::NonZeroU32::new(iterations.max(1)).expect("nonzero"),
            salt,
            prepared.as_bytes(),
            &mut salted,
        );
        let client_key = hmac_sha256(&salted, b"Client Key");
        Verifier {
            iterations,
            salt: salt.to_vec(),
            stored_key: sha256(&client_key),
            server_key: hmac_sha256(&salted, b"Server Key"),
        }
    }

    /// The mock verifier for a user that does not exist (or may not log
    /// in): a stable salt from `secret` and the name, random keys.
    pub fn mock(user: &str, secret: &[u8]) -> Verifier {
        let tag = hmac_sha256(secret, user.as_bytes());
        Verifier {
            iterations: ITERATIONS,
            salt: tag[..SALT_LEN].to_vec(),
            stored_key: super::random_bytes(),
            server_key: super::random_bytes(),
        }
    }

    /// Reads the stored form; None if `text` is not a SCRAM verifier.
    pub fn parse(text: &str) -> Option<Verifier> {
        let rest = text.strip_prefix("SCRAM-SHA-256$")?;
        let (params, keys) = rest.split_once('$')?;
        let (iterations, salt) = params.split_once(':')?;
        let (stored, server) = keys.split_once(':')?;
        let iterations: u32 = iterations.parse().ok().filter(|i| *i > 0)?;
        let salt = STANDARD.decode(salt).ok().filter(|s| !s.is_empty())?;
        let stored_key = STANDARD.decode(stored).ok()?.try_into().ok()?;
        let server_key = STANDARD.decode(server).ok()?.try_into().ok()?;
        Some(Verifier {
            iterations,
            salt,
            stored_key,
            server_key,
        })
    }
}

impl std::fmt::Display for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SCRAM-SHA-256${}:{}${}:{}",
            self.iterations,
            STANDARD.encode(&self.salt),
            STANDARD.encode(self.stored_key),
            STANDARD.encode(self.server_key)
        )
    }
}

/// What to store for a password given in SQL or config: a verifier given
/// in stored form is kept as it is (like PostgreSQL), anything else is
/// hashed into a new verifier.
pub fn stored_form(password: &str) -> String {
    match Verifier::parse(password) {
        Some(v) => v.to_string(),
        None => Verifier::from_password(password).to_string(),
    }
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; KEY_LEN] {
    let key = hmac::Key::new(hmac::HMAC_SHA256, key);
    let tag = hmac::sign(&key, data);
    tag.as_ref().try_into().expect("SHA-256 is 32 bytes")
}

fn sha256(data: &[u8]) -> [u8; KEY_LEN] {
    digest::digest(&digest::SHA256, data)
        .as_ref()
        .try_into()
        .expect("SHA-256 is 32 bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_postgresql_for_a_known_salt() {
        // PostgreSQL 15: CREATE ROLE r PASSWORD 'secret'; SELECT rolpassword
        // FROM pg_authid WHERE rolname = 'r';
        let pg = "SCRAM-SHA-256$4096:xgguaN1Z4Zu/4G0Wf0EW+Q==$c1858p/jpf2AUYAhYrlFoj6OCoecooHb/bH7Q26RKG4=:x6BVcVih2hqvlxz9xlfatAyfWwhPl2mk819qdijzwRE=";
        let parsed = Verifier::parse(pg).unwrap();
        let ours = Verifier::with_salt("secret", &parsed.salt, parsed.iterations);
        assert_eq!(ours, parsed);
        assert_eq!(ours.to_string(), pg);
    }

    #[test]
    fn parse_rejects_other_text() {
        for bad in [
            "secret",
            "md5abcdef",
            "SCRAM-SHA-256$0:AAAA$AAAA:AAAA",
            "SCRAM-SHA-256$4096:AAAA$AAAA",
            "SCRAM-SHA-256$4096:!!$AAAA:AAAA",
        ] {
            assert!(Verifier::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn mock_salt_is_stable_and_keys_are_not() {
        let a = Verifier::mock("nobody", b"secret");
        let b = Verifier::mock("nobody", b"secret");
        assert_eq!(a.salt, b.salt);
        assert_ne!(a.stored_key, b.stored_key);
        assert_ne!(Verifier::mock("other", b"secret").salt, a.salt);
    }
}
