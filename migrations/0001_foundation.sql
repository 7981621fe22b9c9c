-- Foundation: tenants, people, sessions, sign-in throttling and the audit trail.
--
-- The isolation model (docs/architecture.md):
--   * Every tenant-owned table carries `tenant_id`, has row-level security enabled AND forced (so even
--     the owner is filtered), and one policy `tenant_id = app_tenant_id()` for reading and writing.
--   * `app_tenant_id()` reads the transaction-local setting `app.tenant_id`, which `db::tenant_tx`
--     sets with `set_config(..., true)`. An unset or empty setting means "no tenant": every policy then
--     matches nothing, so a forgotten `tenant_tx` fails closed.
--   * The server's pooled connections act as `relasi_app`: not a superuser, no BYPASSRLS, owns nothing.
--     The server checks this at start-up and refuses to serve otherwise.
--   * Tenant-owned tables use composite keys `(tenant_id, id)` and tenant-inclusive foreign keys, so a
--     row of one tenant can never point at a row of another.

-- The unprivileged runtime role. It cannot log in by itself: the server connects as a login role that
-- may `set role relasi_app` (the owner by default, or a dedicated login in production).
do $$
begin
    if not exists (select from pg_roles where rolname = 'relasi_app') then
        create role relasi_app nologin nosuperuser nobypassrls noinherit;
    end if;
end
$$;
grant relasi_app to current_user;
grant usage on schema public to relasi_app;

-- Request-scoped settings. `nullif(..., '')` matters: once a setting has been set in a session,
-- PostgreSQL returns '' (not null) for it after the transaction ends, and ''::uuid would raise.
create function app_tenant_id() returns uuid
    language sql stable parallel safe
    as $$ select nullif(current_setting('app.tenant_id', true), '')::uuid $$;

-- The signed-in user: lets a user see their own memberships in every tenant (the tenant switcher).
create function app_user_id() returns uuid
    language sql stable parallel safe
    as $$ select nullif(current_setting('app.user_id', true), '')::uuid $$;

-- An email the caller typed in full (sign-in, adding an existing person to a tenant): makes exactly that
-- one account visible, and nothing else.
create function app_lookup_email() returns text
    language sql stable parallel safe
    as $$ select nullif(current_setting('app.lookup_email', true), '') $$;

-- A tenant slug typed in full on the command line (`relasi user create --tenant demo`).
create function app_lookup_slug() returns text
    language sql stable parallel safe
    as $$ select nullif(current_setting('app.lookup_slug', true), '') $$;

grant execute on function app_tenant_id(), app_user_id(), app_lookup_email(), app_lookup_slug() to relasi_app;

-- Tenants ------------------------------------------------------------------------------------------

create table tenants (
    id uuid primary key,
    slug text not null unique
        check (slug ~ '^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$'),
    name text not null check (length(name) between 1 and 200),
    -- An IANA zone name; the application validates it against its zone database.
    timezone text not null default 'Asia/Jakarta' check (length(timezone) between 1 and 64),
    default_language text not null default 'id' check (default_language in ('id', 'en')),
    -- Letterhead printed on compliance letters.
    letterhead_office text not null default '',
    letterhead_address text not null default '',
    letterhead_city text not null default '',
    letterhead_phone text not null default '',
    letterhead_email text not null default '',
    letterhead_signatory_name text not null default '',
    letterhead_signatory_title text not null default '',
    created_at timestamptz not null,
    updated_at timestamptz not null,
    version integer not null default 1
);

-- Users ------------------------------------------------------------------------------------------
-- A person, independent of any tenant: one email, one password, several memberships.

create table users (
    id uuid primary key,
    -- Stored lowercased and trimmed by `Email::parse`; the unique index makes sign-in unambiguous.
    email text not null unique check (email = lower(email) and length(email) between 3 and 254),
    name text not null check (length(name) between 1 and 200),
    password_hash text not null,
    -- Set for one-time passwords handed out by an admin: the next sign-in must choose a new one.
    must_change_password boolean not null default false,
    password_changed_at timestamptz,
    last_sign_in_at timestamptz,
    -- Where a person who belongs to several tenants starts after signing in: where they last worked.
    last_tenant_id uuid references tenants (id),
    -- How many tenants the person belongs to, kept by the code that adds memberships. An admin of one
    -- tenant may reset the password only of people who belong to no other tenant (row-level security
    -- hides the other memberships, so the count is kept here).
    membership_count integer not null default 0 check (membership_count >= 0),
    created_at timestamptz not null,
    updated_at timestamptz not null,
    version integer not null default 1
);

-- Memberships: a user's role in one tenant. Disabling is per tenant and ends that tenant's sessions.
create table memberships (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    user_id uuid not null references users (id),
    role text not null check (role in ('admin', 'supervisor', 'rm', 'viewer')),
    disabled_at timestamptz,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    version integer not null default 1,
    primary key (tenant_id, id),
    unique (tenant_id, user_id)
);
create index memberships_user_idx on memberships (user_id);

