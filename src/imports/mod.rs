//! Imports: employer lists and other records brought in from CSV and XLSX files, checked row by row,
//! then written set-based in one transaction (docs/imports.md).

pub mod kind;
pub mod read;
pub mod repo;
pub mod report;
pub mod service;
pub mod templates;
pub mod validate;
pub mod values;
pub mod web;
