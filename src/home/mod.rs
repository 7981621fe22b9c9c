//! The pages each role lands on after signing in: "My month" (RMs, and supervisors looking at an
//! RM's month), the dashboard (supervisors, viewers), and the global search box's target.

pub mod repo;
pub mod web;
