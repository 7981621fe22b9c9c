//! Meeting values and the BOD-1 cadence rules (docs/domain.md, "Meetings and the BOD-1 cadence"):
//! which meetings count, which calendar month an instant belongs to in the tenant's zone, and the
//! fields a meeting form sets. No SQL, no HTTP.

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveDateTime, TimeZone as _, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use uuid::Uuid;

use crate::audit::domain::joined;
use crate::key_persons::domain::Level;
use crate::text_enum;

text_enum!(Status, "meeting.status_invalid", {
    Planned = "planned" => "meeting_status.planned",
    Held = "held" => "meeting_status.held",
    Cancelled = "cancelled" => "meeting_status.cancelled",
});

impl Status {
    /// A held meeting stays held; a planned one may be held or moved (it is cancelled on its own
    /// page, not through the form).
    pub fn may_become(self, next: Status) -> bool {
        match self {
            Status::Planned => matches!(next, Status::Planned | Status::Held),
            Status::Held => next == Status::Held,
            Status::Cancelled => false,
        }
    }
}

text_enum!(Kind, "meeting.kind_invalid", {
    Coordination = "coordination" => "meeting_kind.coordination",
    LunchMeeting = "lunch_meeting" => "meeting_kind.lunch_meeting",
    PowerLunch = "power_lunch" => "meeting_kind.power_lunch",
    SiteVisit = "site_visit" => "meeting_kind.site_visit",
    Socialization = "socialization" => "meeting_kind.socialization",
    PhoneCall = "phone_call" => "meeting_kind.phone_call",
    Other = "other" => "meeting_kind.other",
});

text_enum!(Channel, "meeting.channel_invalid", {
    InPerson = "in_person" => "meeting_channel.in_person",
    Online = "online" => "meeting_channel.online",
    Phone = "phone" => "meeting_channel.phone",
});

impl Kind {
    /// The channels a kind of meeting can happen through: a phone call by phone, a visit or a lunch
    /// in person, the rest in person or online (a call is its own kind, so "coordination by phone"
    /// is a phone call).
    pub fn channels(self) -> &'static [Channel] {
        match self {
            Kind::PhoneCall => &[Channel::Phone],
            Kind::SiteVisit | Kind::LunchMeeting | Kind::PowerLunch => &[Channel::InPerson],
            Kind::Coordination | Kind::Socialization | Kind::Other => {
                &[Channel::InPerson, Channel::Online]
            }
        }
    }

    /// Every kind's channels as JSON (`{"phone_call":["phone"],…}`), for the form's script that sets the
    /// channel as the kind is chosen; the server applies the same rule (`channel_for`).
    pub fn channels_json() -> String {
        let map: serde_json::Map<String, serde_json::Value> = Kind::ALL
            .iter()
            .map(|k| {
                let channels = k.channels().iter().map(|c| c.as_str().into()).collect();
                (k.as_str().to_owned(), serde_json::Value::Array(channels))
            })
            .collect();
        serde_json::Value::Object(map).to_string()
    }

    /// The channel a meeting of this kind goes through when `asked` is one it cannot: a kind with one
    /// channel decides it (choosing "phone call" makes it by phone); otherwise the mismatch is refused.
    pub fn channel_for(self, asked: Channel) -> Result<Channel, &'static str> {
        match self.channels() {
            [only] => Ok(*only),
            allowed if allowed.contains(&asked) => Ok(asked),
            _ => Err("meeting.channel_mismatch"),
        }
    }
}

text_enum!(Topic, "meeting.topic_invalid", {
    Compliance = "compliance" => "topic.compliance",
    Arrears = "arrears" => "topic.arrears",
    Registration = "registration" => "topic.registration",
    SupplyChain = "supply_chain" => "topic.supply_chain",
    Sertakan = "sertakan" => "topic.sertakan",
    RegulationEducation = "regulation_education" => "topic.regulation_education",
    Agreement = "agreement" => "topic.agreement",
    Service = "service" => "topic.service",
    Other = "other" => "topic.other",
});

