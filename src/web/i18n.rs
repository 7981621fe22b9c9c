//! Two languages, Indonesian (the default) and English. Every string a user sees lives in
//! `locales/id.txt` and `locales/en.txt` (`key = value` lines); a unit test fails when a key is missing
//! from either catalog or is used nowhere.

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::{DateTime, Utc};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    Id,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Id, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "id" => Some(Lang::Id),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The best of our two languages for an `Accept-Language` header, by quality value; None when the
    /// browser asks for neither (the tenant default then applies).
    pub fn negotiate(accept_language: &str) -> Option<Lang> {
        let mut best: Option<(f32, Lang)> = None;
        for item in accept_language.split(',') {
            let mut parts = item.trim().split(';');
            let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let quality = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            // "in" is the code Java and old Android still send for Indonesian.
            let lang = match primary {
                "id" | "in" => Lang::Id,
                "en" => Lang::En,
                _ => continue,
            };
            if quality > 0.0 && best.is_none_or(|(q, _)| quality > q) {
                best = Some((quality, lang));
            }
        }
        best.map(|(_, lang)| lang)
    }

    pub fn t(self, key: &str) -> &'static str {
        let catalog = match self {
            Lang::Id => &CATALOGS.0,
            Lang::En => &CATALOGS.1,
        };
        match catalog.get(key) {
            Some(v) => v,
            None => {
                tracing::warn!(key, "message key missing from the catalog");
                "…"
            }
        }
    }

    /// A message with `{name}` placeholders filled in. Values are plain text; templates escape them.
    pub fn tf(self, key: &str, args: &[(&str, &str)]) -> String {
        let mut s = self.t(key).to_owned();
        for (name, value) in args {
            s = s.replace(&format!("{{{name}}}"), value);
        }
        s
    }

    /// A date and time in the tenant's zone: "25 Nov 2026 14.05" / "25 Nov 2026 14:05".
    pub fn datetime(self, at: DateTime<Utc>, tz: chrono_tz::Tz) -> String {
        use chrono::{Datelike, Timelike};
        let local = at.with_timezone(&tz);
        let sep = if self == Lang::Id { '.' } else { ':' };
        format!(
            "{} {} {} {:02}{sep}{:02}",
            local.day(),
            self.month_abbr(local.month()),
            local.year(),
            local.hour(),
            local.minute()
        )
    }

    /// A calendar day: "25 Nov 2026".
    pub fn date(self, d: chrono::NaiveDate) -> String {
        use chrono::Datelike;
        format!("{} {} {}", d.day(), self.month_abbr(d.month()), d.year())
    }

    /// A calendar day written out, as formal letters date things: "30 November 2026".
    pub fn long_date(self, d: chrono::NaiveDate) -> String {
        use chrono::Datelike;
        format!("{} {}", d.day(), self.month_year(d))
    }

    /// A month and its year: "November 2026" / "November 2026", "Agustus 2026" / "August 2026".
    pub fn month_year(self, first_day: chrono::NaiveDate) -> String {
        use chrono::Datelike;
        const ID: [&str; 12] = [
            "Januari",
            "Februari",
            "Maret",
            "April",
            "Mei",
            "Juni",
            "Juli",
            "Agustus",
            "September",
            "Oktober",
            "November",
            "Desember",
        ];
        const EN: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        let i = (first_day.month().clamp(1, 12) - 1) as usize;
        let name = match self {
            Lang::Id => ID[i],
            Lang::En => EN[i],
        };
        format!("{name} {}", first_day.year())
    }

    pub fn month_abbr(self, month: u32) -> &'static str {
        const ID: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des",
        ];
        const EN: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let i = (month.clamp(1, 12) - 1) as usize;
        match self {
            Lang::Id => ID[i],
            Lang::En => EN[i],
        }
    }

    /// Whole numbers with the language's thousands separator: 1.234.567 / 1,234,567.
    pub fn integer(self, n: i64) -> String {
        let digits = n.unsigned_abs().to_string();
        let sep = if self == Lang::Id { '.' } else { ',' };
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(sep);
            }
            out.push(c);
        }
        if n < 0 { format!("-{out}") } else { out }
    }
}

pub fn is_known_key(key: &str) -> bool {
    CATALOGS.0.contains_key(key)
}

