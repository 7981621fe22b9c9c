//! The feed's content as iCalendar text. No SQL, no HTTP.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use icalendar::{Calendar, Component, Event, EventLike, EventStatus};
use uuid::Uuid;

/// A planned meeting as the feed shows it.
pub struct FeedMeeting {
    pub id: Uuid,
    pub employer_name: String,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: i16,
    /// Already translated.
    pub kind: String,
    pub location: String,
    pub updated_at: DateTime<Utc>,
}

/// An open follow-up, shown as an all-day event on its due day.
pub struct FeedFollowUp {
    pub id: Uuid,
    pub employer_name: String,
    pub title: String,
    pub due_on: NaiveDate,
    pub updated_at: DateTime<Utc>,
}

/// Labels in the user's language, and where the app lives so events link back to it.
pub struct FeedText<'a> {
    pub calendar_name: &'a str,
    pub follow_up_prefix: &'a str,
    pub base_url: &'a str,
}

/// The whole feed. UIDs are stable per record, so a calendar app updates an event in place when a
/// meeting moves instead of adding a second one.
pub fn render(
    text: &FeedText<'_>,
    meetings: &[FeedMeeting],
    follow_ups: &[FeedFollowUp],
    now: DateTime<Utc>,
) -> String {
    let mut cal = Calendar::new();
    cal.name(text.calendar_name);
    for m in meetings {
        let mut e = Event::new();
        e.uid(&format!("meeting-{}@relasi", m.id))
            .timestamp(now)
            .last_modified(m.updated_at)
            .summary(&format!("{} — {}", m.employer_name, m.kind))
            .starts(m.starts_at)
            .ends(m.starts_at + Duration::minutes(i64::from(m.duration_minutes)))
            .status(EventStatus::Confirmed)
            .url(&format!("{}/meetings/{}", text.base_url, m.id));
        if !m.location.is_empty() {
            e.location(&m.location);
        }
        cal.push(e.done());
    }
    for f in follow_ups {
        let e = Event::new()
            .uid(&format!("follow-up-{}@relasi", f.id))
            .timestamp(now)
            .last_modified(f.updated_at)
            .summary(&format!(
                "{}: {} — {}",
                text.follow_up_prefix, f.title, f.employer_name
            ))
            .all_day(f.due_on)
            .url(&format!("{}/follow-ups/{}/edit", text.base_url, f.id))
            .done();
        cal.push(e);
    }
    cal.done().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn meetings_and_follow_ups_become_events() {
        let at = Utc.with_ymd_and_hms(2026, 11, 30, 16, 30, 0).unwrap();
        let id = Uuid::nil();
        let ics = render(
            &FeedText {
                calendar_name: "Relasi",
                follow_up_prefix: "Tindak lanjut",
                base_url: "https://relasi.example",
            },
            &[FeedMeeting {
                id,
                employer_name: "PT Maju; Jaya, Tbk".into(),
                starts_at: at,
                duration_minutes: 90,
                kind: "Rapat koordinasi".into(),
                location: "Jakarta".into(),
                updated_at: at,
            }],
            &[FeedFollowUp {
                id,
                employer_name: "PT Maju".into(),
                title: "Kirim draf PKS".into(),
                due_on: NaiveDate::from_ymd_opt(2026, 12, 2).unwrap(),
                updated_at: at,
            }],
            at,
        );
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"), "{ics}");
        assert!(ics.contains("DTSTART:20261130T163000Z"), "{ics}");
        assert!(ics.contains("DTEND:20261130T180000Z"), "{ics}");
        // Commas and semicolons in text are escaped (RFC 5545 §3.3.11).
        assert!(ics.contains("PT Maju\\; Jaya\\, Tbk"), "{ics}");
        assert!(ics.contains("DTSTART;VALUE=DATE:20261202"), "{ics}");
        assert!(ics.contains("UID:meeting-00000000-0000-0000-0000-000000000000@relasi"));
        assert_eq!(ics.matches("BEGIN:VEVENT").count(), 2);
    }
}