text_enum!(Sentiment, "meeting.sentiment_invalid", {
    Positive = "positive" => "sentiment.positive",
    Neutral = "neutral" => "sentiment.neutral",
    Negative = "negative" => "sentiment.negative",
});

/// How long a meeting lasts, 5 minutes to 12 hours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Duration(i16);

impl Duration {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        match raw.trim().parse::<i16>() {
            Ok(n @ 5..=720) => Ok(Duration(n)),
            _ => Err("meeting.duration_invalid"),
        }
    }

    pub fn minutes(self) -> i16 {
        self.0
    }
}

/// What the meeting form sets. The attendee lists are checked against the employer and the tenant
/// before a save. It serialises as the audit trail records a meeting; `Recorded` adds the start in
/// the tenant's zone and the attendees by name.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MeetingFields {
    #[serde(rename = "meeting_status")]
    pub status: Status,
    #[serde(skip)]
    pub starts_at: DateTime<Utc>,
    #[serde(rename = "duration")]
    pub duration_minutes: i16,
    pub kind: Kind,
    pub channel: Channel,
    pub location: String,
    #[serde(serialize_with = "joined")]
    pub topics: Vec<Topic>,
    pub summary: String,
    pub outcomes: String,
    pub commitments: String,
    pub sentiment: Option<Sentiment>,
    #[serde(skip)]
    pub attendees: Vec<Uuid>,
    #[serde(skip)]
    pub staff: Vec<Uuid>,
}

/// A meeting as its history records it: the start as the tenant reads it, people by name.
#[derive(Serialize)]
pub struct Recorded<'a> {
    #[serde(flatten)]
    pub fields: &'a MeetingFields,
    pub starts_at: String,
    pub attendees: String,
    pub staff: String,
}

impl<'a> Recorded<'a> {
    /// `attendees` and `staff` are names, in any order.
    pub fn new(
        fields: &'a MeetingFields,
        tz: Tz,
        mut attendees: Vec<String>,
        mut staff: Vec<String>,
    ) -> Self {
        attendees.sort();
        staff.sort();
        Recorded {
            fields,
            starts_at: local_input(fields.starts_at, tz).replace('T', " "),
            attendees: attendees.join(", "),
            staff: staff.join(", "),
        }
    }
}

/// Do the attendees' levels make a meeting a BOD-1 meeting once it is held? One person at board or
/// BOD-minus-one level is enough.
pub fn has_decision_level(levels: impl IntoIterator<Item = Level>) -> bool {
    levels.into_iter().any(Level::is_decision_level)
}

/// A meeting counts toward the monthly cadence when it was held with a decision-level attendee.
pub fn counts_as_bod1(status: Status, decision_level: bool) -> bool {
    status == Status::Held && decision_level
}

/// A calendar month of the tenant, as the UTC instants it starts and ends at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Month {
    pub first_day: NaiveDate,
    pub starts: DateTime<Utc>,
    pub ends: DateTime<Utc>,
}

impl Month {
    /// The month `at` falls in, in zone `tz`: 00:30 WIB on 1 February is February, though it is
    /// still 31 January (17:30) in UTC.
    pub fn containing(at: DateTime<Utc>, tz: Tz) -> Month {
        Month::of_day(at.with_timezone(&tz).date_naive(), tz)
    }

    /// The month whose first day is `first_day`'s month, in zone `tz`.
    pub fn of_day(day: NaiveDate, tz: Tz) -> Month {
        let first_day = day.with_day(1).expect("day 1 exists");
        let next = first_day
            .checked_add_months(chrono::Months::new(1))
            .expect("next month exists");
        Month {
            first_day,
            starts: start_of_day(first_day, tz),
            ends: start_of_day(next, tz),
        }
    }

    /// A month named as in a URL, `2026-11`; None for anything else.
    pub fn parse(text: &str, tz: Tz) -> Option<Month> {
        let day = NaiveDate::parse_from_str(&format!("{}-01", text.trim()), "%Y-%m-%d").ok()?;
        (2000..=2100)
            .contains(&day.year())
            .then(|| Month::of_day(day, tz))
    }

