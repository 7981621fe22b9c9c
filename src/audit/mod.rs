//! The append-only audit trail (SPEC §3.10): who did what to which record, with old and new values.

pub mod domain;
pub mod repo;
pub mod views;
pub mod web;

pub use domain::{Actor, Changes, Event};