-- Branch offices (kantor cabang) ---------------------------------------------------------------

create table branch_offices (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    -- e.g. KC-SDM. Unique in the tenant, archived or not, because letters print it in their numbers.
    code text not null check (code ~ '^[A-Z0-9]([A-Z0-9-]{0,18}[A-Z0-9])?$'),
    name text not null check (length(name) between 1 and 200),
    region text not null default '',
    address text not null default '',
    archived_at timestamptz,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    version integer not null default 1,
    primary key (tenant_id, id),
    unique (tenant_id, code)
);

-- Sessions ---------------------------------------------------------------------------------------
-- Only the SHA-256 of the cookie's secret is stored, so a leaked table cannot be replayed. Sessions
-- are infrastructure, not tenant data: one session may switch between the user's tenants.

create table sessions (
    token_hash bytea primary key,
    user_id uuid not null references users (id) on delete cascade,
    -- The active tenant; always checked against an enabled membership on every request.
    tenant_id uuid references tenants (id),
    created_at timestamptz not null,
    last_seen_at timestamptz not null,
    ip inet,
    user_agent text not null default ''
);
create index sessions_user_idx on sessions (user_id);
create index sessions_last_seen_idx on sessions (last_seen_at);

-- Sign-in throttling -----------------------------------------------------------------------------
-- Kept in the database so that the limits hold across several servers. Keyed by the typed email (not
-- by user id) so that unknown addresses lock exactly like known ones and reveal nothing.

create table login_failures (
    email text primary key,
    failures integer not null check (failures >= 0),
    last_failure_at timestamptz not null,
    locked_until timestamptz
);

create table login_ip_failures (
    ip inet not null,
    failed_at timestamptz not null
);
create index login_ip_failures_idx on login_ip_failures (ip, failed_at);

-- Audit trail ------------------------------------------------------------------------------------
-- Append-only: the runtime role may insert and select, never update or delete (see the grants below).

create table audit_events (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    occurred_at timestamptz not null,
    actor_id uuid references users (id),
    -- Who acted when there is no user: the email typed at a failed sign-in, or 'cli'.
    actor_label text not null default '',
    action text not null check (action ~ '^[a-z_]+\.[a-z_]+$'),
    entity_type text not null,
    entity_id uuid,
    -- {"field": {"old": …, "new": …}, …}
    changes jsonb not null default '{}',
    ip inet,
    request_id text,
    primary key (tenant_id, id)
);
create index audit_events_time_idx on audit_events (tenant_id, occurred_at desc, id);
create index audit_events_entity_idx on audit_events (tenant_id, entity_type, entity_id, occurred_at desc);
create index audit_events_actor_idx on audit_events (tenant_id, actor_id, occurred_at desc);

-- Row-level security -----------------------------------------------------------------------------

alter table tenants enable row level security;
alter table tenants force row level security;
-- A tenant is visible inside its own transactions, and to its members for the tenant switcher.
create policy tenant_self on tenants
    using (id = app_tenant_id()
           or slug = app_lookup_slug()
           or exists (select 1 from memberships m
                      where m.tenant_id = tenants.id and m.user_id = app_user_id()))
    with check (id = app_tenant_id());

alter table memberships enable row level security;
alter table memberships force row level security;
create policy membership_read on memberships for select
    using (tenant_id = app_tenant_id() or user_id = app_user_id());
create policy membership_insert on memberships for insert
    with check (tenant_id = app_tenant_id());
create policy membership_update on memberships for update
    using (tenant_id = app_tenant_id())
    with check (tenant_id = app_tenant_id());

alter table users enable row level security;
alter table users force row level security;
-- A user row is visible to the user, to an exact-email lookup, and inside a tenant it belongs to.
create policy user_read on users for select
    using (id = app_user_id()
           or email = app_lookup_email()
           or exists (select 1 from memberships m
                      where m.user_id = users.id and m.tenant_id = app_tenant_id()));
create policy user_insert on users for insert with check (true);
create policy user_update on users for update
    using (id = app_user_id()
           or exists (select 1 from memberships m
                      where m.user_id = users.id and m.tenant_id = app_tenant_id()));

alter table branch_offices enable row level security;
alter table branch_offices force row level security;
create policy tenant_isolation on branch_offices
    using (tenant_id = app_tenant_id())
    with check (tenant_id = app_tenant_id());

alter table audit_events enable row level security;
alter table audit_events force row level security;
create policy tenant_isolation on audit_events
    using (tenant_id = app_tenant_id())
    with check (tenant_id = app_tenant_id());

-- Grants for the runtime role ------------------------------------------------------------------

grant select, insert, update on tenants, users, memberships, branch_offices to relasi_app;
grant select, insert, update, delete on sessions, login_failures, login_ip_failures to relasi_app;
grant select, insert on audit_events to relasi_app;