    /// The month as a URL names it.
    pub fn code(&self) -> String {
        self.first_day.format("%Y-%m").to_string()
    }

    pub fn previous(&self, tz: Tz) -> Month {
        Month::of_day(self.first_day - chrono::Months::new(1), tz)
    }

    pub fn next(&self, tz: Tz) -> Month {
        Month::of_day(self.first_day + chrono::Months::new(1), tz)
    }

    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.starts <= at && at < self.ends
    }
}

/// The instant a local day starts in `tz` (midnight, or the first valid time after a gap).
pub fn start_of_day(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).expect("midnight exists");
    (0..=2)
        .find_map(|h| {
            tz.from_local_datetime(&(midnight + chrono::Duration::hours(h)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&midnight))
}

/// Is the employer met this month: a held BOD-1 meeting whose start falls in the current month?
pub fn met_in(month: &Month, last_bod1_meeting: Option<DateTime<Utc>>) -> bool {
    last_bod1_meeting.is_some_and(|at| month.contains(at))
}

/// A local date and time as `<input type="datetime-local">` sends it, in zone `tz`.
pub fn parse_local(raw: &str, tz: Tz) -> Result<DateTime<Utc>, &'static str> {
    let s = raw.trim();
    if s.is_empty() {
        return Err("error.required");
    }
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| "error.datetime_invalid")?;
    crate::web::forms::plausible(naive.date())?;
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or("error.datetime_invalid")
}

/// The form value of an instant in zone `tz`.
pub fn local_input(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string()
}

/// How far ahead of now a "held" meeting may start: clocks differ, and a meeting logged as it begins
/// is still held.
pub const HELD_SLACK_MINUTES: i64 = 15;

/// Is `starts` a possible time for a meeting of `status`, given `now`? A held meeting has happened; a
/// planned one is today or later (in the tenant's zone).
pub fn check_start(
    status: Status,
    starts: DateTime<Utc>,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<(), &'static str> {
    match status {
        Status::Held if starts > now + chrono::Duration::minutes(HELD_SLACK_MINUTES) => {
            Err("meeting.held_in_future")
        }
        Status::Planned if starts < start_of_day(now.with_timezone(&tz).date_naive(), tz) => {
            Err("meeting.planned_in_past")
        }
        _ => Ok(()),
    }
}

