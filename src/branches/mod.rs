//! Branch offices (kantor cabang): where employers are served and RMs work (docs/domain.md, "Branch
//! offices").

pub mod domain;
pub mod import;
pub mod repo;
pub mod web;
