//! The integration tests: one binary, one module per area. Each test gets its own database (cloned
//! from a migrated template) and its own server on a free port, so tests run in parallel and never see
//! each other's data.

mod accounts;
mod admin;
mod auth;
mod browser;
mod cli;
mod employers;
mod hardening;
mod helpers;
mod http;
mod isolation;
mod meetings;
mod webdriver;
