//! Follow-ups: what was promised at a meeting, or on its own, with an assignee and a due date
//! (docs/domain.md, "Follow-ups").

pub mod domain;
pub mod form;
pub mod policy;
pub mod repo;
pub mod service;
pub mod views;
pub mod web;
