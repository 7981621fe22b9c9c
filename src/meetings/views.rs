//! A meeting as every page shows it — its own page, the employer's timeline and the brief — with
//! translated labels and attendee names.

use uuid::Uuid;

use super::domain::{self, Channel, Kind, Sentiment, Status, Topic};
use super::repo::MeetingRow;
use crate::key_persons::domain::Level;
use crate::web::layout::Layout;

pub struct MeetingView {
    pub id: Uuid,
    pub when: String,
    pub status: Status,
    pub kind: Kind,
    pub channel: Channel,
    pub topics: Vec<Topic>,
    pub sentiment: Option<Sentiment>,
    pub bod1: bool,
    pub attendees: Vec<String>,
    pub staff: Vec<String>,
    pub summary: String,
    pub outcomes: String,
    pub commitments: String,
    pub location: String,
    pub duration: i16,
    pub cancel_reason: String,
    pub logged_by: String,
}

impl MeetingView {
    pub fn of(l: &Layout, m: &MeetingRow) -> MeetingView {
        let f = &m.fields;
        MeetingView {
            id: m.id,
            when: l.datetime(&f.starts_at),
            status: f.status,
            kind: f.kind,
            channel: f.channel,
            topics: f.topics.clone(),
            sentiment: f.sentiment,
            bod1: domain::counts_as_bod1(f.status, m.decision_level),
            attendees: m
                .attendees
                .iter()
                .map(|a| person_label(l, &a.name, &a.title, a.level))
                .collect(),
            staff: m.staff.iter().map(|s| s.name.clone()).collect(),
            summary: f.summary.clone(),
            outcomes: f.outcomes.clone(),
            commitments: f.commitments.clone(),
            location: f.location.clone(),
            duration: f.duration_minutes,
            cancel_reason: m.cancel_reason.clone(),
            logged_by: m.logged_by_name.clone(),
        }
    }

    pub fn all(l: &Layout, meetings: &[MeetingRow]) -> Vec<MeetingView> {
        meetings.iter().map(|m| MeetingView::of(l, m)).collect()
    }
}

/// "Budi Santoso — GM HC · BOD-1".
pub fn person_label(l: &Layout, name: &str, title: &str, level: Level) -> String {
    let level = l.t(level.label_key());
    if title.is_empty() {
        format!("{name} · {level}")
    } else {
        format!("{name} — {title} · {level}")
    }
}
