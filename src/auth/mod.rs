//! Signing in and out, sessions, passwords, throttling and the tenant switch.

pub mod domain;
pub mod operator;
pub mod repo;
pub mod second_factor;
pub mod service;
pub mod web;

use anyhow::Context;

/// Hashes a password on the blocking pool: argon2 at OWASP parameters takes tens of milliseconds of
/// CPU, which must not stall the async runtime's threads.
pub async fn hash_password(password: &str) -> anyhow::Result<String> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || domain::hash_password(&password))
        .await
        .context("the password hashing task failed")?
}

/// Verifies a password against a stored hash on the blocking pool.
pub async fn verify_password(password: &str, stored: &str) -> anyhow::Result<bool> {
    let (password, stored) = (password.to_owned(), stored.to_owned());
    tokio::task::spawn_blocking(move || domain::verify_password(&password, &stored))
        .await
        .context("the password verification task failed")
}
