-- Meetings with employers, who attended them, the follow-ups they lead to, and each user's secret
-- calendar feed. Same isolation model as before: `tenant_id`, forced row-level security, composite keys
-- and tenant-inclusive foreign keys.

-- Meetings ------------------------------------------------------------------------------------------

create table meetings (
    tenant_id uuid not null,
    id uuid not null,
    -- Fixed once saved: a meeting with the wrong employer is archived and logged again.
    employer_id uuid not null,
    status text not null check (status in ('planned', 'held', 'cancelled')),
    starts_at timestamptz not null,
    duration_minutes smallint not null check (duration_minutes between 5 and 720),
    kind text not null
        check (kind in ('coordination', 'lunch_meeting', 'power_lunch', 'site_visit', 'socialization',
                        'phone_call', 'other')),
    channel text not null check (channel in ('in_person', 'online')),
    location text not null default '' check (length(location) <= 300),
    topics text[] not null default '{}'
        check (topics <@ array['compliance', 'arrears', 'registration', 'supply_chain', 'sertakan',
                               'regulation_education', 'agreement', 'service', 'other']),
    summary text not null default '' check (length(summary) <= 5000),
    outcomes text not null default '' check (length(outcomes) <= 5000),
    commitments text not null default '' check (length(commitments) <= 5000),
    sentiment text check (sentiment in ('positive', 'neutral', 'negative')),
    -- A held meeting says what happened.
    check (status <> 'held' or length(summary) > 0),
    cancel_reason text not null default '' check (length(cancel_reason) <= 500),
    check (status = 'cancelled' or cancel_reason = ''),
    -- Whether an employer attendee sat at BOD or BOD-1 level when the meeting was saved; kept by the
    -- application with the attendees in one transaction. A held meeting with it is a BOD-1 meeting.
    decision_level boolean not null default false,
    logged_by uuid not null,
    archived_at timestamptz,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    version integer not null default 1,
    primary key (tenant_id, id),
    -- The target of the attendees' and follow-ups' same-employer keys.
    unique (tenant_id, employer_id, id),
    foreign key (tenant_id, employer_id) references employers (tenant_id, id),
    foreign key (tenant_id, logged_by) references memberships (tenant_id, user_id)
);
-- The employer page's timeline, newest first.
create index meetings_employer_idx on meetings (tenant_id, employer_id, starts_at desc);
-- The next planned meeting of an employer, and a user's planned meetings (the calendar feed).
create index meetings_planned_idx on meetings (tenant_id, employer_id, starts_at)
    where status = 'planned' and archived_at is null;
create index meetings_logged_by_planned_idx on meetings (tenant_id, logged_by, starts_at)
    where status = 'planned' and archived_at is null;

-- Attendees from the employer: key persons of the same employer (the composite keys make an attendee
-- from another employer impossible), with their level at the time of the meeting so that a later
-- promotion or departure does not rewrite which meetings counted as BOD-1.
create table meeting_attendees (
    tenant_id uuid not null,
    meeting_id uuid not null,
    employer_id uuid not null,
    key_person_id uuid not null,
    level text not null check (level in ('bod', 'bod_minus_one', 'manager', 'staff')),
    primary key (tenant_id, meeting_id, key_person_id),
    foreign key (tenant_id, employer_id, meeting_id) references meetings (tenant_id, employer_id, id)
        on delete cascade,
    foreign key (tenant_id, employer_id, key_person_id) references key_persons (tenant_id, employer_id, id)
);
create index meeting_attendees_person_idx on meeting_attendees (tenant_id, key_person_id);

-- Attendees from the agency: members of the tenant.
create table meeting_staff (
    tenant_id uuid not null,
    meeting_id uuid not null,
    user_id uuid not null,
    primary key (tenant_id, meeting_id, user_id),
    foreign key (tenant_id, meeting_id) references meetings (tenant_id, id) on delete cascade,
    foreign key (tenant_id, user_id) references memberships (tenant_id, user_id)
);
create index meeting_staff_user_idx on meeting_staff (tenant_id, user_id);

-- The monthly cadence, kept on the employer by the code that saves meetings, in the same transaction:
-- the start of its latest held BOD-1 meeting and of its next planned one. "My month" sorts an RM's
-- portfolio by the first (never met and longest ago first) and lists the second; reading both from
-- one index beats looking up every employer's meetings (an RM at the large data set holds ~740).
alter table employers add column last_bod1_meeting_at timestamptz;
alter table employers add column next_planned_meeting_at timestamptz;
create index employers_cadence_idx on employers (tenant_id, rm_id, last_bod1_meeting_at nulls first, name, id)
    include (npp, division_code, status, next_planned_meeting_at)
    where archived_at is null and status <> 'closed';
create index employers_next_planned_idx on employers (tenant_id, rm_id, next_planned_meeting_at)
    include (name)
    where next_planned_meeting_at is not null and archived_at is null and status <> 'closed';

-- Follow-ups ----------------------------------------------------------------------------------------

