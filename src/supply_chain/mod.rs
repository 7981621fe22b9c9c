//! Supply-chain links: parent companies and the members of their chains (docs/domain.md, "Supply
//! chains").

pub mod domain;
pub mod form;
pub mod import;
pub mod policy;
pub mod repo;
pub mod web;
