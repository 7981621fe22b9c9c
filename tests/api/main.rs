//! The integration tests: one binary, one file per module of the application (plus the cross-cutting
//! `http`, `hardening`, `isolation` and `browser` suites). Each test gets its own database (cloned
//! from a migrated template) and its own server on a free port, so tests run in parallel and never see
//! each other's data. What several files need is in `fixtures` (records made through the forms) and
//! `helpers` (the server, clients and sign-in); test files do not import each other.

mod accounts;
mod admin;
mod audit;
mod auth;
mod browser;
mod calendar;
mod cli;
mod contributions;
mod employers;
mod fixtures;
mod follow_ups;
mod hardening;
mod helpers;
mod http;
mod imports;
mod isolation;
mod key_persons;
mod letters;
mod meetings;
mod my_month;
mod pages;
mod search;
mod supply_chain;
mod webdriver;
