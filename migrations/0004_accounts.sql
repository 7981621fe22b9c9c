-- Accounts: invitations instead of accounts made by tenant admins, a second factor, sign-in throttling
-- that holds under parallel guesses, and a runtime login that cannot leave row-level security.
--
-- The threat model is docs/security.md: the admin of one tenant is the attacker, and the database is
-- the last line that must hold when application code gets something wrong.

-- The runtime login -------------------------------------------------------------------------------
-- Until now the server logged in as the owner and switched to relasi_app with `set role`, which any
-- statement could undo with `reset role`. The server now logs in as relasi_app itself: the scripts
-- (scripts/lib/postgres.sh) give it LOGIN and a password. It owns nothing, cannot create roles and is
-- a member of no role, so there is no role to switch back to; `db::check_runtime_role` refuses to
-- serve otherwise. The owner keeps its membership in relasi_app (0001) only to inspect plans as that
-- role from psql. The server reads the migration history to refuse a schema older than its code.
grant select on _sqlx_migrations to relasi_app;

-- Requests that prove they hold an invitation's secret set its SHA-256 here (hex), which makes that
-- one invitation visible and lets it create an account and a membership — nothing else.
create function app_invitation_hash() returns bytea
    language sql stable parallel safe
    as $$ select decode(nullif(current_setting('app.invitation', true), ''), 'hex') $$;
grant execute on function app_invitation_hash() to relasi_app;

-- Second factor (TOTP, RFC 6238) ------------------------------------------------------------------
-- Per account, not per tenant: one person, one authenticator. The pending secret lives here between
-- showing the QR code and the first correct code; `totp_last_step` is the last time step a code was
-- accepted for, so a code (valid for its 30-second step and the neighbours) is never accepted twice.
alter table users
    add column totp_secret bytea,
    add column totp_pending_secret bytea,
    add column totp_enabled_at timestamptz,
    add column totp_last_step bigint not null default 0,
    add constraint users_totp_whole check ((totp_secret is null) = (totp_enabled_at is null));

-- A unit's name is how an invited person recognises it: no two units may share one (ignoring case), so
-- a unit cannot rename itself after another and invite people in under that name.
create unique index tenants_name_idx on tenants (lower(name));

-- Whether this tenant asks its people for a second factor at sign-in: nobody, admins, or everyone.
-- Existing tenants get the default, admins; `relasi seed --demo` creates the demo tenant with it off.
alter table tenants
    add column second_factor text not null default 'admins'
        check (second_factor in ('off', 'admins', 'everyone'));

-- Ten one-time recovery codes per account, for a lost phone. Only their SHA-256 is kept (they are 119
-- random bits each, so a fast hash is enough). A used code keeps its row, marked, so it stays used.
create table recovery_codes (
    user_id uuid not null references users (id),
    code_hash bytea not null,
    created_at timestamptz not null,
    used_at timestamptz,
    primary key (user_id, code_hash)
);