/// The last day of the week `today` is in (weeks run Monday to Sunday, as in Indonesia).
pub fn end_of_week(today: NaiveDate) -> NaiveDate {
    let days_to_sunday = 6 - today.weekday().num_days_from_monday();
    today + Days::new(u64::from(days_to_sunday))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    #[test]
    fn bod1_needs_a_decision_level_attendee_at_a_held_meeting() {
        assert!(has_decision_level([Level::Staff, Level::BodMinusOne]));
        assert!(has_decision_level([Level::Bod]));
        assert!(!has_decision_level([Level::Manager, Level::Staff]));
        assert!(!has_decision_level([]));
        assert!(counts_as_bod1(Status::Held, true));
        assert!(!counts_as_bod1(Status::Planned, true));
        assert!(!counts_as_bod1(Status::Cancelled, true));
        assert!(!counts_as_bod1(Status::Held, false));
    }

    #[test]
    fn a_late_evening_meeting_in_jakarta_belongs_to_its_local_month() {
        let jakarta = chrono_tz::Asia::Jakarta;
        // 23:30 WIB on 31 January is 16:30 UTC: January.
        let late = utc(2026, 1, 31, 16, 30);
        let jan = Month::containing(late, jakarta);
        assert_eq!(jan.first_day, NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
        assert!(jan.contains(late));
        // 00:30 WIB on 1 February is 17:30 UTC on 31 January: February, not January.
        let early = utc(2026, 1, 31, 17, 30);
        let feb = Month::containing(early, jakarta);
        assert_eq!(feb.first_day, NaiveDate::from_ymd_opt(2026, 2, 1).unwrap());
        assert!(!jan.contains(early));
        assert!(met_in(&feb, Some(early)));
        assert!(!met_in(&feb, Some(late)));
        assert!(!met_in(&feb, None));
        // The month starts at 17:00 UTC the day before.
        assert_eq!(feb.starts, utc(2026, 1, 31, 17, 0));
        assert_eq!(feb.ends, utc(2026, 2, 28, 17, 0));
    }

    #[test]
    fn month_boundaries_follow_another_zone_and_its_daylight_saving() {
        let ny = chrono_tz::America::New_York;
        // 22:30 EDT on 31 March is 02:30 UTC on 1 April: still March there.
        let at = utc(2026, 4, 1, 2, 30);
        let march = Month::containing(at, ny);
        assert_eq!(
            march.first_day,
            NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
        );
        // March starts in EST (UTC-5) and ends in EDT (UTC-4).
        assert_eq!(march.starts, utc(2026, 3, 1, 5, 0));
        assert_eq!(march.ends, utc(2026, 4, 1, 4, 0));
        assert!(march.contains(at));
        // In Jakarta the same instant is 09:30 on 1 April.
        assert_eq!(
            Month::containing(at, chrono_tz::Asia::Jakarta).first_day,
            NaiveDate::from_ymd_opt(2026, 4, 1).unwrap()
        );
        // December rolls into January of the next year.
        let dec = Month::containing(utc(2026, 12, 15, 12, 0), ny);
        assert_eq!(dec.ends, utc(2027, 1, 1, 5, 0));
    }

    #[test]
    fn held_meetings_have_happened_and_planned_ones_have_not() {
        let tz = chrono_tz::Asia::Jakarta;
        let now = utc(2026, 11, 25, 3, 0); // 10:00 WIB
        assert!(check_start(Status::Held, utc(2026, 11, 25, 2, 0), now, tz).is_ok());
        assert!(check_start(Status::Held, utc(2026, 11, 25, 3, 10), now, tz).is_ok());
        assert_eq!(
            check_start(Status::Held, utc(2026, 11, 26, 3, 0), now, tz),
            Err("meeting.held_in_future")
        );
        // Earlier today (08:00 WIB) may still be planned; yesterday may not.
        assert!(check_start(Status::Planned, utc(2026, 11, 25, 1, 0), now, tz).is_ok());
        assert_eq!(
            check_start(Status::Planned, utc(2026, 11, 24, 1, 0), now, tz),
            Err("meeting.planned_in_past")
        );
    }

    #[test]
    fn durations_and_local_times() {
        assert_eq!(Duration::parse("60").unwrap().minutes(), 60);
        for bad in ["0", "4", "721", "", "x"] {
            assert!(Duration::parse(bad).is_err(), "{bad}");
        }
        let tz = chrono_tz::Asia::Jakarta;
        let at = parse_local("2026-11-30T23:30", tz).unwrap();
        assert_eq!(at, utc(2026, 11, 30, 16, 30));
        assert_eq!(local_input(at, tz), "2026-11-30T23:30");
        assert_eq!(parse_local("", tz), Err("error.required"));
        assert_eq!(parse_local("30/11/2026", tz), Err("error.datetime_invalid"));
        assert_eq!(
            parse_local("-5000-01-01T10:00", tz),
            Err("error.date_range")
        );
        assert_eq!(parse_local("0001-01-01T00:00", tz), Err("error.date_range"));
    }

    #[test]
    fn weeks_end_on_sunday() {
        let wed = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        assert_eq!(
            end_of_week(wed),
            NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
        );
        let sun = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        assert_eq!(end_of_week(sun), sun);
    }

    #[test]
    fn every_value_has_a_label_in_the_catalogs() {
        let keys = Status::ALL
            .iter()
            .map(|v| v.label_key())
            .chain(Kind::ALL.iter().map(|v| v.label_key()))
            .chain(Channel::ALL.iter().map(|v| v.label_key()))
            .chain(Topic::ALL.iter().map(|v| v.label_key()))
            .chain(Sentiment::ALL.iter().map(|v| v.label_key()));
        for key in keys {
            assert!(crate::web::i18n::is_known_key(key), "{key}");
        }
    }
}
