-- Erasure reaches every event that names the person ---------------------------------------------------
-- 0002's erase_key_person_from_audit scrubs the erased person's own events (their name, email and
-- phone). Other events name them too, by the name they had then: a meeting's attendees, a colleague's
-- "reports to", another person's "moved to" (docs/domain.md, "Key persons"). The audit log shows those
-- values, so erasure now scrubs them as well: every name the person's own events ever recorded is
-- replaced by the placeholder wherever it stands as a whole entry of those lists (", "-separated, as
-- `audit::domain::joined` writes them). A namesake in the same list is scrubbed too: erasure errs on
-- the side of the person. Events erased before this migration keep what they held, since their names
-- are no longer known.

-- `value` (a JSON text, or anything else left as it is) with every whole entry equal to one of `names`
-- replaced by `placeholder`. Names may themselves hold ", " ("Dr. Budi, M.Sc."): entries are matched
-- with their separators rather than split.
create function scrub_names(value jsonb, names text[], placeholder text) returns jsonb
    language plpgsql immutable set search_path = public, pg_temp
    as $$
    declare
        padded text;
        name text;
    begin
        if jsonb_typeof(value) is distinct from 'string' then
            return value;
        end if;
        padded := ', ' || (value #>> '{}') || ', ';
        foreach name in array names loop
            -- Twice, for the same name twice in a row (the separator between them is shared).
            padded := replace(padded, ', ' || name || ', ', ', ' || placeholder || ', ');
            padded := replace(padded, ', ' || name || ', ', ', ' || placeholder || ', ');
        end loop;
        return to_jsonb(substr(padded, 3, length(padded) - 4));
    end
    $$;
revoke all on function scrub_names(jsonb, text[], text) from public;

create or replace function erase_key_person_from_audit(person uuid, placeholder text) returns integer
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        employer uuid;
        names text[];
        own integer;
        others integer;
    begin
        select k.employer_id into employer from key_persons k where k.id = person;
        -- Every name the person was recorded under, read before their own events are scrubbed.
        select coalesce(array_agg(distinct x.name), '{}') into names
          from audit_events a
         cross join lateral jsonb_each(a.changes) as e(k, v)
         cross join lateral (values (e.v ->> 'old'), (e.v ->> 'new')) as x(name)
         where a.tenant_id = app_tenant_id()
           and a.entity_type = 'key_person'
           and a.entity_id = person
           and e.k = 'full_name'
           and x.name is not null and x.name <> '' and x.name <> placeholder;

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
           and a.entity_id = person;
        get diagnostics own = row_count;

        if cardinality(names) = 0 then
            return own;
        end if;
        -- Attendees and reporting lines stay within the person's employer; "moved to" names a person
        -- at another employer, so it is looked for across the tenant.
        update audit_events a
           set changes = (
               select jsonb_object_agg(k, case
                          when k in ('attendees', 'reports_to', 'moved_to') and jsonb_typeof(v) = 'object'
                          then jsonb_build_object('old', scrub_names(v -> 'old', names, placeholder),
                                                  'new', scrub_names(v -> 'new', names, placeholder))
                          else v end)
                 from jsonb_each(a.changes) as e(k, v))
         where a.tenant_id = app_tenant_id()
           and a.entity_type in ('meeting', 'key_person')
           and (a.employer_id = employer or a.changes ? 'moved_to')
           and exists (select 1
                         from jsonb_each(a.changes) as e(k, v)
                        cross join unnest(names) as n(name)
                        cross join lateral (values (e.v ->> 'old'), (e.v ->> 'new')) as x(value)
                        where e.k in ('attendees', 'reports_to', 'moved_to')
                          and strpos(', ' || x.value || ', ', ', ' || n.name || ', ') > 0);
        get diagnostics others = row_count;
        return own + others;
    end
    $$;
revoke all on function erase_key_person_from_audit(uuid, text) from public;
grant execute on function erase_key_person_from_audit(uuid, text) to relasi_app;
