-- The signatory's title in English, for English letters and beside the Indonesian title on bilingual
-- ones (src/letters/web/print.rs). Empty: letters show the Indonesian title alone.
alter table tenants add column letterhead_signatory_title_en text not null default '';
