//! Relasi: relationship management for the corporate & institutional participation division of
//! BPJS Ketenagakerjaan. See `docs/architecture.md` for the request path and the isolation model.

pub mod audit;
pub mod auth;
pub mod branches;
pub mod calendar;
pub mod cli;
pub mod clock;
pub mod config;
pub mod contributions;
pub mod db;
pub mod employers;
pub mod error;
pub mod follow_ups;
pub mod home;
pub mod imports;
pub mod invitations;
pub mod jobs;
pub mod key_persons;
pub mod letters;
pub mod meetings;
pub mod seed;
pub mod startup;
pub mod supply_chain;
pub mod telemetry;
pub mod tenancy;
pub mod text_enum;
pub mod web;
pub mod working_days;
