-- Run once by the postgres image when its data volume is new (docker-compose.yml). Three roles, as
-- everywhere else (docs/operations.md): the cluster's superuser (the image's), the owner `relasi`
-- that applies migrations, and the runtime login `relasi_app` the server connects with, which owns
-- nothing, cannot create roles and is bound by row-level security. The passwords are the compose
-- file's examples; change them for anything but a local try-out.
create role relasi login createrole password 'relasi-owner';
create database relasi owner relasi;
create role relasi_app login nosuperuser nobypassrls noinherit password 'relasi-app';
