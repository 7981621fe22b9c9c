//! Supply-chain links (SPEC §3.3): parent companies and the members of their chains.

pub mod domain;
pub mod repo;
pub mod web;
