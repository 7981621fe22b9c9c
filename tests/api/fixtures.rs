//! What the tests of several modules share: a team of signed-in people in one tenant, employers,
//! key persons and meetings made through the forms, and reading what was saved. The test clock starts
//! at 2026-11-16 02:00 UTC (09:00 WIB, a Monday).

use relasi::employers::domain::luhn_check_digit;
use relasi::tenancy::domain::{Role, TenantId};
use relasi::web::i18n::Lang;
use uuid::Uuid;

use crate::helpers::{Client, Resp, TestApp, spawn_app};

/// A tenant with an admin, a supervisor and two RMs, all signed in.
pub struct Team {
    pub app: TestApp,
    pub t: TenantId,
    pub admin: Client,
    pub sup: Client,
    pub rm1: Client,
    pub rm2: Client,
    pub rm2_id: Uuid,
}

pub async fn team() -> Team {
    let app = spawn_app().await;
    let t = app.tenant("kanwil", "Kanwil DKI").await;
    app.user(t, "admin@x.example", "Rina Admin", Role::Admin)
        .await;
    app.user(t, "sup@x.example", "Bambang Supervisor", Role::Supervisor)
        .await;
    app.user(t, "rm1@x.example", "Dewi RM", Role::Rm).await;
    let rm2_id = app.user(t, "rm2@x.example", "Agus RM", Role::Rm).await.0;
    let admin = app.signed_in("admin@x.example").await;
    let sup = app.signed_in("sup@x.example").await;
    let rm1 = app.signed_in("rm1@x.example").await;
    let rm2 = app.signed_in("rm2@x.example").await;
    Team {
        app,
        t,
        admin,
        sup,
        rm1,
        rm2,
        rm2_id,
    }
}

/// A valid 15-digit NPWP built around `first8`.
pub fn npwp(first8: &str) -> String {
    format!("{first8}{}412000", luhn_check_digit(first8))
}

pub const BASE: [(&str, &str); 5] = [
    ("segment", "corporate"),
    ("ownership", "private_domestic"),
    ("status", "active"),
    ("stage", "approach"),
    ("version", "0"),
];

/// Creates an employer from the form; returns the response and the new id on success.
pub async fn create(c: &Client, name: &str, extra: &[(&str, &str)]) -> (Resp, Option<Uuid>) {
    let mut form: Vec<(&str, &str)> = BASE
        .into_iter()
        .filter(|(k, _)| !extra.iter().any(|(e, _)| e == k))
        .collect();
    form.push(("name", name));
    form.extend_from_slice(extra);
    let r = c.post("/employers", &form).await;
    let id = r
        .location()
        .strip_prefix("/employers/")
        .and_then(|s| s.parse().ok());
    (r, id)
}

pub async fn scalar_text(app: &TestApp, sql: &'static str, id: Uuid) -> Option<String> {
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(&app.admin)
        .await
        .unwrap()
}

/// Text as the templates escape it.
pub fn esc(s: &str) -> String {
    s.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

/// A catalog message as the pages show it (in Indonesian, escaped).
pub fn msg(key: &str) -> String {
    esc(Lang::Id.t(key))
}

/// An employer in `c`'s portfolio (created by an RM, it is theirs) with a key person at `level`.
pub async fn employer_with_person(c: &Client, name: &str, level: &str) -> (Uuid, Uuid) {
    let (r, id) = create(c, name, &[]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let id = id.unwrap();
    let person = add_person(c, id, "Rudi Hartanto", level).await;
    (id, person)
}

pub async fn add_person(c: &Client, employer: Uuid, name: &str, level: &str) -> Uuid {
    let r = c
        .post(
            &format!("/employers/{employer}/key-persons"),
            &[
                ("full_name", name),
                ("level", level),
                ("influence", "4"),
                ("legal_basis", "legitimate_interest"),
                ("version", "0"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = c.get(&format!("/employers/{employer}")).await;
    let at = page.body.find(name).expect("the person is listed");
    let before = &page.body[..at];
    let start = before.rfind("id=\"kp-").expect("the person's anchor") + 7;
    page.body[start..start + 36].parse().unwrap()
}

/// Posts the meeting form with sensible values, `extra` replacing or adding fields.
pub async fn post_meeting(c: &Client, path: &str, employer: Uuid, extra: &[(&str, &str)]) -> Resp {
    let employer = employer.to_string();
    let base: [(&str, &str); 8] = [
        ("employer_id", employer.as_str()),
        ("status", "held"),
        ("starts_at", "2026-11-16T08:00"),
        ("duration", "60"),
        ("kind", "coordination"),
        ("channel", "in_person"),
        ("summary", "Rekonsiliasi data tenaga kerja"),
        ("version", "1"),
    ];
    let mut form: Vec<(&str, &str)> = base
        .into_iter()
        .filter(|(k, _)| !extra.iter().any(|(e, _)| e == k))
        .collect();
    form.extend_from_slice(extra);
    c.post(path, &form).await
}

pub async fn log_meeting(c: &Client, employer: Uuid, extra: &[(&str, &str)]) -> Uuid {
    let r = post_meeting(c, "/meetings", employer, extra).await;
    assert_eq!(r.status, 303, "{}", r.body);
    r.location()
        .trim_start_matches("/meetings/")
        .parse()
        .unwrap()
}

pub async fn meeting_row(tm: &Team, id: Uuid) -> (String, bool, i32, String) {
    sqlx::query_as("select status, decision_level, version, summary from meetings where id = $1")
        .bind(id)
        .fetch_one(&tm.app.admin)
        .await
        .unwrap()
}

pub type Marks = (
    Option<chrono::DateTime<chrono::Utc>>,
    Option<chrono::DateTime<chrono::Utc>>,
    Option<chrono::NaiveDate>,
);

pub async fn employer_marks(tm: &Team, id: Uuid) -> Marks {
    sqlx::query_as(
        "select last_bod1_meeting_at, next_planned_meeting_at, regulation_briefing_on from employers where id = $1",
    )
    .bind(id)
    .fetch_one(&tm.app.admin)
    .await
    .unwrap()
}

pub fn feed_url(body: &str) -> String {
    let at = body.find("id=\"feed-url\"").expect("the link is shown");
    let value = &body[at..];
    let start = value.find("value=\"").unwrap() + 7;
    let end = value[start..].find('"').unwrap();
    value[start..start + end].to_owned()
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
