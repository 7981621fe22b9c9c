//! Key persons at employers (SPEC §3.4): the decision makers RMs meet, and their personal data.

pub mod domain;
pub mod repo;
pub mod web;
