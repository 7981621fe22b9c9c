//! Compliance letters: drafted, approved internally, numbered, sent, answered, resolved or escalated
//! to the next kind (docs/domain.md, "Letters").

pub mod domain;
pub mod form;
pub mod policy;
pub mod repo;
pub mod service;
pub mod views;
pub mod web;
