-- Employers and institutions, their key persons, supply-chain links, tags, and the search tokens that
-- keep name search fast under row-level security.
--
-- Every table follows the foundation's isolation model: `tenant_id`, forced row-level security with
-- the policy `tenant_id = app_tenant_id()`, composite keys and tenant-inclusive foreign keys.

-- Name search -------------------------------------------------------------------------------------
-- `ILIKE` and trigram matching are not LEAKPROOF, so under row-level security PostgreSQL applies them
-- only after the tenant filter and cannot use an index for them (measured: 30 requests/s instead of
-- 1,000). Names are therefore split into lowercase words kept in token tables with a btree index in
-- the "C" collation; a search word matches by the leakproof range `token >= w and token < w || U+10FFFF`,
-- which is an index condition even with row-level security on. The index also holds the sort key, so a
-- page of results is read in order, a few rows per distinct word, instead of sorting every match.

create function name_tokens(name text) returns text[]
    language sql immutable parallel safe
    as $$
        select coalesce(array_agg(distinct t), '{}')
          from regexp_split_to_table(lower(name), '[^[:alnum:]]+') as t
         where t <> ''
    $$;
grant execute on function name_tokens(text) to relasi_app;

-- Employers -----------------------------------------------------------------------------------------

create table employers (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    -- Nomor Pendaftaran Perusahaan: 8 digits kept as text (leading zeros matter); null for an employer
    -- that must register but has not (a prospect).
    npp text check (npp ~ '^[0-9]{8}$'),
    -- Optional division code after the NPP (e.g. a regional division of one company).
    division_code text not null default '' check (division_code ~ '^[0-9A-Z]{0,5}$'),
    check (npp is not null or division_code = ''),
    -- NPWP, always the 16-digit form (a 15-digit NPWP is stored with a leading 0).
    npwp text check (npwp ~ '^[0-9]{16}$'),
    nib text check (nib ~ '^[0-9]{13}$'),
    name text not null check (length(name) between 1 and 200),
    legal_name text not null default '' check (length(legal_name) <= 200),
    address text not null default '',
    city text not null default '',
    province text not null default '',
    -- Normalised by the application to +62…
    phone text check (phone ~ '^\+62[0-9]{6,13}$'),
    website text not null default '',
    segment text not null check (segment in ('corporate', 'institution', 'construction', 'migrant')),
    institution_type text check (institution_type in ('ministry', 'agency', 'local_government', 'other')),
    -- Only institutions have a type, and every institution has one.
    check ((segment = 'institution') = (institution_type is not null)),
    ownership text not null
        check (ownership in ('private_domestic', 'foreign', 'state_owned', 'regional_owned', 'government')),
    -- ISO 3166 alpha-2 country of origin, for foreign-owned companies.
    country text check (country ~ '^[A-Z]{2}$'),
    scale text check (scale in ('large', 'medium', 'small', 'micro')),
    industry text not null default '',
    risk_band text check (risk_band in ('very_low', 'low', 'medium', 'high', 'very_high')),
    programs text[] not null default '{}'
        check (programs <@ array['JKK', 'JKM', 'JHT', 'JP', 'JKP']),
    workers_reported integer check (workers_reported >= 0),
    workforce_estimate integer check (workforce_estimate >= 0),
    status text not null default 'prospect' check (status in ('prospect', 'active', 'inactive', 'closed')),
    stage text not null default 'approach'
        check (stage in ('approach', 'discussion', 'committed', 'implementing', 'monitoring', 'paused', 'rejected')),
    stage_entered_on date not null,
    -- Only a paused or rejected engagement has a reason and a date to try again.
    stage_reason text not null default '',
    revisit_on date,
    check (stage in ('paused', 'rejected') or (stage_reason = '' and revisit_on is null)),
    regulation_briefing_on date,
    rm_id uuid,
    branch_id uuid,
    approach_notes text not null default '',
    archived_at timestamptz,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    version integer not null default 1,
    primary key (tenant_id, id),
    -- The assigned RM must be a member of the same tenant.
    foreign key (tenant_id, rm_id) references memberships (tenant_id, user_id),
    foreign key (tenant_id, branch_id) references branch_offices (tenant_id, id)
);

