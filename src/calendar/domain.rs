//! The feed's content as iCalendar text. No SQL, no HTTP.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use icalendar::{Calendar, Component, Event, EventLike, EventStatus};
use uuid::Uuid;

/// A planned meeting as the feed shows it.
pub struct FeedMeeting {
    pub id: Uuid,
    pub employer_id: Uuid,
    pub employer_name: String,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: i16,
    /// Already translated.
    pub kind: String,
    pub location: String,
    pub attendees: Vec<String>,
    pub updated_at: DateTime<Utc>,
}

/// An open follow-up, shown as an all-day event on its due day.
pub struct FeedFollowUp {
    pub id: Uuid,
    pub employer_id: Uuid,
    pub employer_name: String,
    pub title: String,
    pub notes: String,
    pub due_on: NaiveDate,
    /// The meeting it came from, with that meeting's date already written out.
    pub meeting: Option<(Uuid, String)>,
    pub updated_at: DateTime<Utc>,
}

/// Labels in the user's language, and where the app lives so events link back to it.
pub struct FeedText<'a> {
    pub calendar_name: &'a str,
    pub follow_up_prefix: &'a str,
    /// "Brief", "Attendees", "From the meeting of", "Employer".
    pub brief: &'a str,
    pub attendees: &'a str,
    pub from_meeting: &'a str,
    pub employer: &'a str,
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
        // What the RM reads on the phone before walking in: the brief, and who will be there.
        let mut description = format!(
            "{}: {}/employers/{}/brief?meeting={}",
            labels.brief, labels.base_url, m.employer_id, m.id
        );
        if !m.attendees.is_empty() {
            description.push_str(&format!(
                "\n{}: {}",
                labels.attendees,
                m.attendees.join("; ")
            ));
        }
        e.description(&text(&description));
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
            // An all-day event ends on the next day, exclusive (RFC 5545 §3.6.1).
            .starts(f.due_on)
            .ends(f.due_on.succ_opt().unwrap_or(f.due_on))
            .url(&format!("{}/follow-ups/{}/edit", labels.base_url, f.id))
            .description(&text(&follow_up_description(labels, f)))
            .done();
        cal.push(e);
    }
    cal.done().to_string()
}

/// The follow-up's notes, its employer and the meeting it came from, each with a link.
fn follow_up_description(labels: &FeedText<'_>, f: &FeedFollowUp) -> String {
    let mut lines = Vec::new();
    if !f.notes.is_empty() {
        lines.push(f.notes.clone());
    }
    lines.push(format!(
        "{}: {} — {}/employers/{}",
        labels.employer, f.employer_name, labels.base_url, f.employer_id
    ));
    if let Some((id, when)) = &f.meeting {
        lines.push(format!(
            "{} {when}: {}/meetings/{id}",
            labels.from_meeting, labels.base_url
        ));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn labels() -> FeedText<'static> {
        FeedText {
            calendar_name: "Relasi",
            follow_up_prefix: "Tindak lanjut",
            brief: "Ringkasan",
            attendees: "Peserta",
            from_meeting: "Dari pertemuan",
            employer: "Pemberi kerja",
            base_url: "https://relasi.example",
        }
    }

    #[test]
    fn meetings_and_follow_ups_become_events() {
        let at = Utc.with_ymd_and_hms(2026, 11, 30, 16, 30, 0).unwrap();
        let id = Uuid::nil();
        let ics = render(
            &labels(),
            &[FeedMeeting {
                id,
                employer_id: id,
                employer_name: "PT Maju; Jaya, Tbk".into(),
                starts_at: at,
                duration_minutes: 90,
                kind: "Rapat koordinasi".into(),
                location: "Jakarta".into(),
                attendees: vec!["Sari Dewi, HR Director".into(), "Budi".into()],
                updated_at: at,
            }],
            &[FeedFollowUp {
                id,
                employer_id: id,
                employer_name: "PT Maju".into(),
                title: "Kirim draf PKS".into(),
                notes: String::new(),
                due_on: NaiveDate::from_ymd_opt(2026, 12, 2).unwrap(),
                meeting: Some((id, "30 Nov 2026".into())),
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
        // An all-day event ends on the next day, exclusive.
        assert!(ics.contains("DTEND;VALUE=DATE:20261203"), "{ics}");
        let unfolded = ics.replace("\r\n ", "");
        assert!(
            unfolded.contains("/employers/00000000-0000-0000-0000-000000000000/brief?meeting="),
            "{unfolded}"
        );
        assert!(
            unfolded.contains("Peserta: Sari Dewi\\, HR Director\\; Budi"),
            "{unfolded}"
        );
        assert!(
            unfolded.contains("Dari pertemuan 30 Nov 2026: https://relasi.example/meetings/"),
            "{unfolded}"
        );
        assert!(ics.contains("UID:meeting-00000000-0000-0000-0000-000000000000@relasi"));
        assert_eq!(ics.matches("BEGIN:VEVENT").count(), 2);
    }

    #[test]
    fn no_carriage_return_reaches_the_feed_but_its_own_line_ends() {
        let at = Utc.with_ymd_and_hms(2026, 11, 30, 16, 30, 0).unwrap();
        let ics = render(
            &labels(),
            &[FeedMeeting {
                id: Uuid::nil(),
                employer_id: Uuid::nil(),
                employer_name: "PT Maju\rX-INJECTED:1".into(),
                starts_at: at,
                duration_minutes: 30,
                kind: "Rapat".into(),
                location: "Ruang A\r\nLantai 3\rSayap B".into(),
                attendees: Vec::new(),
                updated_at: at,
            }],
            &[FeedFollowUp {
                id: Uuid::nil(),
                employer_id: Uuid::nil(),
                employer_name: "PT Maju".into(),
                title: "Kirim\rdraf".into(),
                notes: "baris\rdua".into(),
                meeting: None,
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
