//! The meeting form as sent — the meeting, and optionally a new key person who attended and a
//! follow-up from its commitments — and its conversion, reporting every problem at once.

use chrono::{DateTime, Days, Timelike, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use uuid::Uuid;

use super::domain::{
    Channel, Duration, Kind, MeetingFields, Sentiment, Status, Topic, check_start, local_input,
    parse_local, start_of_day,
};
use super::repo::MeetingRow;
use crate::follow_ups::domain::FollowUpFields;
use crate::key_persons::domain::Level;
use crate::web::forms::{
    FieldErrors, Submitted, multiline_text, optional, optional_date, optional_text,
    required_multiline, required_text,
};

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct MeetingForm {
    pub employer_id: String,
    pub status: String,
    pub starts_at: String,
    pub duration: String,
    pub kind: String,
    pub channel: String,
    pub location: String,
    pub topics: Vec<String>,
    pub attendees: Vec<String>,
    pub staff: Vec<String>,
    pub summary: String,
    pub outcomes: String,
    pub commitments: String,
    pub sentiment: String,
    /// A key person to add to the employer and to this meeting's attendees, in the same save.
    pub new_person_name: String,
    pub new_person_title: String,
    pub new_person_level: String,
    /// A follow-up to create from this meeting's commitments.
    pub follow_up_title: String,
    pub follow_up_assignee: String,
    pub follow_up_due_on: String,
    /// Where to go after saving: the page the form was opened from.
    pub back: String,
    pub version: i32,
}

/// A key person typed into the meeting form.
#[derive(Clone, Debug, PartialEq)]
pub struct NewPerson {
    pub full_name: String,
    pub position_title: String,
    pub level: Level,
}

/// Everything a valid meeting form asks for.
#[derive(Clone, Debug, PartialEq)]
pub struct MeetingInput {
    pub fields: MeetingFields,
    pub new_person: Option<NewPerson>,
    pub follow_up: Option<FollowUpFields>,
}

/// The ids of a checkbox group, sorted and without repeats.
fn uuids(raw: &[String]) -> Result<Vec<Uuid>, &'static str> {
    let mut ids = raw
        .iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim().parse::<Uuid>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| "meeting.attendee_invalid")?;
    ids.sort();
    ids.dedup();
    Ok(ids)
}

impl TryFrom<Submitted<'_, MeetingForm>> for MeetingInput {
    type Error = FieldErrors;

    /// A form plans a meeting or logs a held one, never cancels one (that is its own action). A held
    /// meeting has happened and has a summary and someone from the employer; a planned one lies
    /// ahead. The follow-up's due date is today or later.
    fn try_from(sent: Submitted<'_, MeetingForm>) -> Result<Self, FieldErrors> {
        let f = sent.form;
        let mut errors = FieldErrors::default();
        let status = errors.check(
            "status",
            Status::parse(&f.status).and_then(|s| match s {
                Status::Cancelled => Err("meeting.status_invalid"),
                s => Ok(s),
            }),
        );
        let starts_at = errors.check("starts_at", parse_local(&f.starts_at, sent.tz));
        if let (Some(s), Some(at)) = (status, starts_at) {
            errors.check("starts_at", check_start(s, at, sent.now, sent.tz));
        }
        let duration = errors.check("duration", Duration::parse(&f.duration));
        let kind = errors.check("kind", Kind::parse(&f.kind));
        let channel = errors.check(
            "channel",
            Channel::parse(&f.channel).and_then(|c| match kind {
                Some(k) => k.channel_for(c),
                None => Ok(c),
            }),
        );
        let location = errors.check("location", optional_text(&f.location, 300));
        let topics = errors.check(
            "topics",
            f.topics
                .iter()
                .map(|t| Topic::parse(t))
                .collect::<Result<Vec<_>, _>>(),
        );
        let held = status == Some(Status::Held);
        let summary = errors.check(
            "summary",
            if held {
                required_multiline(&f.summary, 5000).map_err(|e| {
                    if e == "error.required" {
                        "meeting.summary_required"
                    } else {
                        e
                    }
                })
            } else {
                multiline_text(&f.summary, 5000)
            },
        );
        let outcomes = errors.check("outcomes", multiline_text(&f.outcomes, 5000));
        let commitments = errors.check("commitments", multiline_text(&f.commitments, 5000));
        let sentiment = errors.check("sentiment", optional(&f.sentiment, Sentiment::parse));
        let attendees = errors.check("attendees", uuids(&f.attendees));
        let staff = errors.check("staff", uuids(&f.staff));
        let new_person = f.new_person(&mut errors);
        if held
            && attendees.as_ref().is_some_and(Vec::is_empty)
            && f.new_person_name.trim().is_empty()
        {
            errors.add("attendees", "meeting.attendee_required");
        }
        let follow_up = f.follow_up(&mut errors, &sent);
        errors.finish(|| {
            let mut topics = topics?;
            topics.sort_by_key(|t| t.as_str());
            topics.dedup();
            Some(MeetingInput {
                fields: MeetingFields {
                    status: status?,
                    starts_at: starts_at?,
                    duration_minutes: duration?.minutes(),
                    kind: kind?,
                    channel: channel?,
                    location: location?,
                    topics,
                    summary: summary?,
                    outcomes: outcomes?,
                    commitments: commitments?,
                    sentiment: sentiment?,
                    attendees: attendees?,
                    staff: staff?,
                },
                new_person: new_person?,
                follow_up: follow_up?,
            })
        })
    }
}

