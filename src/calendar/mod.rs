//! Each user's personal calendar feed (docs/domain.md, "The calendar feed"): planned meetings and follow-up due dates as
//! iCalendar (RFC 5545) at a secret URL that calendar apps poll without a session.

pub mod domain;
pub mod repo;
pub mod web;
