-- Employer search the way people search (docs/domain.md, "Search"): an employer's short name, its
-- initials ("BRIN" for "Badan Riset dan Inovasi Nasional") and any run of three or more digits of its
-- NPP find it, all through leakproof comparisons on btree indexes so that they stay index conditions
-- under row-level security (see 0002_employers.sql, "Name search").

-- Short name -------------------------------------------------------------------------------------------
-- What people call the employer ("BRIN", "Telkom", "KAI"). Its words are name tokens like the name's,
-- and so is the whole short name without its spaces and punctuation ("B.R.I." is also "bri").

alter table employers add column short_name text not null default '' check (length(short_name) <= 60);

-- The list shows the short name beside the name, so the list's covering indexes carry it too and a page
-- stays an index-only scan.
drop index employers_name_idx;
drop index employers_rm_idx;
drop index employers_branch_idx;
create index employers_name_idx on employers (tenant_id, name, id)
    include (npp, division_code, city, segment, institution_type, ownership, status, stage, rm_id,
             branch_id, updated_at, archived_at, short_name);
create index employers_rm_idx on employers (tenant_id, rm_id, name, id)
    include (npp, division_code, city, segment, institution_type, ownership, status, stage, branch_id,
             updated_at, archived_at, short_name);
create index employers_branch_idx on employers (tenant_id, branch_id, name, id)
    include (npp, division_code, city, segment, institution_type, ownership, status, stage, rm_id,
             updated_at, archived_at, short_name);

-- Initials ----------------------------------------------------------------------------------------------
-- The first character of each significant word, in order, when there are at least two such words.
-- Connecting words and legal forms are not significant: "PT Kereta Api Indonesia (Persero)" is "kai",
-- "Badan Pengawas Obat dan Makanan" is "bpom".
create function name_initials(name text) returns text
    language sql immutable parallel safe
    as $$
        select case when count(*) >= 2 then string_agg(left(w, 1), '' order by n) end
          from regexp_split_to_table(lower(name), '[^[:alnum:]]+') with ordinality as t (w, n)
         where w <> ''
           and w <> all (array[
                   -- connecting words
                   'dan', 'serta', 'atau', 'di', 'ke', 'dari', 'untuk', 'bagi', 'yang',
                   'and', 'of', 'the', 'for',
                   -- legal forms
                   'pt', 'tbk', 'cv', 'persero', 'perum', 'perumda', 'pd', 'ud', 'fa', 'ltd', 'inc'])
    $$;
grant execute on function name_initials(text) to relasi_app;

-- Name tokens of an employer: the words of its name, legal name and short name, and the short name
-- written together.
create function employer_name_tokens(name text, legal_name text, short_name text) returns text[]
    language sql immutable parallel safe
    as $$
        select coalesce(array_agg(distinct t), '{}')
          from (select unnest(name_tokens(name || ' ' || legal_name || ' ' || short_name))
                union all
                select regexp_replace(lower(short_name), '[^[:alnum:]]+', '', 'g')) as x (t)
         where t <> ''
    $$;

-- Search keys ------------------------------------------------------------------------------------------
-- Keys are matched differently from name tokens, so they live apart and a name word's prefix range never
-- walks them: the initials of the name and of the legal name match a search word exactly (a prefix
-- would let "b" or "br" match thousands of initials), and the NPP's suffixes of three digits or more
-- match a search of three or more digits by prefix, which makes it a substring match of the NPP
-- ("0051" is a prefix of the suffix "00512" of "10000512"). Digits-only keys are NPP suffixes; initials
-- have a letter unless every significant word of the name starts with a digit, and then they are digits
-- of the name, which a search of those digits may rightly find too.
create function employer_search_keys(name text, legal_name text, npp text) returns text[]
    language sql immutable parallel safe
    as $$
        select coalesce(array_agg(distinct k), '{}')
          from (select name_initials(name)
                union all
                select name_initials(legal_name)
                union all
                select substr(npp, p) from generate_series(1, length(npp) - 2) as p) as x (k)
         where k is not null
    $$;

create table employer_search_keys (
    tenant_id uuid not null,
    key text collate "C" not null,
    employer_id uuid not null,
    -- The list's sort key and archive state, as in employer_name_tokens.
    name text not null,
    archived boolean not null default false,
    primary key (tenant_id, employer_id, key),
    foreign key (tenant_id, employer_id) references employers (tenant_id, id) on delete cascade
);
create index employer_search_keys_search_idx on employer_search_keys (tenant_id, key, archived, name, employer_id);

alter table employer_search_keys enable row level security;
alter table employer_search_keys force row level security;
create policy tenant_isolation on employer_search_keys
    using (tenant_id = app_tenant_id()) with check (tenant_id = app_tenant_id());
grant select, insert, delete on employer_search_keys to relasi_app;

-- The triggers of 0002 keep both tables now, still set-based through the transition tables.
create or replace function employer_tokens_inserted() returns trigger
    language plpgsql as $$
begin
    insert into employer_name_tokens (tenant_id, token, employer_id, name, archived)
    select n.tenant_id, t, n.id, n.name, n.archived_at is not null
      from new_rows n, unnest(employer_name_tokens(n.name, n.legal_name, n.short_name)) as t
    on conflict do nothing;
    insert into employer_search_keys (tenant_id, key, employer_id, name, archived)
    select n.tenant_id, k, n.id, n.name, n.archived_at is not null
      from new_rows n, unnest(employer_search_keys(n.name, n.legal_name, n.npp)) as k
    on conflict do nothing;
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
           is distinct from (o.name, o.legal_name, o.short_name, o.archived_at is null)
    on conflict do nothing;
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
           is distinct from (o.name, o.legal_name, o.npp, o.archived_at is null)
    on conflict do nothing;
    return null;
end
$$;

-- Keys of the employers already saved, in one statement. Row-level security binds the owner too, so it
-- is lifted for this statement's tables within this migration's transaction and forced again after.
alter table employers no force row level security;
alter table employer_search_keys no force row level security;
insert into employer_search_keys (tenant_id, key, employer_id, name, archived)
select e.tenant_id, k, e.id, e.name, e.archived_at is not null
  from employers e, unnest(employer_search_keys(e.name, e.legal_name, e.npp)) as k
on conflict do nothing;
alter table employers force row level security;
alter table employer_search_keys force row level security;
analyze employer_search_keys;
