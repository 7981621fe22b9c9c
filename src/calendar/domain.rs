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

/// Text for a property: the iCalendar writer escapes LF, `;`, `,` and `\` but not a carriage return,
/// which calendar apps read as a line break of the file itself. Stored text has none (forms store LF
/// only), but older rows may; every CR becomes LF here.
fn text(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\r', "\n")
}

/// The whole feed. UIDs are stable per record, so a calendar app updates an event in place when a
/// meeting moves instead of adding a second one.
pub fn render(
    labels: &FeedText<'_>,
    meetings: &[FeedMeeting],
    follow_ups: &[FeedFollowUp],
    now: DateTime<Utc>,
) -> String {
    let mut cal = Calendar::new();
    cal.name(labels.calendar_name);
    for m in meetings {
        let mut e = Event::new();
        e.uid(&format!("meeting-{}@relasi", m.id))
            .timestamp(now)
            .last_modified(m.updated_at)
            .summary(&text(&format!("{} — {}", m.employer_name, m.kind)))
            .starts(m.starts_at)
            .ends(m.starts_at + Duration::minutes(i64::from(m.duration_minutes)))
            .status(EventStatus::Confirmed)
            .url(&format!("{}/meetings/{}", labels.base_url, m.id));
        if !m.location.is_empty() {
            e.location(&text(&m.location));
        }
        cal.push(e.done());
    }
    for f in follow_ups {
        let e = Event::new()
            .uid(&format!("follow-up-{}@relasi", f.id))
            .timestamp(now)
            .last_modified(f.updated_at)
            .summary(&text(&format!(
                "{}: {} — {}",
                labels.follow_up_prefix, f.title, f.employer_name
            )))
            .all_day(f.due_on)
            .url(&format!("{}/follow-ups/{}/edit", labels.base_url, f.id))
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

    #[test]
    fn no_carriage_return_reaches_the_feed_but_its_own_line_ends() {
        let at = Utc.with_ymd_and_hms(2026, 11, 30, 16, 30, 0).unwrap();
        let ics = render(
            &FeedText {
                calendar_name: "Relasi",
                follow_up_prefix: "Tindak lanjut",
                base_url: "https://relasi.example",
            },
            &[FeedMeeting {
                id: Uuid::nil(),
                employer_name: "PT Maju\rX-INJECTED:1".into(),
                starts_at: at,
                duration_minutes: 30,
                kind: "Rapat".into(),
                location: "Ruang A\r\nLantai 3\rSayap B".into(),
                updated_at: at,
            }],
            &[FeedFollowUp {
                id: Uuid::nil(),
                employer_name: "PT Maju".into(),
                title: "Kirim\rdraf".into(),
                due_on: NaiveDate::from_ymd_opt(2026, 12, 2).unwrap(),
                updated_at: at,
            }],
            at,
        );
        let bare_cr = ics
            .as_bytes()
            .windows(2)
            .filter(|w| w[0] == b'\r' && w[1] != b'\n')
            .count();
        assert_eq!(bare_cr, 0, "{ics:?}");
        assert!(!ics.contains("\r\nX-INJECTED"), "{ics:?}");
        assert!(ics.contains("Ruang A\\nLantai 3\\nSayap B"), "{ics:?}");
    }
}
