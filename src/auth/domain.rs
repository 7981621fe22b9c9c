//! Identities and credentials: emails, the password policy, password hashing, session tokens.

use std::fmt;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Type)]
#[sqlx(transparent)]
pub struct UserId(pub Uuid);

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// An email address, trimmed and lowercased, so that one person has one account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let s = raw.trim().to_lowercase();
        // Plain ASCII only: the agency's addresses are, and a look-alike letter (a Cyrillic "р") or an
        // invisible one (a zero-width space) could make one person's address pass for another's.
        if !s.is_ascii() {
            return Err("error.email_invalid");
        }
        let Some((local, domain)) = s.split_once('@') else {
            return Err("error.email_invalid");
        };
        // Letters, digits and the few marks real addresses use. Anything else (`?`, `&`, `%`, `<`,
        // quotes) has no place in an address people type, and in a `mailto:` link `?bcc=` would add
        // hidden recipients.
        let plain = |part: &str, marks: &str| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || marks.contains(c))
        };
        let domain_ok = plain(domain, ".-")
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..");
        if s.len() > 254 || local.len() > 64 || !plain(local, ".+-_'") || !domain_ok {
            return Err("error.email_invalid");
        }
        Ok(Email(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password that meets the policy: 12 to 128 characters, not weak or common by the zxcvbn
/// estimator, and not built from the person's own name, email or unit: what is left once those words
/// are taken out must still be eight letters or digits.
pub struct NewPassword(String);

pub const PASSWORD_MIN_CHARS: usize = 12;
pub const PASSWORD_MAX_CHARS: usize = 128;

impl NewPassword {
    /// `personal` are the person's email and name and the names of their units, as typed anywhere.
    pub fn parse(raw: &str, personal: &[&str]) -> Result<Self, &'static str> {
        let chars = raw.chars().count();
        if chars < PASSWORD_MIN_CHARS {
            return Err("error.password_too_short");
        }
        if chars > PASSWORD_MAX_CHARS {
            return Err("error.password_too_long");
        }
        if raw.chars().any(char::is_control) {
            return Err("error.invalid_characters");
        }
        let words = personal_words(personal);
        let inputs: Vec<&str> = words.iter().map(String::as_str).collect();
        let estimate = zxcvbn::zxcvbn(raw, &inputs);
        if (estimate.score() as u8) < 3 {
            return Err("error.password_weak");
        }
        let mut rest: String = raw
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect();
        for w in &words {
            rest = rest.replace(w.as_str(), "");
        }
        if rest.chars().count() < 8 {
            return Err("error.password_personal");
        }
        Ok(NewPassword(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// The words a password must not be made of: each input lowercased, whole (letters and digits only)
/// and split at every other character, longest first, words of three letters or more.
fn personal_words(inputs: &[&str]) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for input in inputs {
        let lower = input.to_lowercase();
        let whole: String = lower.chars().filter(|c| c.is_alphanumeric()).collect();
        let parts = lower
            .split(|c: char| !c.is_alphanumeric())
            .map(str::to_owned);
        for w in std::iter::once(whole).chain(parts) {
            if w.chars().count() >= 3 && !words.contains(&w) {
                words.push(w);
            }
        }
    }
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    words
}

/// OWASP's argon2id parameters: 19 MiB, 2 iterations, 1 lane.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password. CPU-heavy: call it through `spawn_blocking`, never on the async runtime.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let hash = argon2()
        .hash_password(password.as_bytes())
        .map_err(|e| anyhow::anyhow!("hashing a password failed: {e}"))?;
    Ok(hash.to_string())
}

/// Verifies a password against a stored PHC string. CPU-heavy like `hash_password`.
pub fn verify_password(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash of a random password, verified against when the email is unknown so that a sign-in takes
/// as long whether or not the account exists.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password(&random_token()).expect("hashing the dummy password"))
}

/// 32 random bytes as 64 hex characters: session secrets, calendar secrets.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    hex(&bytes)
}

/// A one-time password an admin hands to a person: 16 characters from an alphabet without look-alikes
/// (no 0/O, 1/l/I), grouped in fours for reading aloud; about 90 bits.
pub fn one_time_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// Sessions are looked up by the SHA-256 of the cookie's secret.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised() {
        assert_eq!(
            Email::parse("  Rina.K@BPJS.example ").unwrap().as_str(),
            "rina.k@bpjs.example"
        );
    }

    #[test]
    fn bad_emails_are_refused() {
        for bad in [
            "",
            "rina",
            "rina@",
            "@bpjs.example",
            "rina@bpjs",
            "ri na@bpjs.example",
            "a@b@c.example",
            "rina@.example",
            "rina@example.",
            "rina@exa..mple",
            "rina@demo.example\u{200b}",
            "boss@corp.co.id?bcc=spy%40evil.com",
            "<script>@x.co",
            "javascript:alert(1)//@x.co",
            "a\"b@x.co",
            "rina\u{202e}@demo.example",
            "rina@dемо.example",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(Email::parse(&format!("{}@x.example", "a".repeat(65))).is_err());
    }

    #[test]
    fn short_long_and_weak_passwords_are_refused() {
        assert_eq!(
            NewPassword::parse("Short1!", &[]).err(),
            Some("error.password_too_short")
        );
        assert_eq!(
            NewPassword::parse(&"x".repeat(129), &[]).err(),
            Some("error.password_too_long")
        );
        assert_eq!(
            NewPassword::parse("password1234", &[]).err(),
            Some("error.password_weak")
        );
        assert_eq!(
            NewPassword::parse("aaaaaaaaaaaaaaaa", &[]).err(),
            Some("error.password_weak")
        );
        // Built from the person's own name: weak for them.
        assert_eq!(
            NewPassword::parse("rinakusumawati", &["rinakusumawati", "rina@bpjs.example"]).err(),
            Some("error.password_weak")
        );
    }

    #[test]
    fn passwords_made_of_the_persons_name_email_or_unit_are_refused() {
        let personal = [
            "rina.kusumawati@bpjs.example",
            "Rina Kusumawati",
            "Kanwil DKI Jakarta — Korporasi",
        ];
        for bad in [
            "Rina Kusumawati 2026",
            "rina.kusumawati@bpjs",
            "KusumawatiRina!!2026",
            "KanwilDKIJakarta!!",
            "korporasi-jakarta-2026",
            "Kusumawati.Jakarta.1",
        ] {
            assert!(
                NewPassword::parse(bad, &personal).is_err(),
                "{bad:?} should be refused"
            );
        }
        assert!(NewPassword::parse("kopi-tubruk-di-menteng-42", &personal).is_ok());
        assert_eq!(
            NewPassword::parse("kopi-tubruk\u{0}-di-menteng-42", &personal).err(),
            Some("error.invalid_characters")
        );
    }

    #[test]
    fn strong_and_long_passwords_are_accepted() {
        assert!(NewPassword::parse("kopi-tubruk-di-menteng-42", &[]).is_ok());
        // 128 characters is allowed, and so is anything a password manager pastes.
        let words = [
            "kopi", "Menteng", "hujan", "Senin", "7", "batik", "ojek", "rapat", "!", "Sudirman",
        ];
        let long: String = (0..200)
            .map(|i| words[(i * 7 + i / 3) % words.len()])
            .collect::<String>()
            .chars()
            .take(128)
            .collect();
        assert_eq!(long.chars().count(), 128);
        assert!(NewPassword::parse(&long, &[]).is_ok());
    }

    #[test]
    fn one_time_passwords_pass_the_policy() {
        for _ in 0..20 {
            let p = one_time_password();
            assert_eq!(p.len(), 19);
            assert!(NewPassword::parse(&p, &[]).is_ok(), "{p}");
        }
    }

    #[test]
    fn hashing_round_trips_with_argon2id_at_owasp_parameters() {
        let h = hash_password("kopi-tubruk-di-menteng-42").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_password("kopi-tubruk-di-menteng-42", &h));
        assert!(!verify_password("kopi-tubruk-di-menteng-43", &h));
        assert!(!verify_password("anything", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = random_token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, random_token());
        assert_eq!(token_hash(&a).len(), 32);
    }
}
