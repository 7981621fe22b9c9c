//! The append-only audit trail: who did what to which record, with old and new values
//! (docs/domain.md, "The audit trail").

pub mod domain;
pub mod export;
pub mod repo;
pub mod views;
pub mod web;

pub use domain::{Action, Actor, Archivable, Changes, Entity, Event};