-- An NPP (with its division) names one employer in a tenant; prospects without an NPP do not clash.
create unique index employers_npp_key on employers (tenant_id, npp, division_code) where npp is not null;
create index employers_npwp_idx on employers (tenant_id, npwp) where npwp is not null;
-- The list page: sorted by name, filtered by a few columns. Each index includes every column the list
-- shows or filters on, so a page is an index-only scan: a selective filter (one branch and one stage)
-- skips non-matching rows inside the index instead of reading each from the table.
create index employers_name_idx on employers (tenant_id, name, id)
    include (npp, division_code, city, segment, institution_type, ownership, status, stage, rm_id,
             branch_id, updated_at, archived_at);
create index employers_rm_idx on employers (tenant_id, rm_id, name, id)
    include (npp, division_code, city, segment, institution_type, ownership, status, stage, branch_id,
             updated_at, archived_at);
create index employers_branch_idx on employers (tenant_id, branch_id, name, id)
    include (npp, division_code, city, segment, institution_type, ownership, status, stage, rm_id,
             updated_at, archived_at);
create index employers_updated_idx on employers (tenant_id, updated_at desc, id);

create table employer_tags (
    tenant_id uuid not null,
    employer_id uuid not null,
    tag text not null check (tag ~ '^[a-z0-9][a-z0-9-]{0,39}$'),
    primary key (tenant_id, employer_id, tag),
    foreign key (tenant_id, employer_id) references employers (tenant_id, id) on delete cascade
);
create index employer_tags_tag_idx on employer_tags (tenant_id, tag, employer_id);

create table employer_name_tokens (
    tenant_id uuid not null,
    token text collate "C" not null,
    employer_id uuid not null,
    -- Copies of the employer's name (the list's sort key) and archive state, so a search reads one
    -- word's matches in list order from the index alone and stops after a page.
    name text not null,
    archived boolean not null default false,
    primary key (tenant_id, employer_id, token),
    foreign key (tenant_id, employer_id) references employers (tenant_id, id) on delete cascade
);
-- A search word's matches in name order: for each distinct token in the word's prefix range, the first
-- rows of this index are the first rows of the page.
create index employer_name_tokens_search_idx on employer_name_tokens (tenant_id, token, archived, name, employer_id);

-- The tokens follow the name and legal name. Statement-level triggers with transition tables keep
-- this set-based: a bulk load of 100,000 employers is one insert into the token table.
create function employer_tokens_inserted() returns trigger
    language plpgsql as $$
begin
    insert into employer_name_tokens (tenant_id, token, employer_id, name, archived)
    select n.tenant_id, t, n.id, n.name, n.archived_at is not null
      from new_rows n, unnest(name_tokens(n.name || ' ' || n.legal_name)) as t
    on conflict do nothing;
    return null;
end
$$;

create function employer_tokens_updated() returns trigger
    language plpgsql as $$
begin
    delete from employer_name_tokens x
     using new_rows n join old_rows o on o.tenant_id = n.tenant_id and o.id = n.id
     where (n.name, n.legal_name, n.archived_at is null) is distinct from (o.name, o.legal_name, o.archived_at is null)
       and x.tenant_id = n.tenant_id and x.employer_id = n.id;
    insert into employer_name_tokens (tenant_id, token, employer_id, name, archived)
    select n.tenant_id, t, n.id, n.name, n.archived_at is not null
      from new_rows n join old_rows o on o.tenant_id = n.tenant_id and o.id = n.id,
           unnest(name_tokens(n.name || ' ' || n.legal_name)) as t
     where (n.name, n.legal_name, n.archived_at is null) is distinct from (o.name, o.legal_name, o.archived_at is null)
    on conflict do nothing;
    return null;
end
$$;

create trigger employers_tokens_insert after insert on employers
    referencing new table as new_rows for each statement execute function employer_tokens_inserted();
create trigger employers_tokens_update after update on employers
    referencing old table as old_rows new table as new_rows
    for each statement execute function employer_tokens_updated();

-- Key persons -----------------------------------------------------------------------------------------

