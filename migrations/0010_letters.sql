-- Compliance letters: drafted, approved internally, numbered, sent, acknowledged, resolved or escalated
-- (docs/domain.md, "Letters"). Same isolation model as before: `tenant_id`, forced row-level security,
-- tenant-inclusive keys.

-- Settings per tenant ---------------------------------------------------------------------------------
-- The number format and, per kind, what an admin changed from the built-in defaults
-- (src/letters/domain.rs): its code in numbers, response days, legal basis and wording per language.
create table letter_settings (
    tenant_id uuid primary key references tenants (id),
    number_format text not null check (length(number_format) between 1 and 200),
    kinds jsonb not null default '{}' check (jsonb_typeof(kinds) = 'object' and length(kinds::text) <= 600000),
    updated_at timestamptz not null,
    version integer not null default 1
);

-- Letters ---------------------------------------------------------------------------------------------
create table letters (
    tenant_id uuid not null,
    id uuid not null,
    employer_id uuid not null,
    kind text not null check (kind in ('notification', 'warning_1', 'warning_2', 'inspection_referral',
                                       'legal_referral')),
    reason text not null check (reason in ('arrears', 'pds_workforce', 'pds_wages', 'pds_program',
                                           'not_registered', 'data_update', 'other')),
    state text not null check (state in ('draft', 'submitted', 'returned', 'approved', 'sent',
                                         'acknowledged', 'resolved', 'escalated', 'cancelled')),
    language text not null check (language in ('id', 'en', 'both')),
    subject_id text not null default '' check (length(subject_id) <= 300),
    subject_en text not null default '' check (length(subject_en) <= 300),
    body_id text not null default '' check (length(body_id) <= 20000),
    body_en text not null default '' check (length(body_en) <= 20000),
    legal_basis text not null default '' check (length(legal_basis) <= 2000),
    -- The unpaid past-due months when the letter was drafted: kept, so that later payments never
    -- rewrite what a letter said.
    arrears jsonb not null default '[]' check (jsonb_typeof(arrears) = 'array'),
    arrears_total numeric(18, 2) not null default 0 check (arrears_total >= 0),
    response_days smallint not null check (response_days between 1 and 90),
    -- The letter this one escalates (one later letter per earlier one).
    previous_id uuid,
    -- A supervisor's written reason to send a second warning without a sent first one.
    override_note text not null default '' check (length(override_note) <= 2000),
    override_by uuid,
    check ((override_by is null) = (override_note = '')),
    drafted_by uuid not null,
    approved_by uuid,
    check (approved_by is null or approved_by <> drafted_by),
    number text check (length(number) <= 200),
    number_year smallint,
    number_seq integer check (number_seq > 0),
    check ((number is null) = (number_seq is null) and (number is null) = (number_year is null)),
    sent_on date,
    response_due_on date,
    acknowledged_on date,
    check ((sent_on is null) = (response_due_on is null)),
    state_since timestamptz not null,
    submitted_at timestamptz,
    approved_at timestamptz,
    sent_at timestamptz,
    closed_at timestamptz,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    version integer not null default 1,
    primary key (tenant_id, id),
    unique (tenant_id, previous_id),
    unique (tenant_id, kind, number_year, number_seq),
    foreign key (tenant_id, employer_id) references employers (tenant_id, id),
    foreign key (tenant_id, previous_id) references letters (tenant_id, id),
    foreign key (tenant_id, drafted_by) references memberships (tenant_id, user_id),
    foreign key (tenant_id, approved_by) references memberships (tenant_id, user_id),
    foreign key (tenant_id, override_by) references memberships (tenant_id, user_id)
);
-- The employer page's letters, newest first.
create index letters_employer_idx on letters (tenant_id, employer_id, created_at desc);
-- The pipeline's columns and the approval queue: open letters by state, oldest first, with what the
-- filters read.
create index letters_open_idx on letters (tenant_id, state, state_since, id)
    include (kind, reason, employer_id, drafted_by, response_due_on)
    where state not in ('resolved', 'escalated', 'cancelled');
-- "My month": a person's open letters (drafts to finish, approved letters to send, overdue ones).
create index letters_drafter_idx on letters (tenant_id, drafted_by, state_since)
    include (state, response_due_on)
    where state not in ('resolved', 'escalated', 'cancelled');
-- Listing one state: open ones longest waiting first, final ones latest first.
create index letters_state_idx on letters (tenant_id, state, state_since, id);
-- Cycle times: letters sent, and letters resolved, in a month.
create index letters_sent_idx on letters (tenant_id, sent_at) include (kind, created_at)
    where sent_at is not null;
create index letters_closed_idx on letters (tenant_id, closed_at) include (state, kind, reason, sent_at)
    where closed_at is not null;

-- Every transition, with who, when and why. Append-only for the runtime role.
create table letter_events (
    tenant_id uuid not null,
    id bigint generated always as identity,
    letter_id uuid not null,
    at timestamptz not null,
    from_state text check (from_state in ('draft', 'submitted', 'returned', 'approved', 'sent',
                                          'acknowledged', 'resolved', 'escalated', 'cancelled')),
    to_state text not null check (to_state in ('draft', 'submitted', 'returned', 'approved', 'sent',
                                               'acknowledged', 'resolved', 'escalated', 'cancelled')),
    actor_id uuid not null,
    note text not null default '' check (length(note) <= 2000),
    primary key (tenant_id, id),
    foreign key (tenant_id, letter_id) references letters (tenant_id, id),
    foreign key (tenant_id, actor_id) references memberships (tenant_id, user_id)
);
create index letter_events_letter_idx on letter_events (tenant_id, letter_id, at, id);

-- The last number given per kind and year: approval increments it in its own transaction, so numbers
-- are gapless (a rolled-back approval gives its number back) and never shared (the row lock
-- serialises approvals of one kind and year).
create table letter_counters (
    tenant_id uuid not null references tenants (id),
    kind text not null,
    year smallint not null,
    last_seq integer not null check (last_seq > 0),
    primary key (tenant_id, kind, year)
);

alter table letter_settings enable row level security;
alter table letter_settings force row level security;
create policy tenant_isolation on letter_settings
    using (tenant_id = app_tenant_id()) with check (tenant_id = app_tenant_id());

alter table letters enable row level security;
alter table letters force row level security;
create policy tenant_isolation on letters
    using (tenant_id = app_tenant_id()) with check (tenant_id = app_tenant_id());

alter table letter_events enable row level security;
alter table letter_events force row level security;
create policy tenant_isolation on letter_events
    using (tenant_id = app_tenant_id()) with check (tenant_id = app_tenant_id());

alter table letter_counters enable row level security;
alter table letter_counters force row level security;
create policy tenant_isolation on letter_counters
    using (tenant_id = app_tenant_id()) with check (tenant_id = app_tenant_id());

grant select, insert, update on letter_settings, letters, letter_counters to relasi_app;
grant select, insert on letter_events to relasi_app;
