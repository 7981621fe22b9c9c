//! Meetings with employers: planned, held or cancelled, with attendees from the employer and the
//! agency, and the BOD-1 cadence they keep on each employer (docs/domain.md, "Meetings and the BOD-1
//! cadence").

pub mod domain;
pub mod form;
pub mod policy;
pub mod repo;
pub mod views;
pub mod web;