impl MeetingForm {
    /// The inline key person, when a name was typed. `Some(None)`: none asked for.
    fn new_person(&self, errors: &mut FieldErrors) -> Option<Option<NewPerson>> {
        if self.new_person_name.trim().is_empty() {
            return Some(None);
        }
        let name = errors.check("new_person_name", required_text(&self.new_person_name, 200));
        let title = errors.check(
            "new_person_title",
            optional_text(&self.new_person_title, 200),
        );
        let level = errors.check("new_person_level", Level::parse(&self.new_person_level));
        Some(Some(NewPerson {
            full_name: name?,
            position_title: title?,
            level: level?,
        }))
    }

    /// The follow-up, when a title was typed. `Some(None)`: none asked for.
    fn follow_up(
        &self,
        errors: &mut FieldErrors,
        sent: &Submitted<'_, MeetingForm>,
    ) -> Option<Option<FollowUpFields>> {
        if self.follow_up_title.trim().is_empty() {
            return Some(None);
        }
        let title = errors.check("follow_up_title", required_text(&self.follow_up_title, 300));
        let assignee = errors.check(
            "follow_up_assignee",
            self.follow_up_assignee
                .trim()
                .parse::<Uuid>()
                .map_err(|_| "follow_up.assignee_invalid"),
        );
        let due = errors.check(
            "follow_up_due_on",
            match optional_date(&self.follow_up_due_on) {
                Ok(Some(d)) if d < sent.today() => Err("follow_up.due_in_past"),
                Ok(Some(d)) => Ok(d),
                Ok(None) => Err("error.required"),
                Err(e) => Err(e),
            },
        );
        Some(Some(FollowUpFields {
            title: title?,
            assignee_id: assignee?,
            due_on: due?,
            notes: String::new(),
        }))
    }

    /// A new meeting's form: now (rounded down to the quarter hour) for one being logged, 10:00
    /// tomorrow for one being planned; an hour, in person, the RM among the staff; the follow-up
    /// theirs, due in a week.
    pub fn new_for(employer: Uuid, status: Status, me: Uuid, now: DateTime<Utc>, tz: Tz) -> Self {
        let start = match status {
            Status::Planned => {
                let tomorrow = now.with_timezone(&tz).date_naive() + Days::new(1);
                start_of_day(tomorrow, tz) + chrono::Duration::hours(10)
            }
            _ => {
                now - chrono::Duration::minutes(i64::from(now.minute() % 15))
                    - chrono::Duration::seconds(i64::from(now.second()))
            }
        };
        MeetingForm {
            employer_id: employer.to_string(),
            status: status.as_str().into(),
            starts_at: local_input(start, tz),
            duration: "60".into(),
            kind: Kind::Coordination.as_str().into(),
            channel: Channel::InPerson.as_str().into(),
            staff: vec![me.to_string()],
            ..MeetingForm::default()
        }
        .with_extras_for(me, now, tz)
    }

    /// The new key person's and the follow-up's defaults: BOD-1; assigned to `me`, due in a week.
    pub fn with_extras_for(self, me: Uuid, now: DateTime<Utc>, tz: Tz) -> Self {
        let today = now.with_timezone(&tz).date_naive();
        MeetingForm {
            new_person_level: Level::BodMinusOne.as_str().into(),
            follow_up_assignee: me.to_string(),
            follow_up_due_on: (today + Days::new(7)).to_string(),
            ..self
        }
    }

