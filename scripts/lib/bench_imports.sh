# The import benchmark, sourced by scripts/bench (which sets $bin, $su_url, DATABASE_URL and
# RELASI_OWNER_DATABASE_URL): 100,000 generated employers imported from CSV and from XLSX into fresh
# tenants, the CSV imported again, and a plain `psql \copy` of the same file into a bare table of
# text columns in the same run. Sets $import_lines (markdown table rows) and $import_note.

bench_imports() {
  local dir="$PWD/.data/pg-bench/imports" rows=100000 rm=rm@bench-import.relasi.example
  mkdir -p "$dir"
  if [ ! -f "$dir/employers.csv" ]; then
    pg_log "Generating $rows employers for the import benchmark"
    python3 bench/import_employers.py "$dir" "$rows" "$rm"
  fi
  local db="${su_url%/*}/relasi_bench"
  for slug in bench-import-csv bench-import-xlsx; do
    local t
    t=$("$(pg_bin_dir)/psql" -qtA "$db" -c "select id from tenants where slug = '$slug'")
    if [ -z "$t" ]; then
      $bin tenant create --slug "$slug" --name "Benchmark import ($slug)" >/dev/null
      t=$("$(pg_bin_dir)/psql" -qtA "$db" -c "select id from tenants where slug = '$slug'")
    fi
    # The previous run's rows go, as the superuser (the application never deletes these).
    "$(pg_bin_dir)/psql" -qtA "$db" -c "begin;
      delete from audit_events where tenant_id = '$t';
      delete from import_problems where tenant_id = '$t';
      delete from import_file_chunks where tenant_id = '$t';
      delete from imports where tenant_id = '$t';
      delete from job_progress where tenant_id = '$t';
      delete from jobs where tenant_id = '$t';
      delete from employer_name_tokens where tenant_id = '$t';
      delete from employer_search_keys where tenant_id = '$t';
      delete from employers where tenant_id = '$t';
      commit;" >/dev/null
    "$(pg_bin_dir)/psql" -qtA "$db" -c "vacuum (analyze) employers, employer_name_tokens, employer_search_keys, audit_events" >/dev/null
    $bin user create --tenant "$slug" --email "$rm" --name "RM Impor" --role rm >/dev/null 2>&1 || true
    RELASI_LOG=error $bin import branch_offices "$dir/branches.csv" --tenant "$slug" >/dev/null
  done

  # One import, timed as a whole process: wall seconds and peak resident memory.
  timed_import() {
    RELASI_LOG=error /usr/bin/time -f "%e %M" -o "$dir/time" $bin import employers "$1" --tenant "$2" > "$dir/out"
    read -r secs kb < "$dir/time"
    summary=$(tail -1 "$dir/out")
  }
  local lines=()
  pg_log "Import: CSV into an empty tenant"
  timed_import "$dir/employers.csv" bench-import-csv
  lines+=("| CSV, $rows new employers (validate + commit) | $secs s | $(awk -v r=$rows -v s="$secs" 'BEGIN {printf "%.0f", r / s}') | $(( kb / 1024 )) MB | ${summary#*: } |")
  local csv_rate
  csv_rate=$(awk -v r=$rows -v s="$secs" 'BEGIN {printf "%.1f", r / s}')
  pg_log "Import: XLSX into an empty tenant"
  timed_import "$dir/employers.xlsx" bench-import-xlsx
  lines+=("| XLSX, the same rows (validate + commit) | $secs s | $(awk -v r=$rows -v s="$secs" 'BEGIN {printf "%.0f", r / s}') | $(( kb / 1024 )) MB | ${summary#*: } |")
  pg_log "Import: the CSV again"
  timed_import "$dir/employers.csv" bench-import-csv
  lines+=("| CSV again (nothing to change) | $secs s | $(awk -v r=$rows -v s="$secs" 'BEGIN {printf "%.0f", r / s}') | $(( kb / 1024 )) MB | ${summary#*: } |")

  # The baseline: the same rows copied by `psql \copy` into a bare copy of the employers table (its
  # columns, defaults and indexes; no triggers, checks, foreign keys or row-level security) in the
  # same tenant, with the file's codes and labels kept as text where the table holds ids or arrays.
  pg_log "Raw COPY of the same file"
  local t
  t=$("$(pg_bin_dir)/psql" -qtA "$db" -c "select id from tenants where slug = 'bench-import-csv'")
  "$(pg_bin_dir)/psql" -qtA "$db" -c "drop table if exists bench_raw_copy" \
    -c "create table bench_raw_copy (like employers including defaults including indexes)" \
    -c "alter table bench_raw_copy alter tenant_id set default '$t', alter id set default gen_random_uuid(),
          alter stage_entered_on set default current_date, alter created_at set default now(),
          alter updated_at set default now(), alter rm_id type text, alter branch_id type text,
          alter programs drop default, alter programs type text, alter workforce_estimate type text" >/dev/null
  local started ended copy_secs
  started=$(date +%s.%N)
  "$(pg_bin_dir)/psql" -qtA "$db" -c "\\copy bench_raw_copy (npp, name, npwp, branch_id, rm_id, segment, ownership, address, city, province, scale, programs, workforce_estimate, status) from '$dir/employers.csv' with (format csv, header true, delimiter ';')" >/dev/null
  ended=$(date +%s.%N)
  copy_secs=$(awk -v a="$started" -v b="$ended" 'BEGIN {printf "%.2f", b - a}')
  "$(pg_bin_dir)/psql" -qtA "$db" -c "drop table bench_raw_copy" >/dev/null
  lines+=("| \`psql \\copy\` of the same CSV into a bare copy of the employers table (its indexes, no triggers) | $copy_secs s | $(awk -v r=$rows -v s="$copy_secs" 'BEGIN {printf "%.0f", r / s}') | – | $rows rows copied |")
  import_lines=$(printf '%s\n' "${lines[@]}")
  import_note="The first CSV import ran at $(awk -v a="$csv_rate" -v r=$rows -v s="$copy_secs" 'BEGIN {printf "%.1f", 100 * a / (r / s)}') % of raw COPY's rows per second."
}
