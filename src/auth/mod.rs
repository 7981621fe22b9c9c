//! Signing in and out, sessions, passwords, throttling and the tenant switch.

pub mod domain;
pub mod repo;
pub mod web;
