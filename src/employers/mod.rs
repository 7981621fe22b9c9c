//! Employers and institutions: the portfolio RMs look after (docs/domain.md, "Employers").
//!
//! `domain` holds the values and the fields people edit, `form` turns the employer form into them,
//! `policy` says who may change which employer, `repo` holds the SQL (`repo::list` the list and its
//! exports), `service` what other modules call, `views` what other pages show of an employer,
//! `vocabulary` each tenant's search words in memory, and `web` the pages, one file each.

pub mod domain;
pub mod export;
pub mod form;
pub mod import;
pub mod policy;
pub mod repo;
pub mod service;
pub mod views;
pub mod vocabulary;
pub mod web;
