//! Follow-ups (SPEC §3.5): what was promised at a meeting, or on its own, with an assignee and a due
//! date.

pub mod domain;
pub mod repo;
pub mod web;
