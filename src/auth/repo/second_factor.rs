//! SQL for the second factor: the authenticator secret, its codes' replay guard and the recovery
//! codes.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use crate::auth::domain::UserId;

pub struct SecondFactorRow {
    pub secret: Option<Vec<u8>>,
    pub pending_secret: Option<Vec<u8>>,
    pub enabled_at: Option<DateTime<Utc>>,
    pub recovery_codes_left: i64,
}

/// The account's factor. Needs the person as the acting user (`app.user_id`).
pub async fn second_factor(conn: &mut PgConnection, user: UserId) -> sqlx::Result<SecondFactorRow> {
    sqlx::query_as!(
        SecondFactorRow,
        r#"select totp_secret as secret, totp_pending_secret as pending_secret, totp_enabled_at as enabled_at,
                  (select count(*) from recovery_codes r where r.user_id = u.id and r.used_at is null)
                      as "recovery_codes_left!"
             from users u where u.id = $1"#,
        user.0
    )
    .fetch_one(conn)
    .await
}

/// Keeps the key shown in the QR code until the first correct code confirms it.
pub async fn set_pending_secret(
    conn: &mut PgConnection,
    user: UserId,
    secret: &[u8],
) -> sqlx::Result<()> {
    sqlx::query!(
        "update users set totp_pending_secret = $2 where id = $1",
        user.0,
        secret
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Turns the factor on with the confirmed key; `step` is the step of the code that confirmed it.
pub async fn enable_second_factor(
    conn: &mut PgConnection,
    user: UserId,
    secret: &[u8],
    step: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update users set totp_secret = $2, totp_pending_secret = null, totp_enabled_at = $3,
                          totp_last_step = $4, updated_at = $3, version = version + 1
          where id = $1",
        user.0,
        secret,
        now,
        step
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Accepts a code's time step once: true only when no code of this step or a later one was accepted
/// before. One statement, so two requests with the same code cannot both pass.
pub async fn accept_code_step(
    conn: &mut PgConnection,
    user: UserId,
    step: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update users set totp_last_step = $2 where id = $1 and totp_last_step < $2",
        user.0,
        step
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes the factor and its recovery codes. The row policies allow it for the person themself, and
/// for a tenant only when the account belongs to that tenant alone.
pub async fn clear_second_factor(
    conn: &mut PgConnection,
    user: UserId,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    sqlx::query!("delete from recovery_codes where user_id = $1", user.0)
        .execute(&mut *conn)
        .await?;
    let done = sqlx::query!(
        "update users set totp_secret = null, totp_pending_secret = null, totp_enabled_at = null,
                          updated_at = $2, version = version + 1
          where id = $1",
        user.0,
        now
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces the account's recovery codes with these hashes.
pub async fn replace_recovery_codes(
    conn: &mut PgConnection,
    user: UserId,
    hashes: &[Vec<u8>],
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query!("delete from recovery_codes where user_id = $1", user.0)
        .execute(&mut *conn)
        .await?;
    sqlx::query!(
        "insert into recovery_codes (user_id, code_hash, created_at)
         select $1, h, $3 from unnest($2::bytea[]) as h",
        user.0,
        hashes,
        now
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Uses a recovery code: true when it was the account's and unused (now it is used).
pub async fn use_recovery_code(
    conn: &mut PgConnection,
    user: UserId,
    hash: &[u8],
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update recovery_codes set used_at = $3
          where user_id = $1 and code_hash = $2 and used_at is null",
        user.0,
        hash,
        now
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
