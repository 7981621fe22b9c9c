//! Contributions (iuran): what each employer reported, owed and paid per month, and the figures
//! derived from them — arrears, late periods and the late-fine estimate (docs/domain.md,
//! "Contributions").

pub mod domain;
pub mod form;
pub mod import;
pub mod policy;
pub mod repo;
pub mod service;
pub mod views;
pub mod web;
