//! SQL for the tenant's letter settings.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// The tenant's letter settings as stored: the format and the changed kinds (none when never saved).
pub struct SettingsRow {
    pub number_format: String,
    pub kinds: serde_json::Value,
    pub version: i32,
}

pub async fn settings(conn: &mut PgConnection) -> sqlx::Result<Option<SettingsRow>> {
    sqlx::query_as!(
        SettingsRow,
        "select number_format, kinds, version from letter_settings"
    )
    .fetch_optional(conn)
    .await
}

/// Saves the settings edited on `version` (0: never saved); false when someone saved first.
pub async fn save_settings(
    conn: &mut PgConnection,
    number_format: &str,
    kinds: &serde_json::Value,
    version: i32,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = if version == 0 {
        sqlx::query!(
            "insert into letter_settings (tenant_id, number_format, kinds, updated_at)
             values (app_tenant_id(), $1, $2, $3) on conflict (tenant_id) do nothing",
            number_format,
            kinds,
            now
        )
        .execute(conn)
        .await?
    } else {
        sqlx::query!(
            "update letter_settings set number_format = $1, kinds = $2, updated_at = $3, version = version + 1
              where version = $4",
            number_format,
            kinds,
            now,
            version
        )
        .execute(conn)
        .await?
    };
    Ok(done.rows_affected() == 1)
}