-- Memberships: a home branch office, and the last sign-in in this tenant (what a tenant's admin may
-- see of a person; their sign-ins elsewhere are not this tenant's business).
alter table memberships
    add column branch_id uuid,
    add column last_sign_in_at timestamptz,
    add constraint memberships_branch_fk foreign key (tenant_id, branch_id)
        references branch_offices (tenant_id, id);

-- Sessions: after a correct password, an account with a second factor holds a session that can do
-- one thing, answer the second-factor question; it is replaced by a new session when answered.
alter table sessions
    add column awaiting_second_factor boolean not null default false;

-- Invitations ----------------------------------------------------------------------------------------
-- A tenant's admin no longer creates accounts: they invite an email to the tenant with a role and a
-- branch. The invitation creates nothing by itself. Its link carries a 256-bit secret of which only
-- the SHA-256 is stored. Whoever opens the link either creates the account (no account has that email
-- yet) or must also sign in to the existing account to accept, so no tenant can hand anyone a
-- credential for a person who is or will be in another tenant.
create table invitations (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    email text not null check (email = lower(email) and length(email) between 3 and 254),
    role text not null check (role in ('admin', 'supervisor', 'rm', 'viewer')),
    branch_id uuid,
    token_hash bytea not null unique check (length(token_hash) = 32),
    -- Null when an operator invited from the command line.
    invited_by uuid references users (id),
    created_at timestamptz not null,
    expires_at timestamptz not null check (expires_at > created_at),
    accepted_at timestamptz,
    accepted_by uuid references users (id),
    revoked_at timestamptz,
    revoked_by uuid references users (id),
    primary key (tenant_id, id),
    foreign key (tenant_id, branch_id) references branch_offices (tenant_id, id),
    check (accepted_at is null or revoked_at is null),
    check ((accepted_at is null) = (accepted_by is null))
);
-- One open invitation per email and tenant: a new one replaces (revokes) the earlier in the same
-- transaction, so the admin never wonders which link is the good one.
create unique index invitations_open_email_idx on invitations (tenant_id, email)
    where accepted_at is null and revoked_at is null;
create index invitations_tenant_time_idx on invitations (tenant_id, created_at desc);

-- Counting memberships ------------------------------------------------------------------------------
-- `users.membership_count` decides whether a tenant's admin may reset a person's password or second
-- factor (only when the account belongs to their tenant alone). It used to be kept by application
-- code; now a trigger keeps it, so the runtime role needs no right to write it.
create function count_new_membership() returns trigger
    language plpgsql security definer set search_path = public, pg_temp
    as $$
begin
    update users set membership_count = membership_count + 1 where id = new.user_id;
    return null;
end
$$;
revoke all on function count_new_membership() from public;
create trigger memberships_counted after insert on memberships
    for each row execute function count_new_membership();

-- Row-level security on accounts --------------------------------------------------------------------
-- `users` is shared between tenants, not owned by one: its policies bind the runtime role, and the
-- owner (migrations and the counting trigger above) is not bound. Every tenant-owned table stays
-- forced.
alter table users no force row level security;

-- An account is created only by the person holding a pending invitation for its email, acting as the
-- new account itself.
drop policy user_insert on users;
create policy user_insert on users for insert
    with check (id = app_user_id()
                and exists (select 1 from invitations i
                             where i.token_hash = app_invitation_hash()
                               and i.email = users.email
                               and i.accepted_at is null and i.revoked_at is null));

-- A person changes their own account; a tenant changes only an account that belongs to it alone
-- (a password reset, clearing a lost second factor). An account shared with another tenant is out of
-- every tenant's reach.
drop policy user_update on users;
create policy user_update on users for update
    using (id = app_user_id()
           or (membership_count = 1
               and exists (select 1 from memberships m
                            where m.user_id = users.id and m.tenant_id = app_tenant_id())))
    with check (id = app_user_id()
                or (membership_count = 1
                    and exists (select 1 from memberships m
                                 where m.user_id = users.id and m.tenant_id = app_tenant_id())));

-- Column grants: what the runtime role may write of an account at all. Not the email (the identity),
-- not the membership count (the trigger's), not the creation time.
revoke insert, update on users from relasi_app;
grant insert (id, email, name, password_hash, must_change_password, password_changed_at, created_at,
              updated_at) on users to relasi_app;
grant update (password_hash, must_change_password, password_changed_at, last_sign_in_at, last_tenant_id,
              totp_secret, totp_pending_secret, totp_enabled_at, totp_last_step, updated_at, version)
    on users to relasi_app;

-- A membership is created only by the person themself, in the invitation's tenant, with the
-- invitation's role, while holding its secret. No tenant can put a person into itself.
drop policy membership_insert on memberships;
create policy membership_insert on memberships for insert
    with check (tenant_id = app_tenant_id()
                and user_id = app_user_id()
                and exists (select 1 from invitations i join users u on u.email = i.email
                             where i.tenant_id = memberships.tenant_id
                               and i.token_hash = app_invitation_hash()
                               and u.id = memberships.user_id
                               and i.role = memberships.role
                               and i.branch_id is not distinct from memberships.branch_id
                               and i.accepted_at is null and i.revoked_at is null));
revoke update on memberships from relasi_app;
grant update (role, branch_id, disabled_at, last_sign_in_at, updated_at, version) on memberships
    to relasi_app;

alter table invitations enable row level security;
alter table invitations force row level security;
create policy invitation_read on invitations for select
    using (tenant_id = app_tenant_id() or token_hash = app_invitation_hash());
create policy invitation_insert on invitations for insert
    with check (tenant_id = app_tenant_id());
create policy invitation_update on invitations for update
    using (tenant_id = app_tenant_id()) with check (tenant_id = app_tenant_id());
grant select, insert on invitations to relasi_app;
grant update (accepted_at, accepted_by, revoked_at, revoked_by) on invitations to relasi_app;

-- Recovery codes are the account's own: only the person reads, makes and uses them. A tenant that may
-- reset the account (it belongs to that tenant alone) may also delete them, to clear a lost factor.
alter table recovery_codes enable row level security;
alter table recovery_codes force row level security;
create policy recovery_codes_own on recovery_codes
    using (user_id = app_user_id()) with check (user_id = app_user_id());
create policy recovery_codes_cleared on recovery_codes for delete
    using (exists (select 1 from users u join memberships m on m.user_id = u.id
                    where u.id = recovery_codes.user_id and u.membership_count = 1
                      and m.tenant_id = app_tenant_id()));
grant select, insert, delete on recovery_codes to relasi_app;
grant update (used_at) on recovery_codes to relasi_app;

-- Sign-in throttling in one step ---------------------------------------------------------------------
-- Checking the lock, then verifying the password, then counting the failure let parallel guesses all
-- pass the check before the first was counted (15 at once gave 12 tries). Now every attempt is
-- counted *before* the password is verified, under the row's lock, and the answer says whether this
-- attempt may be tried at all: guesses are serialised on the row and exactly `p_max` get through. A
-- correct answer then clears the count (`login_succeeded`). The address limit works the same way,
-- serialised by an advisory lock on the address. Runs with the caller's rights.
create function login_attempt(p_email text, p_ip inet, p_now timestamptz, p_max integer,
                              p_lockout interval, p_ip_max integer, p_ip_window interval)
returns table (verdict text, lock_ends_at timestamptz)
language plpgsql
as $$
declare
    v_failures integer;
    v_until timestamptz;
    v_recent bigint;
begin
    if p_ip is not null then
        perform pg_advisory_xact_lock(hashtextextended(host(p_ip), 724102));
        select count(*) into v_recent from login_ip_failures f
         where f.ip = p_ip and f.failed_at > p_now - p_ip_window;
        if v_recent >= p_ip_max then
            return query select 'ip_blocked'::text, null::timestamptz;
            return;
        end if;
    end if;
    insert into login_failures (email, failures, last_failure_at) values (p_email, 0, p_now)
        on conflict (email) do nothing;
    select f.failures, f.locked_until into v_failures, v_until
      from login_failures f where f.email = p_email for update;
    if v_until > p_now then
        return query select 'locked'::text, v_until;
        return;
    end if;
    -- A lock that ran out starts the count again: each lock costs another p_max guesses.
    if v_until is not null then
        v_failures := 0;
    end if;
    v_failures := v_failures + 1;
    v_until := case when v_failures >= p_max then p_now + p_lockout end;
    update login_failures f set failures = v_failures, last_failure_at = p_now, locked_until = v_until
     where f.email = p_email;
    if p_ip is not null then
        insert into login_ip_failures (ip, failed_at) values (p_ip, p_now);
    end if;
    return query select 'allowed'::text, v_until;
end
$$;

-- The attempt was right: its count is taken back, for the email and for the address.
create function login_succeeded(p_email text, p_ip inet, p_at timestamptz) returns void
language sql
as $$
    delete from login_failures where email = p_email;
    delete from login_ip_failures
     where ctid = (select ctid from login_ip_failures where ip = p_ip and failed_at = p_at limit 1);
$$;
grant execute on function login_attempt(text, inet, timestamptz, integer, interval, integer, interval),
    login_succeeded(text, inet, timestamptz) to relasi_app;

-- Request ids ----------------------------------------------------------------------------------------
-- The server makes every request id itself; a caller's own id is kept apart, and only when it is a
-- UUID. Typed columns make a forged, oversized or malformed id impossible to store.
alter table audit_events
    alter column request_id type uuid
        using case when request_id ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                   then request_id::uuid end,
    add column caller_request_id uuid;

-- Sessions, read on every request -------------------------------------------------------------------
-- As in 0003, plus what the second factor needs: whether this session still awaits it, whether the
-- account has one, and what the tenant asks for.
drop function session_contexts(bytea);
create function session_contexts(p_token_hash bytea)
returns table (user_id uuid, session_tenant uuid, created_at timestamptz, last_seen_at timestamptz,
               awaiting_second_factor boolean, tenant_id uuid, tenant_slug text, tenant_name text,
               timezone text, default_language text, second_factor text, role text, user_name text,
               email text, must_change_password boolean, has_second_factor boolean)
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
        select s.user_id, s.tenant_id, s.created_at, s.last_seen_at, s.awaiting_second_factor, t.id,
               t.slug, t.name, t.timezone, t.default_language, t.second_factor, m.role, u.name, u.email,
               u.must_change_password, u.totp_enabled_at is not null
          from sessions s
          join users u on u.id = s.user_id
          left join memberships m on m.user_id = s.user_id and m.disabled_at is null
          left join tenants t on t.id = m.tenant_id
         where s.token_hash = p_token_hash
         order by t.name;
end
$$;
grant execute on function session_contexts(bytea) to relasi_app;
