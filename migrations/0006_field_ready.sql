-- The employer list sorts by the last BOD-1 meeting (longest without one first), for the whole unit as
-- well as one RM's portfolio (employers_cadence_idx in 0003 serves the latter).
create index employers_last_met_idx on employers (tenant_id, last_bod1_meeting_at nulls first, name, id)
    where archived_at is null;

-- A phone call goes through its own channel. Calls logged before with the form's default channel
-- ("in person") are corrected; the rule that keeps kinds and channels consistent is
-- `meetings::domain::Kind::channels`.
alter table meetings drop constraint meetings_channel_check;
alter table meetings add constraint meetings_channel_check check (channel in ('in_person', 'online', 'phone'));
alter table meetings no force row level security;
update meetings set channel = 'phone' where kind = 'phone_call' and channel <> 'phone';
update meetings set channel = 'in_person'
 where kind in ('site_visit', 'lunch_meeting', 'power_lunch') and channel <> 'in_person';
alter table meetings force row level security;
