-- How many stored employers an import gives another name (docs/imports.md, "Renamed employers"). A
-- file whose NPPs lost a leading zero or carry a mistyped digit matches other companies by NPP, and
-- the first sign of it is a change of name; the check says how many before anything is written.
alter table imports add column renamed integer not null default 0 check (renamed >= 0);
