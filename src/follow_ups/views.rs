//! A follow-up as every list shows it — the follow-up list, the employer page, the meeting page,
//! "My month" and the brief.

use chrono::NaiveDate;
use uuid::Uuid;

use super::domain::due_state;
use super::policy;
use super::repo::FollowUpRow;
use crate::tenancy::domain::Who;
use crate::web::layout::Layout;

pub struct FollowUpView {
    pub id: Uuid,
    pub employer_id: Uuid,
    pub employer_name: String,
    pub meeting_id: Option<Uuid>,
    pub title: String,
    pub assignee: String,
    pub due: String,
    pub due_key: &'static str,
    pub due_badge: &'static str,
    pub overdue: bool,
    pub notes: String,
    pub done: Option<String>,
    pub version: i32,
    pub can_change: bool,
}

impl FollowUpView {
    /// The rows as `who` sees them on `today` (a day in the tenant's zone).
    pub fn all(l: &Layout, who: Who, rows: &[FollowUpRow], today: NaiveDate) -> Vec<FollowUpView> {
        rows.iter()
            .map(|f| {
                let due = due_state(f.fields.due_on, f.done_at.is_some(), today);
                FollowUpView {
                    id: f.id,
                    employer_id: f.employer_id,
                    employer_name: f.employer_name.clone(),
                    meeting_id: f.meeting_id,
                    title: f.fields.title.clone(),
                    assignee: f.assignee_name.clone(),
                    due: l.date(&f.fields.due_on),
                    due_key: due.label_key(),
                    due_badge: due.badge(),
                    overdue: due == super::domain::Due::Overdue,
                    notes: f.fields.notes.clone(),
                    done: f.done_at.map(|at| {
                        format!(
                            "{} · {}",
                            l.day_of(&at),
                            f.done_by_name.clone().unwrap_or_default()
                        )
                    }),
                    version: f.version,
                    can_change: policy::may_change(who, f.employer_rm, f.fields.assignee_id),
                }
            })
            .collect()
    }
}
