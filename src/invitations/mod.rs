//! Invitations: how a person comes into a tenant. A tenant's admin invites an email with a role and a
//! branch office; the person accepts with the invitation's link, creating their account or signing in
//! to the one they have. No tenant can create an account or a membership by itself (the schema holds
//! that too: migrations/0004_accounts.sql), and an admin learns nothing about accounts elsewhere.

pub mod domain;
pub mod repo;
pub mod service;
pub mod web;