create table key_persons (
    tenant_id uuid not null,
    id uuid not null,
    employer_id uuid not null,
    full_name text not null check (length(full_name) between 1 and 200),
    position_title text not null default '',
    level text not null check (level in ('bod', 'bod_minus_one', 'manager', 'staff')),
    department text not null default '',
    email text check (email = lower(email)),
    phone text check (phone ~ '^\+62[0-9]{6,13}$'),
    influence smallint not null default 3 check (influence between 1 and 5),
    roles text[] not null default '{}'
        check (roles <@ array['decision_maker', 'champion', 'gatekeeper', 'finance', 'hr']),
    is_primary boolean not null default false,
    reports_to_id uuid,
    active_since date,
    left_on date,
    left_reason text not null default '',
    -- Where they went: free text, or their new key-person record at another employer.
    moved_to_text text not null default '',
    moved_to_id uuid,
    check (left_on is not null or (left_reason = '' and moved_to_text = '' and moved_to_id is null)),
    -- UU PDP (Law 27/2022): why we may hold this person's data, and where it came from.
    legal_basis text not null default 'legitimate_interest'
        check (legal_basis in ('public_task', 'legitimate_interest', 'consent')),
    consent_at timestamptz,
    check ((legal_basis = 'consent') = (consent_at is not null)),
    source text not null default '',
    erased_at timestamptz,
    archived_at timestamptz,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    version integer not null default 1,
    primary key (tenant_id, id),
    -- The target of the same-employer reports-to key below.
    unique (tenant_id, employer_id, id),
    foreign key (tenant_id, employer_id) references employers (tenant_id, id),
    -- Reports-to includes the employer, so a person can only report to someone at the same employer.
    foreign key (tenant_id, employer_id, reports_to_id) references key_persons (tenant_id, employer_id, id),
    foreign key (tenant_id, moved_to_id) references key_persons (tenant_id, id),
    check (reports_to_id <> id),
    check (moved_to_id <> id),
    -- A primary contact is a current one.
    check (not is_primary or (left_on is null and archived_at is null))
);
-- At most one primary contact per employer, whoever writes concurrently.
create unique index key_persons_one_primary on key_persons (tenant_id, employer_id) where is_primary;
create index key_persons_employer_idx on key_persons (tenant_id, employer_id, full_name);

create table key_person_name_tokens (
    tenant_id uuid not null,
    token text collate "C" not null,
    key_person_id uuid not null,
    -- The sort key of the search results, as for employers.
    full_name text not null,
    primary key (tenant_id, key_person_id, token),
    foreign key (tenant_id, key_person_id) references key_persons (tenant_id, id) on delete cascade
);
create index key_person_name_tokens_search_idx on key_person_name_tokens (tenant_id, token, full_name, key_person_id);

create function key_person_tokens_inserted() returns trigger
    language plpgsql as $$
begin
    insert into key_person_name_tokens (tenant_id, token, key_person_id, full_name)
    select n.tenant_id, t, n.id, n.full_name
      from new_rows n, unnest(name_tokens(n.full_name)) as t
    on conflict do nothing;
    return null;
end
$$;

create function key_person_tokens_updated() returns trigger
    language plpgsql as $$
begin
    delete from key_person_name_tokens x
     using new_rows n join old_rows o on o.tenant_id = n.tenant_id and o.id = n.id
     where n.full_name is distinct from o.full_name
       and x.tenant_id = n.tenant_id and x.key_person_id = n.id;
    insert into key_person_name_tokens (tenant_id, token, key_person_id, full_name)
    select n.tenant_id, t, n.id, n.full_name
      from new_rows n join old_rows o on o.tenant_id = n.tenant_id and o.id = n.id,
           unnest(name_tokens(n.full_name)) as t
     where n.full_name is distinct from o.full_name
    on conflict do nothing;
    return null;
end
$$;

create trigger key_persons_tokens_insert after insert on key_persons
    referencing new table as new_rows for each statement execute function key_person_tokens_inserted();
create trigger key_persons_tokens_update after update on key_persons
    referencing old table as old_rows new table as new_rows
    for each statement execute function key_person_tokens_updated();

-- Supply-chain links ----------------------------------------------------------------------------------

