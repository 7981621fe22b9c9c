//! The second factor: time-based one-time passwords (TOTP, RFC 6238) from an authenticator app, and
//! one-time recovery codes for a lost phone. No SQL, no HTTP.
//!
//! Codes are the common kind every authenticator understands: HMAC-SHA-1, six digits, 30-second steps,
//! one step of clock drift either way. A code is accepted for one step only once: the caller records the
//! step a code matched (`check` returns it) and refuses any step not after the last one accepted.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Builder, Secret, Totp};

/// The name authenticator apps show above the code.
pub const ISSUER: &str = "Relasi";
/// RFC 4226 recommends 160 bits.
const SECRET_BYTES: usize = 20;
pub const RECOVERY_CODES: usize = 10;

/// An account's TOTP key.
#[derive(Clone)]
pub struct TotpSecret(Vec<u8>);

impl TotpSecret {
    pub fn generate() -> Self {
        let mut bytes = vec![0u8; SECRET_BYTES];
        getrandom::fill(&mut bytes).expect("the operating system's random source failed");
        TotpSecret(bytes)
    }

    /// A stored key; None when it is not one this module made.
    pub fn from_stored(bytes: Vec<u8>) -> Option<Self> {
        (bytes.len() == SECRET_BYTES).then_some(TotpSecret(bytes))
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    fn totp(&self, account: &str) -> Totp {
        // `:` separates issuer and account in the key URI; an email may (rarely) contain one.
        let account = account.replace(':', ".");
        Builder::new()
            .with_algorithm(Algorithm::SHA1)
            .with_digits(6)
            .with_skew(1)
            .with_step_duration(30)
            .with_secret(Secret::from(self.0.clone()))
            .with_issuer(Some(ISSUER))
            .with_account_name(account)
            .build()
            .expect("fixed, RFC-conforming TOTP parameters")
    }

    /// The key as people type it into an app without a camera: base32 in groups of four.
    pub fn for_typing(&self) -> String {
        let b32 = Secret::from(self.0.clone()).to_base32();
        let chars: Vec<char> = b32.chars().collect();
        chars
            .chunks(4)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The `otpauth://` URI an authenticator app reads from the QR code.
    pub fn uri(&self, account: &str) -> String {
        self.totp(account)
            .to_url()
            .expect("issuer and account name are set")
    }

    /// The QR code of `uri` as an SVG element (`crate::web::qr`).
    pub fn qr_svg(&self, account: &str) -> String {
        crate::web::qr::svg(&self.uri(account)).expect("a key URI fits in a QR code")
    }

    /// The time step the code matches at `now` (this step or a neighbour), if any.
    pub fn check(&self, code: &Code, now: DateTime<Utc>) -> Option<i64> {
        let seconds = u64::try_from(now.timestamp()).ok()?;
        self.totp("")
            .check(&code.0, seconds)
            .and_then(|step| i64::try_from(step).ok())
    }

    /// The code an authenticator shows at `time` (for tests and the command line's checks).
    pub fn code_at(&self, time: DateTime<Utc>) -> String {
        let seconds = u64::try_from(time.timestamp()).unwrap_or_default();
        self.totp("").generate(seconds).to_string()
    }
}

/// Six digits, as typed: spaces and a hyphen in the middle are allowed.
#[derive(Debug, PartialEq, Eq)]
pub struct Code(String);

/// A one-time recovery code: 24 characters from an alphabet of 31 without look-alikes (119 bits, more
/// than the 112 that make a fast hash enough to store it), shown in groups of four.
#[derive(Debug, PartialEq, Eq)]
pub struct RecoveryCode(String);

const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
const RECOVERY_CHARS: usize = 24;

impl RecoveryCode {
    pub fn generate() -> Self {
        // 31 symbols; rejection sampling keeps every symbol equally likely.
        let mut out = String::with_capacity(RECOVERY_CHARS);
        while out.len() < RECOVERY_CHARS {
            let mut b = [0u8; 1];
            getrandom::fill(&mut b).expect("the operating system's random source failed");
            let i = usize::from(b[0] & 0x1f);
            if let Some(c) = RECOVERY_ALPHABET.get(i) {
                out.push(*c as char);
            }
        }
        RecoveryCode(out)
    }

    pub fn for_reading(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        chars
            .chunks(4)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join("-")
    }

    /// What is stored: a fast hash is enough for 119 random bits.
    pub fn hash(&self) -> Vec<u8> {
        Sha256::digest(self.0.as_bytes()).to_vec()
    }
}

/// Ten fresh recovery codes.
pub fn recovery_codes() -> Vec<RecoveryCode> {
    (0..RECOVERY_CODES)
        .map(|_| RecoveryCode::generate())
        .collect()
}

/// What a person typed at the second-factor question: a code from the app, or a recovery code.
#[derive(Debug, PartialEq, Eq)]
pub enum Answer {
    Code(Code),
    Recovery(RecoveryCode),
}

impl Answer {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        if raw.len() > 64 {
            return Err("second_factor.code_invalid");
        }
        let compact: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect::<String>()
            .to_lowercase();
        if compact.len() == 6 && compact.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(Answer::Code(Code(compact)));
        }
        if compact.len() == RECOVERY_CHARS
            && compact.bytes().all(|b| RECOVERY_ALPHABET.contains(&b))
        {
            return Ok(Answer::Recovery(RecoveryCode(compact)));
        }
        Err("second_factor.code_invalid")
    }
}

