//! Follow-ups as values: what a form sets, when a follow-up is due, and the lists that pick
//! follow-ups by it. No SQL, no HTTP.

use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;

use crate::meetings::domain::end_of_week;
use crate::text_enum;

/// What the follow-up form sets. It serialises as the audit trail records it; `Recorded` adds the
/// assignee by name.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FollowUpFields {
    pub title: String,
    #[serde(skip)]
    pub assignee_id: Uuid,
    pub due_on: NaiveDate,
    pub notes: String,
}

/// A follow-up's fields as its history records them.
#[derive(Serialize)]
pub struct Recorded<'a> {
    #[serde(flatten)]
    pub fields: &'a FollowUpFields,
    pub assignee: String,
}

/// Where an open or done follow-up stands on `today` (a day in the tenant's zone).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Due {
    Done,
    /// Past its due day and not done.
    Overdue,
    /// Due today or later this week (Monday to Sunday).
    ThisWeek,
    Later,
}

pub fn due_state(due_on: NaiveDate, done: bool, today: NaiveDate) -> Due {
    if done {
        Due::Done
    } else if due_on < today {
        Due::Overdue
    } else if due_on <= end_of_week(today) {
        Due::ThisWeek
    } else {
        Due::Later
    }
}

impl Due {
    pub fn label_key(self) -> &'static str {
        match self {
            Due::Done => "follow_up.done",
            Due::Overdue => "follow_up.overdue",
            Due::ThisWeek => "follow_up.due_this_week",
            Due::Later => "follow_up.open",
        }
    }

    /// The CSS class of its badge.
    pub fn badge(self) -> &'static str {
        match self {
            Due::Done => "badge-ok",
            Due::Overdue => "badge-warn",
            Due::ThisWeek => "badge-soon",
            Due::Later => "",
        }
    }
}

text_enum!(
    /// Which follow-ups the list shows.
    Window, "follow_up.window_invalid", {
    Open = "open" => "follow_up.window_open",
    ThisWeek = "week" => "follow_up.window_week",
    Overdue = "overdue" => "follow_up.window_overdue",
    Done = "done" => "follow_up.window_done",
});

text_enum!(
    /// Whose follow-ups: mine, or everyone's in the tenant (supervisors and admins).
    Scope, "follow_up.scope_invalid", {
    Mine = "mine" => "follow_up.scope_mine",
    Team = "team" => "follow_up.scope_team",
});

/// What a window reads on `today`: the last due day it includes (if bounded), and whether it reads
/// done follow-ups instead of open ones.
pub fn window_bounds(w: Window, today: NaiveDate) -> (Option<NaiveDate>, bool) {
    match w {
        Window::Open => (None, false),
        // "Due this week" is what still has to happen this week, including what is already late.
        Window::ThisWeek => (Some(end_of_week(today)), false),
        Window::Overdue => (today.pred_opt(), false),
        Window::Done => (None, true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn overdue_means_past_the_due_day_and_not_done() {
        let today = d(2026, 11, 25); // a Wednesday
        assert_eq!(due_state(d(2026, 11, 24), false, today), Due::Overdue);
        assert_eq!(due_state(d(2026, 11, 25), false, today), Due::ThisWeek);
        assert_eq!(due_state(d(2026, 11, 29), false, today), Due::ThisWeek);
        assert_eq!(due_state(d(2026, 11, 30), false, today), Due::Later);
        assert_eq!(due_state(d(2026, 1, 1), true, today), Due::Done);
    }

    #[test]
    fn windows_bound_the_due_day() {
        let today = d(2026, 11, 25);
        assert_eq!(
            window_bounds(Window::Overdue, today),
            (Some(d(2026, 11, 24)), false)
        );
        assert_eq!(
            window_bounds(Window::ThisWeek, today),
            (Some(d(2026, 11, 29)), false)
        );
        assert_eq!(window_bounds(Window::Open, today), (None, false));
        assert_eq!(window_bounds(Window::Done, today), (None, true));
    }

    #[test]
    fn every_value_has_a_label_in_the_catalogs() {
        let keys = Window::ALL
            .iter()
            .map(|v| v.label_key())
            .chain(Scope::ALL.iter().map(|v| v.label_key()))
            .chain([Due::Done, Due::Overdue, Due::ThisWeek, Due::Later].map(Due::label_key));
        for key in keys {
            assert!(crate::web::i18n::is_known_key(key), "{key}");
        }
    }
}
