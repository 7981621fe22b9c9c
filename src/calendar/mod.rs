//! Each user's personal calendar feed (SPEC §4 item 15): planned meetings and follow-up due dates as
//! iCalendar (RFC 5545) at a secret URL that calendar apps poll without a session.

pub mod domain;
pub mod repo;
pub mod web;