    /// The edit form of a saved meeting, its start in the tenant's zone.
    pub fn of(m: &MeetingRow, tz: Tz) -> Self {
        let f = &m.fields;
        MeetingForm {
            employer_id: m.employer_id.to_string(),
            status: f.status.as_str().into(),
            starts_at: local_input(f.starts_at, tz),
            duration: f.duration_minutes.to_string(),
            kind: f.kind.as_str().into(),
            channel: f.channel.as_str().into(),
            location: f.location.clone(),
            topics: f.topics.iter().map(|t| t.as_str().to_owned()).collect(),
            attendees: f.attendees.iter().map(Uuid::to_string).collect(),
            staff: f.staff.iter().map(Uuid::to_string).collect(),
            summary: f.summary.clone(),
            outcomes: f.outcomes.clone(),
            commitments: f.commitments.clone(),
            sentiment: f
                .sentiment
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            version: m.version,
            ..MeetingForm::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TZ: Tz = chrono_tz::Asia::Jakarta;

    fn now() -> DateTime<Utc> {
        // 10:07 in Jakarta.
        "2026-11-25T03:07:30Z".parse().unwrap()
    }

    fn parse(f: &MeetingForm) -> Result<MeetingInput, FieldErrors> {
        MeetingInput::try_from(Submitted {
            form: f,
            now: now(),
            tz: TZ,
        })
    }

    fn held() -> MeetingForm {
        MeetingForm {
            summary: "Discussed arrears.".into(),
            attendees: vec![Uuid::nil().to_string()],
            topics: vec!["arrears".into(), "compliance".into(), "arrears".into()],
            ..MeetingForm::new_for(Uuid::nil(), Status::Held, Uuid::nil(), now(), TZ)
        }
    }

    #[test]
    fn a_new_form_starts_at_the_quarter_hour_or_tomorrow_at_ten() {
        assert_eq!(held().starts_at, "2026-11-25T10:00");
        let planned = MeetingForm::new_for(Uuid::nil(), Status::Planned, Uuid::nil(), now(), TZ);
        assert_eq!(planned.starts_at, "2026-11-26T10:00");
        assert_eq!(planned.follow_up_due_on, "2026-12-02");
    }

    #[test]
    fn a_held_meeting_becomes_typed_fields() {
        let m = parse(&held()).unwrap();
        assert_eq!(m.fields.status, Status::Held);
        assert_eq!(m.fields.topics, [Topic::Arrears, Topic::Compliance]);
        assert_eq!(m.fields.duration_minutes, 60);
        assert_eq!((m.new_person, m.follow_up), (None, None));
    }

    #[test]
    fn a_held_meeting_needs_a_summary_someone_from_the_employer_and_a_past_start() {
        let form = MeetingForm {
            summary: " ".into(),
            attendees: Vec::new(),
            starts_at: "2026-11-25T11:00".into(),
            ..held()
        };
        let errors = parse(&form).unwrap_err();
        assert_eq!(errors.get("summary"), Some("meeting.summary_required"));
        assert_eq!(errors.get("attendees"), Some("meeting.attendee_required"));
        assert_eq!(errors.get("starts_at"), Some("meeting.held_in_future"));
        // A person typed in the form is someone from the employer.
        let form = MeetingForm {
            attendees: Vec::new(),
            new_person_name: "Sari".into(),
            ..held()
        };
        let m = parse(&form).unwrap();
        assert_eq!(m.new_person.unwrap().level, Level::BodMinusOne);
    }

    #[test]
    fn a_phone_call_goes_by_phone_and_a_visit_in_person() {
        let call = MeetingForm {
            kind: "phone_call".into(),
            channel: "in_person".into(),
            ..held()
        };
        assert_eq!(parse(&call).unwrap().fields.channel, Channel::Phone);
        let visit = MeetingForm {
            kind: "site_visit".into(),
            channel: "online".into(),
            ..held()
        };
        assert_eq!(parse(&visit).unwrap().fields.channel, Channel::InPerson);
        let online = MeetingForm {
            kind: "coordination".into(),
            channel: "online".into(),
            ..held()
        };
        assert_eq!(parse(&online).unwrap().fields.channel, Channel::Online);
        let by_phone = MeetingForm {
            kind: "coordination".into(),
            channel: "phone".into(),
            ..held()
        };
        assert_eq!(
            parse(&by_phone).unwrap_err().get("channel"),
            Some("meeting.channel_mismatch")
        );
    }

    #[test]
    fn a_form_never_cancels_and_a_planned_meeting_lies_ahead() {
        let form = MeetingForm {
            status: "cancelled".into(),
            ..held()
        };
        assert_eq!(
            parse(&form).unwrap_err().get("status"),
            Some("meeting.status_invalid")
        );
        let form = MeetingForm {
            status: "planned".into(),
            starts_at: "2026-11-24T09:00".into(),
            ..held()
        };
        assert_eq!(
            parse(&form).unwrap_err().get("starts_at"),
            Some("meeting.planned_in_past")
        );
        assert!(Status::Planned.may_become(Status::Held));
        assert!(!Status::Held.may_become(Status::Planned));
    }

    #[test]
    fn the_follow_up_is_due_today_or_later() {
        let form = MeetingForm {
            follow_up_title: "Send the regulation".into(),
            follow_up_due_on: "2026-11-24".into(),
            ..held()
        };
        assert_eq!(
            parse(&form).unwrap_err().get("follow_up_due_on"),
            Some("follow_up.due_in_past")
        );
        let form = MeetingForm {
            follow_up_title: "Send the regulation".into(),
            ..held()
        };
        let f = parse(&form).unwrap().follow_up.unwrap();
        assert_eq!(f.due_on.to_string(), "2026-12-02");
    }
}
