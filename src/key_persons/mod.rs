//! Key persons: the people at each employer an RM deals with, above all its BOD and BOD-minus-one
//! decision makers (docs/domain.md, "Key persons").

pub mod domain;
pub mod form;
pub mod import;
pub mod policy;
pub mod repo;
pub mod service;
pub mod web;
