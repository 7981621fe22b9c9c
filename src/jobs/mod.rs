//! Background jobs recorded in PostgreSQL (docs/architecture.md, "Background jobs"): long work such as
//! validating and committing an import, run by whichever server claims it first.
//!
//! A job runs inside one tenant transaction that holds the job row's lock and marks the job done
//! before it commits (migrations/0013_imports.sql): the work and the mark commit together or not at
//! all, so a crash or restart mid-job leaves the database as before, and the job is claimed again.

pub mod repo;
pub mod worker;

pub use repo::{Job, JobKind};
pub use worker::{BUSY, Progress, Runner, Wake, run_pending, spawn_worker};
