//! Tenants, the people in them (users and memberships) and the tenant's settings.

pub mod domain;
pub mod repo;
pub mod service;
pub mod web;
