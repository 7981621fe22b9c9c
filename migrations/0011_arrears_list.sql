-- "Largest arrears first" reads its page from employers_arrears_idx (0009). The index gains the
-- columns the list shows and filters on, as the list's other indexes hold them (0008), so that a page
-- is an index-only scan instead of fifty reads of scattered table rows.
drop index employers_arrears_idx;
create index employers_arrears_idx on employers (tenant_id, arrears_total desc, id)
    include (npp, division_code, name, city, segment, institution_type, ownership, status, stage, rm_id,
             branch_id, updated_at, archived_at, short_name, last_bod1_meeting_at, arrears_months)
    where archived_at is null;
