-- `tenants_for_background()` (0009_contributions.sql) runs as its owner, and row-level security on
-- `tenants` is forced, so it bound the owner too: the function listed no tenant, and the daily arrears
-- refresh visited none. This policy lets the function's owner (the role that runs the migrations, never
-- the runtime role) read every tenant row; the function still hands out only ids and time zones.
do $$
begin
    execute format('create policy background_listing on tenants for select to %I using (true)',
                   (select r.rolname from pg_proc p join pg_roles r on r.oid = p.proowner
                     where p.proname = 'tenants_for_background'));
end
$$;