create table supply_chain_links (
    tenant_id uuid not null,
    id uuid not null,
    parent_id uuid not null,
    member_id uuid not null,
    relation text not null check (relation in ('subsidiary', 'vendor', 'contractor', 'partner')),
    started_on date,
    notes text not null default '',
    -- Removing a link keeps it for the history.
    removed_at timestamptz,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    version integer not null default 1,
    primary key (tenant_id, id),
    foreign key (tenant_id, parent_id) references employers (tenant_id, id),
    foreign key (tenant_id, member_id) references employers (tenant_id, id),
    check (parent_id <> member_id)
);
-- One current link per parent and member. Subsidiary cycles are refused by the application inside the
-- inserting transaction, under a per-tenant advisory lock (a constraint cannot see a whole chain).
create unique index supply_chain_links_pair on supply_chain_links (tenant_id, parent_id, member_id)
    where removed_at is null;
create index supply_chain_links_member_idx on supply_chain_links (tenant_id, member_id)
    where removed_at is null;

-- History on the employer page ---------------------------------------------------------------------------
-- An audit event names the employer it belongs to (and, for a link, the other employer), so an
-- employer's history is one indexed read instead of a scan of the tenant's whole trail.

alter table audit_events add column employer_id uuid, add column related_employer_id uuid;
create index audit_events_employer_idx on audit_events (tenant_id, employer_id, occurred_at desc)
    where employer_id is not null;
create index audit_events_related_employer_idx on audit_events (tenant_id, related_employer_id, occurred_at desc)
    where related_employer_id is not null;

-- Erasure (UU PDP): the runtime role may not update the audit trail, but an erased person's name, email
-- and phone must leave its stored values too. This one function may, and only for that person's
-- fields, only in the caller's tenant (the owner is filtered by row-level security as well).
create function erase_key_person_from_audit(person uuid, placeholder text) returns integer
    language sql security definer set search_path = public, pg_temp
    as $$
        with scrubbed as (
            update audit_events a
               set changes = (
                   select coalesce(jsonb_object_agg(k, case
                              when k in ('full_name', 'email', 'phone') then jsonb_build_object(
                                  'old', case when v -> 'old' = 'null'::jsonb then v -> 'old' else to_jsonb(placeholder) end,
                                  'new', case when v -> 'new' = 'null'::jsonb then v -> 'new' else to_jsonb(placeholder) end)
                              else v end), '{}'::jsonb)
                     from jsonb_each(a.changes) as e(k, v))
             where a.tenant_id = app_tenant_id()
               and a.entity_type = 'key_person'
               and a.entity_id = person
            returning 1)
        select count(*)::integer from scrubbed
    $$;
revoke all on function erase_key_person_from_audit(uuid, text) from public;
grant execute on function erase_key_person_from_audit(uuid, text) to relasi_app;

-- Row-level security -------------------------------------------------------------------------------

alter table employers enable row level security;
alter table employers force row level security;
create policy tenant_isolation on employers
    using (tenant_id = app_tenant_id()) with check (tenant_id = app_tenant_id());

alter table employer_tags enable row level security;
alter table employer_tags force row level security;
create policy tenant_isolation on employer_tags
    using (tenant_id = app_tenant_id()) with check (tenant_id = app_tenant_id());

alter table employer_name_tokens enable row level security;
alter table employer_name_tokens force row level security;
create policy tenant_isolation on employer_name_tokens
    using (tenant_id = app_tenant_id()) with check (tenant_id = app_tenant_id());

alter table key_persons enable row level security;
alter table key_persons force row level security;
create policy tenant_isolation on key_persons
    using (tenant_id = app_tenant_id()) with check (tenant_id = app_tenant_id());

alter table key_person_name_tokens enable row level security;
alter table key_person_name_tokens force row level security;
create policy tenant_isolation on key_person_name_tokens
    using (tenant_id = app_tenant_id()) with check (tenant_id = app_tenant_id());

alter table supply_chain_links enable row level security;
alter table supply_chain_links force row level security;
create policy tenant_isolation on supply_chain_links
    using (tenant_id = app_tenant_id()) with check (tenant_id = app_tenant_id());

grant select, insert, update on employers, key_persons, supply_chain_links to relasi_app;
grant select, insert, delete on employer_tags, employer_name_tokens, key_person_name_tokens to relasi_app;