create table follow_ups (
    tenant_id uuid not null,
    id uuid not null,
    employer_id uuid not null,
    -- The meeting whose commitments it came from, when there was one (same employer).
    meeting_id uuid,
    title text not null check (length(title) between 1 and 300),
    assignee_id uuid not null,
    due_on date not null,
    notes text not null default '' check (length(notes) <= 5000),
    done_at timestamptz,
    done_by uuid,
    check ((done_at is null) = (done_by is null)),
    created_by uuid not null,
    archived_at timestamptz,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    version integer not null default 1,
    primary key (tenant_id, id),
    foreign key (tenant_id, employer_id) references employers (tenant_id, id),
    foreign key (tenant_id, employer_id, meeting_id) references meetings (tenant_id, employer_id, id),
    foreign key (tenant_id, assignee_id) references memberships (tenant_id, user_id),
    foreign key (tenant_id, done_by) references memberships (tenant_id, user_id),
    foreign key (tenant_id, created_by) references memberships (tenant_id, user_id)
);
-- Open follow-ups by assignee and due date ("mine", due this week, overdue, the calendar feed).
create index follow_ups_open_assignee_idx on follow_ups (tenant_id, assignee_id, due_on)
    where done_at is null and archived_at is null;
create index follow_ups_open_due_idx on follow_ups (tenant_id, due_on)
    where done_at is null and archived_at is null;
create index follow_ups_employer_idx on follow_ups (tenant_id, employer_id, due_on);
-- "My month" counts each listed employer's open and overdue follow-ups from this index alone.
create index follow_ups_open_employer_idx on follow_ups (tenant_id, employer_id, due_on)
    where done_at is null and archived_at is null;
create index follow_ups_meeting_idx on follow_ups (tenant_id, meeting_id) where meeting_id is not null;

-- Calendar feeds ------------------------------------------------------------------------------------
-- One secret URL per user and tenant. Only the SHA-256 of the secret is stored, as for sessions;
-- regenerating replaces the row, which kills the old URL.

create table calendar_feeds (
    tenant_id uuid not null,
    user_id uuid not null,
    secret_hash bytea not null unique,
    created_at timestamptz not null,
    primary key (tenant_id, user_id),
    foreign key (tenant_id, user_id) references memberships (tenant_id, user_id)
);

-- Row-level security -------------------------------------------------------------------------------

alter table meetings enable row level security;
alter table meetings force row level security;
create policy tenant_isolation on meetings
    using (tenant_id = app_tenant_id()) with check (tenant_id = app_tenant_id());

alter table meeting_attendees enable row level security;
alter table meeting_attendees force row level security;
create policy tenant_isolation on meeting_attendees
    using (tenant_id = app_tenant_id()) with check (tenant_id = app_tenant_id());

alter table meeting_staff enable row level security;
alter table meeting_staff force row level security;
create policy tenant_isolation on meeting_staff
    using (tenant_id = app_tenant_id()) with check (tenant_id = app_tenant_id());

alter table follow_ups enable row level security;
alter table follow_ups force row level security;
create policy tenant_isolation on follow_ups
    using (tenant_id = app_tenant_id()) with check (tenant_id = app_tenant_id());

alter table calendar_feeds enable row level security;
alter table calendar_feeds force row level security;
create policy tenant_isolation on calendar_feeds
    using (tenant_id = app_tenant_id()) with check (tenant_id = app_tenant_id());

grant select, insert, update on meetings, follow_ups to relasi_app;
-- Attendee sets are replaced on edit; the meeting's audit events keep who attended before.
grant select, insert, delete on meeting_attendees, meeting_staff to relasi_app;
grant select, insert, update, delete on calendar_feeds to relasi_app;

-- Sessions ------------------------------------------------------------------------------------------
-- Every signed-in request starts by reading its session and the user's enabled memberships. As
-- separate statements this needs a transaction, because the memberships' policy reads the
-- transaction-local acting user: BEGIN, the session, the memberships, COMMIT — four round trips on
-- every page. This function does it in one statement outside any explicit transaction: it sets the
-- acting user local to that statement's own transaction, then reads. It runs with the caller's rights (the policies
-- apply) and needs the session's token hash, which only the cookie's holder can produce.
create function session_contexts(p_token_hash bytea)
returns table (user_id uuid, session_tenant uuid, created_at timestamptz, last_seen_at timestamptz,
               tenant_id uuid, tenant_slug text, tenant_name text, timezone text,
               default_language text, role text, user_name text, email text,
               must_change_password boolean)
language plpgsql
as $$
#variable_conflict use_column
declare
    v_user uuid;
begin
    select s.user_id into v_user from sessions s where s.token_hash = p_token_hash;
    if v_user is null then
        return;
    end if;
    perform set_config('app.user_id', v_user::text, true);
    return query
        select s.user_id, s.tenant_id, s.created_at, s.last_seen_at, t.id, t.slug, t.name, t.timezone,
               t.default_language, m.role, u.name, u.email, u.must_change_password
          from sessions s
          join users u on u.id = s.user_id
          left join memberships m on m.user_id = s.user_id and m.disabled_at is null
          left join tenants t on t.id = m.tenant_id
         where s.token_hash = p_token_hash
         order by t.name;
end
$$;
grant execute on function session_contexts(bytea) to relasi_app;
