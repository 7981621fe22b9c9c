//! Meetings with employers (SPEC §3.5): planned, held or cancelled, with attendees from the employer
//! and the agency, and the BOD-1 cadence they keep on each employer.

pub mod brief;
pub mod domain;
pub mod repo;
pub mod web;
