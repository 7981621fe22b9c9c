-- An import the admin gives up before committing it is discarded: it stays in the history with who and
-- when (its audit event), and its stored file goes. A refused file's pieces go at once: nothing reads
-- them again.
alter table imports drop constraint imports_state_check;
alter table imports add constraint imports_state_check
    check (state in ('refused', 'mapping', 'validating', 'validated', 'committing', 'committed', 'failed',
                     'discarded'));
grant delete on import_file_chunks to relasi_app;
