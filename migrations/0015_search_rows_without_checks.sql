-- The search tables (0002_employers.sql, 0005_search.sql) hold rows derived from employers and key
-- persons, written only by the triggers below. An import of 100,000 new employers writes about 1.2
-- million of them, and two per-row costs that bought nothing made up a third of that import's time:
--
-- * the foreign key of each search row to its employer or key person, checked row by row (10 s of
--   the import): the triggers write search rows only for rows they were given, and the application
--   never deletes employers or key persons, so the statement-level triggers below take over the
--   cascade for whoever does;
-- * `on conflict do nothing` on the inserts (a speculative insertion each): the rows of a new
--   employer cannot be there yet, and after the update triggers' delete neither can a changed one's;
--   the token and key arrays hold no duplicates (0014_search_key_functions.sql).

alter table employer_name_tokens drop constraint employer_name_tokens_tenant_id_employer_id_fkey;
alter table employer_search_keys drop constraint employer_search_keys_tenant_id_employer_id_fkey;
alter table key_person_name_tokens drop constraint key_person_name_tokens_tenant_id_key_person_id_fkey;

create or replace function employer_tokens_inserted() returns trigger
    language plpgsql as $$
begin
    insert into employer_name_tokens (tenant_id, token, employer_id, name, archived)
    select n.tenant_id, t, n.id, n.name, n.archived_at is not null
      from new_rows n, unnest(employer_name_tokens(n.name, n.legal_name, n.short_name)) as t;
    insert into employer_search_keys (tenant_id, key, employer_id, name, archived)
    select n.tenant_id, k, n.id, n.name, n.archived_at is not null
      from new_rows n, unnest(employer_search_keys(n.name, n.legal_name, n.npp)) as k;
    return null;
end
$$;

create or replace function employer_tokens_updated() returns trigger
    language plpgsql as $$
begin
    delete from employer_name_tokens x
     using new_rows n join old_rows o on o.tenant_id = n.tenant_id and o.id = n.id
     where (n.name, n.legal_name, n.short_name, n.archived_at is null)
           is distinct from (o.name, o.legal_name, o.short_name, o.archived_at is null)
       and x.tenant_id = n.tenant_id and x.employer_id = n.id;
    insert into employer_name_tokens (tenant_id, token, employer_id, name, archived)
    select n.tenant_id, t, n.id, n.name, n.archived_at is not null
      from new_rows n join old_rows o on o.tenant_id = n.tenant_id and o.id = n.id,
           unnest(employer_name_tokens(n.name, n.legal_name, n.short_name)) as t
     where (n.name, n.legal_name, n.short_name, n.archived_at is null)
           is distinct from (o.name, o.legal_name, o.short_name, o.archived_at is null);
    delete from employer_search_keys x
     using new_rows n join old_rows o on o.tenant_id = n.tenant_id and o.id = n.id
     where (n.name, n.legal_name, n.npp, n.archived_at is null)
           is distinct from (o.name, o.legal_name, o.npp, o.archived_at is null)
       and x.tenant_id = n.tenant_id and x.employer_id = n.id;
    insert into employer_search_keys (tenant_id, key, employer_id, name, archived)
    select n.tenant_id, k, n.id, n.name, n.archived_at is not null
      from new_rows n join old_rows o on o.tenant_id = n.tenant_id and o.id = n.id,
           unnest(employer_search_keys(n.name, n.legal_name, n.npp)) as k
     where (n.name, n.legal_name, n.npp, n.archived_at is null)
           is distinct from (o.name, o.legal_name, o.npp, o.archived_at is null);
    return null;
end
$$;

create function employer_tokens_deleted() returns trigger
    language plpgsql as $$
begin
    delete from employer_name_tokens x using old_rows o
     where x.tenant_id = o.tenant_id and x.employer_id = o.id;
    delete from employer_search_keys x using old_rows o
     where x.tenant_id = o.tenant_id and x.employer_id = o.id;
    return null;
end
$$;

create trigger employers_tokens_delete after delete on employers
    referencing old table as old_rows for each statement execute function employer_tokens_deleted();

create or replace function key_person_tokens_inserted() returns trigger
    language plpgsql as $$
begin
    insert into key_person_name_tokens (tenant_id, token, key_person_id, full_name)
    select n.tenant_id, t, n.id, n.full_name
      from new_rows n, unnest(name_tokens(n.full_name)) as t;
    return null;
end
$$;

create or replace function key_person_tokens_updated() returns trigger
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
     where n.full_name is distinct from o.full_name;
    return null;
end
$$;

create function key_person_tokens_deleted() returns trigger
    language plpgsql as $$
begin
    delete from key_person_name_tokens x using old_rows o
     where x.tenant_id = o.tenant_id and x.key_person_id = o.id;
    return null;
end
$$;

create trigger key_persons_tokens_delete after delete on key_persons
    referencing old table as old_rows for each statement execute function key_person_tokens_deleted();
