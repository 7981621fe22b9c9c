-- Contributions (iuran) per employer and month, the tenant's holiday calendar that due dates and letter
-- deadlines count working days against, and each employer's arrears summary for the list.
-- Same isolation model as before: `tenant_id`, forced row-level security, tenant-inclusive keys.

-- Holidays --------------------------------------------------------------------------------------------
-- Days off besides Saturdays and Sundays (national holidays, collective leave). The working-day
-- calendar (src/working_days/) reads them; due dates move past them.
create table holidays (
    tenant_id uuid not null references tenants (id),
    day date not null check (day between date '1900-01-01' and date '2100-12-31'),
    name text not null check (length(name) between 1 and 200),
    created_at timestamptz not null,
    primary key (tenant_id, day)
);

-- Contribution periods --------------------------------------------------------------------------------
-- One row per employer and month. Money is numeric (rupiah with two decimals), never floating point.
-- `due_on` is the period's due date as the working-day calendar computes it (the 15th of the next
-- month, moved to the next working day); it is kept on the row so that every figure below is plain
-- SQL, and rewritten for the whole tenant when the holiday calendar changes.
create table contribution_periods (
    tenant_id uuid not null,
    employer_id uuid not null,
    -- The first day of the month the contributions are for.
    period date not null check (extract(day from period) = 1)
        check (period between date '1990-01-01' and date '2100-12-01'),
    workers_reported integer not null check (workers_reported between 0 and 10000000),
    wages_reported numeric(18, 2) not null check (wages_reported >= 0 and wages_reported < 1e15),
    amount_due numeric(18, 2) not null check (amount_due >= 0 and amount_due < 1e15),
    amount_paid numeric(18, 2) not null default 0 check (amount_paid >= 0 and amount_paid < 1e15),
    -- When the last payment came; none while nothing is paid.
    paid_on date check (paid_on between date '1990-01-01' and date '2100-12-31'),
    check ((amount_paid = 0) = (paid_on is null)),
    due_on date not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    version integer not null default 1,
    primary key (tenant_id, employer_id, period),
    foreign key (tenant_id, employer_id) references employers (tenant_id, id)
);
-- Recomputing due dates after a holiday change reads one period across the tenant.
create index contribution_periods_period_idx on contribution_periods (tenant_id, period);
-- Periods not paid in full: the arrears summary reads only these (most periods are paid).
create index contribution_periods_unpaid_idx on contribution_periods (tenant_id, employer_id, period)
    include (due_on, amount_due, amount_paid)
    where amount_paid < amount_due;

-- Started months of delay between a due date and a payment (or today): one day late is one started
-- month, exactly one month late is still one, a day more is two. The late-fine estimate counts these.
create function started_months(due date, paid date) returns integer
    language sql immutable parallel safe
    as $$
        select case when paid <= due then 0
               else (extract(year from paid)::int * 12 + extract(month from paid)::int)
                  - (extract(year from due)::int * 12 + extract(month from due)::int)
                  + case when extract(day from paid) > extract(day from due) then 1 else 0 end
               end
    $$;
grant execute on function started_months(date, date) to relasi_app;

-- The arrears summary on the employer --------------------------------------------------------------------
-- Kept by src/contributions/service.rs in the transaction that saves a period, and for the whole
-- tenant when a due date passes (the periods that became past due) or the holidays change. The list
-- filters and sorts on it without reading contribution periods.
alter table employers
    add column arrears_total numeric(18, 2) not null default 0 check (arrears_total >= 0),
    add column arrears_months smallint not null default 0 check (arrears_months >= 0);

-- The list's covering indexes (0008) gain the arrears column the list shows.
drop index employers_name_idx;
drop index employers_rm_idx;
drop index employers_branch_idx;
create index employers_name_idx on employers (tenant_id, name, id)
    include (npp, division_code, city, segment, institution_type, ownership, status, stage, rm_id,
             branch_id, updated_at, archived_at, short_name, last_bod1_meeting_at, arrears_total,
             arrears_months);
create index employers_rm_idx on employers (tenant_id, rm_id, name, id)
    include (npp, division_code, city, segment, institution_type, ownership, status, stage, branch_id,
             updated_at, archived_at, short_name, last_bod1_meeting_at, arrears_total, arrears_months);
create index employers_branch_idx on employers (tenant_id, branch_id, name, id)
    include (npp, division_code, city, segment, institution_type, ownership, status, stage, rm_id,
             updated_at, archived_at, short_name, last_bod1_meeting_at, arrears_total, arrears_months);
-- "My month" shows each employer's arrears from its own index-only scan (0003).
drop index employers_cadence_idx;
create index employers_cadence_idx on employers (tenant_id, rm_id, last_bod1_meeting_at nulls first, name, id)
    include (npp, division_code, status, next_planned_meeting_at, arrears_total, arrears_months)
    where archived_at is null and status <> 'closed';
-- "Largest arrears first", with or without the "in arrears" filter (which stops at the first zero).
create index employers_arrears_idx on employers (tenant_id, arrears_total desc, id)
    where archived_at is null;

-- When each tenant's summary was last brought up to date (the day, in the tenant's zone).
create table arrears_refreshes (
    tenant_id uuid primary key references tenants (id),
    as_of date not null
);

alter table holidays enable row level security;
alter table holidays force row level security;
create policy tenant_isolation on holidays
    using (tenant_id = app_tenant_id()) with check (tenant_id = app_tenant_id());

alter table contribution_periods enable row level security;
alter table contribution_periods force row level security;
create policy tenant_isolation on contribution_periods
    using (tenant_id = app_tenant_id()) with check (tenant_id = app_tenant_id());

alter table arrears_refreshes enable row level security;
alter table arrears_refreshes force row level security;
create policy tenant_isolation on arrears_refreshes
    using (tenant_id = app_tenant_id()) with check (tenant_id = app_tenant_id());

grant select, insert, delete on holidays to relasi_app;
grant select, insert, update on contribution_periods to relasi_app;
grant select, insert, update on arrears_refreshes to relasi_app;

-- The background refresh visits every tenant; the runtime role sees only the tenant it acts for, so it
-- learns their ids and zones (nothing else) from this function.
create function tenants_for_background() returns table (id uuid, timezone text)
    language sql stable security definer set search_path = public
    as $$ select id, timezone from tenants order by id $$;
revoke execute on function tenants_for_background() from public;
grant execute on function tenants_for_background() to relasi_app;
