//! The pages each role lands on after signing in, and the global search box's target. Later
//! capabilities fill them: "My month" (RMs), the dashboard (supervisors, viewers), search results.

pub mod web;
