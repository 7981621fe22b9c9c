//! The working-day calendar: Saturdays, Sundays and the tenant's holidays are days off. Contribution
//! due dates and letter response deadlines both count on it (docs/domain.md, "Working days").

pub mod domain;
pub mod import;
pub mod repo;
pub mod service;
pub mod web;
