//! How an employer reads in lists other pages show too (the meeting form's employer picker, the
//! search page).

use super::domain::npp_text;
use super::repo::list::ListRow;

impl ListRow {
    /// The NPP with its division code, or nothing for an unregistered employer.
    pub fn npp_text(&self) -> String {
        npp_text(self.npp.as_deref(), &self.division_code)
    }

    /// "12345678-01 · Jakarta Selatan": what tells two employers of one name apart.
    pub fn hint(&self) -> String {
        [self.npp_text(), self.city.clone()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" · ")
    }
}