/// The catalog's own copy of a key, so a key read from a cookie can be kept as `&'static str`.
pub fn known_key(key: &str) -> Option<&'static str> {
    CATALOGS.0.get_key_value(key).map(|(k, _)| *k)
}

type Catalog = HashMap<&'static str, &'static str>;

static CATALOGS: LazyLock<(Catalog, Catalog)> = LazyLock::new(|| {
    (
        parse_catalog(include_str!("../../locales/id.txt")),
        parse_catalog(include_str!("../../locales/en.txt")),
    )
});

/// `key = value` per line; `#` starts a comment line; blank lines are skipped.
pub fn parse_catalog(text: &'static str) -> Catalog {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn negotiation_follows_quality_values() {
        assert_eq!(Lang::negotiate("en-US,en;q=0.9,id;q=0.8"), Some(Lang::En));
        assert_eq!(Lang::negotiate("id-ID,id;q=0.9,en;q=0.8"), Some(Lang::Id));
        assert_eq!(Lang::negotiate("fr-FR, en;q=0.5, id;q=0.7"), Some(Lang::Id));
        assert_eq!(Lang::negotiate("in"), Some(Lang::Id));
        assert_eq!(Lang::negotiate("fr, de"), None);
        assert_eq!(Lang::negotiate("en;q=0"), None);
        assert_eq!(Lang::negotiate(""), None);
        assert_eq!(Lang::negotiate(";;;,,q=x"), None);
    }

    #[test]
    fn numbers_and_dates_follow_the_language() {
        assert_eq!(Lang::Id.integer(1_234_567), "1.234.567");
        assert_eq!(Lang::En.integer(1_234_567), "1,234,567");
        assert_eq!(Lang::En.integer(-999), "-999");
        let at = "2026-10-31T16:30:00Z".parse().unwrap();
        // 23:30 WIB on the last day of October.
        assert_eq!(
            Lang::Id.datetime(at, chrono_tz::Asia::Jakarta),
            "31 Okt 2026 23.30"
        );
        assert_eq!(
            Lang::En.datetime(at, chrono_tz::Asia::Jakarta),
            "31 Oct 2026 23:30"
        );
    }

    fn keys(catalog: &Catalog) -> BTreeSet<&'static str> {
        catalog.keys().copied().collect()
    }

    #[test]
    fn both_catalogs_have_the_same_keys_and_no_empty_values() {
        let (id, en) = &*CATALOGS;
        let only_id: Vec<_> = keys(id).difference(&keys(en)).copied().collect();
        let only_en: Vec<_> = keys(en).difference(&keys(id)).copied().collect();
        assert!(only_id.is_empty(), "missing from en.txt: {only_id:?}");
        assert!(only_en.is_empty(), "missing from id.txt: {only_en:?}");
        for (k, v) in id.iter().chain(en.iter()) {
            assert!(!v.is_empty(), "{k} has an empty value");
        }
    }

    /// Every key is used somewhere in the code or the templates, and every key the code or the
    /// templates name exists.
    #[test]
    fn every_catalog_key_is_used_and_every_used_key_exists() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut sources = String::new();
        for dir in ["src", "templates"] {
            collect(&root.join(dir), &mut sources);
        }
        let (id, _) = &*CATALOGS;
        let unused: Vec<_> = keys(id)
            .into_iter()
            .filter(|k| !sources.contains(&format!("\"{k}\"")))
            .collect();
        assert!(unused.is_empty(), "catalog keys used nowhere: {unused:?}");

        // Literal keys passed to t()/tf() must exist.
        let mut missing = BTreeSet::new();
        for marker in [".t(\"", ".tf(\""] {
            for chunk in sources.split(marker).skip(1) {
                let key = chunk.split('"').next().unwrap_or("");
                if !id.contains_key(key) {
                    missing.insert(key.to_owned());
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys used but missing from the catalogs: {missing:?}"
        );
    }

    fn collect(dir: &std::path::Path, out: &mut String) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                collect(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs" || e == "html") {
                let text = std::fs::read_to_string(&path).unwrap();
                // The tests' own literals must not count as uses.
                let text = text.split("#[cfg(test)]").next().unwrap_or("");
                out.push_str(text);
            }
        }
    }
}