impl Code {
    /// Only an app's six digits (enrolment and changes ask for the app, not a recovery code).
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        match Answer::parse(raw)? {
            Answer::Code(c) => Ok(c),
            Answer::Recovery(_) => Err("second_factor.code_invalid"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// RFC 6238, appendix B: the SHA-1 key "12345678901234567890" at 59 s gives 94287082 (8 digits);
    /// its last six digits are what a six-digit app shows.
    #[test]
    fn codes_follow_rfc_6238() {
        let secret = TotpSecret(b"12345678901234567890".to_vec());
        let at = Utc.timestamp_opt(59, 0).unwrap();
        assert_eq!(secret.code_at(at), "287082");
        let at = Utc.timestamp_opt(1_111_111_109, 0).unwrap();
        assert_eq!(secret.code_at(at), "081804");
    }

    #[test]
    fn a_code_matches_its_step_and_the_neighbours_only() {
        let secret = TotpSecret::generate();
        let now = Utc.with_ymd_and_hms(2026, 11, 16, 2, 0, 10).unwrap();
        let code = Code::parse(&secret.code_at(now)).unwrap();
        let step = now.timestamp() / 30;
        assert_eq!(secret.check(&code, now), Some(step));
        assert_eq!(
            secret.check(&code, now + chrono::Duration::seconds(30)),
            Some(step)
        );
        assert_eq!(
            secret.check(&code, now + chrono::Duration::seconds(90)),
            None
        );
        let other = TotpSecret::generate();
        assert_eq!(other.check(&code, now), None);
    }

    #[test]
    fn answers_are_read_as_typed() {
        assert_eq!(
            Answer::parse(" 123 456 ").unwrap(),
            Answer::Code(Code("123456".into()))
        );
        assert_eq!(
            Answer::parse("123-456").unwrap(),
            Answer::Code(Code("123456".into()))
        );
        let r = RecoveryCode::generate();
        assert_eq!(
            Answer::parse(&r.for_reading().to_uppercase()).unwrap(),
            Answer::Recovery(RecoveryCode(r.0.clone()))
        );
        for bad in [
            "",
            "12345",
            "1234567",
            "abcdef",
            "x".repeat(100).as_str(),
            "12345\u{0}",
        ] {
            assert!(Answer::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Code::parse(&r.for_reading()).is_err());
    }

    #[test]
    fn recovery_codes_are_distinct_and_hashed() {
        let codes = recovery_codes();
        assert_eq!(codes.len(), 10);
        for c in &codes {
            assert_eq!(c.0.len(), 24);
            assert_eq!(c.for_reading().len(), 29);
            assert_eq!(c.hash().len(), 32);
        }
        let mut hashes: Vec<_> = codes.iter().map(RecoveryCode::hash).collect();
        hashes.dedup();
        assert_eq!(hashes.len(), 10);
    }

    #[test]
    fn the_qr_code_and_the_typed_key_carry_the_key() {
        let secret = TotpSecret::generate();
        let uri = secret.uri("rina@bpjs.example");
        assert!(
            uri.starts_with("otpauth://totp/Relasi:rina%40bpjs.example?"),
            "{uri}"
        );
        assert!(uri.contains(&format!("secret={}", secret.for_typing().replace(' ', ""))));
        let svg = secret.qr_svg("rina@bpjs.example");
        assert!(svg.starts_with("<svg"), "{}", &svg[..40]);
        assert!(!svg.contains("rina"));
        assert_eq!(secret.for_typing().split(' ').count(), 8);
    }
}
