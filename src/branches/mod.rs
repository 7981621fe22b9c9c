//! Branch offices (kantor cabang, SPEC §3.1): where employers are served and RMs work.

pub mod domain;
pub mod repo;
pub mod web;
