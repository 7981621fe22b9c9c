//! Branch office values.

/// A branch code such as `KC-SDM`: uppercase letters, digits and inner hyphens, at most 20 characters.
/// Typed lowercase, it is uppercased; letters print it in their numbers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BranchCode(String);

impl BranchCode {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let s = raw.trim().to_ascii_uppercase();
        if s.is_empty() {
            return Err("error.required");
        }
        let ok_chars = s
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
        if s.len() > 20 || !ok_chars || s.starts_with('-') || s.ends_with('-') {
            return Err("branch.code_invalid");
        }
        Ok(BranchCode(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        assert_eq!(BranchCode::parse(" kc-sdm ").unwrap().as_str(), "KC-SDM");
        assert_eq!(BranchCode::parse("").err(), Some("error.required"));
        for bad in ["-KC", "KC-", "KC SDM", "KC_SDM", "ÄB", &"A".repeat(21)] {
            assert_eq!(
                BranchCode::parse(bad).err(),
                Some("branch.code_invalid"),
                "{bad}"
            );
        }
    }
}
