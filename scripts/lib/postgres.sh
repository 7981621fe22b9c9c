# Shared by scripts/run and scripts/test: bring up a private PostgreSQL cluster
# under a project-local, git-ignored folder. Sourced, not executed.
#
# PostgreSQL refuses to run as root, so when we are root the cluster belongs to
# the `postgres` OS user; otherwise it belongs to whoever runs the script.

pg_log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

pg_bin_dir() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

# Install the server binaries with apt-get when they are missing. No default
# cluster is created: ours lives in the project folder.
pg_ensure_binaries() {
  if [ -n "$(pg_bin_dir)" ] && [ -x "$(pg_bin_dir)/initdb" ]; then return 0; fi
  if [ "$(id -u)" != 0 ]; then
    echo "PostgreSQL server binaries are missing; install them (apt-get install postgresql) or set DATABASE_URL." >&2
    return 1
  fi
  pg_log "Installing PostgreSQL with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql-common >/dev/null
  mkdir -p /etc/postgresql-common
  sed -i 's/^#\?\s*create_main_cluster.*/create_main_cluster = false/' /etc/postgresql-common/createcluster.conf 2>/dev/null || true
  grep -q '^create_main_cluster' /etc/postgresql-common/createcluster.conf 2>/dev/null \
    || echo 'create_main_cluster = false' >> /etc/postgresql-common/createcluster.conf
  apt-get install -y -qq postgresql >/dev/null
}

# pg_as_owner CMD...: run a command as the cluster's OS user.
pg_as_owner() {
  if [ "$(id -u)" = 0 ]; then
    # From /, which the postgres user can always enter, whatever folder we are in.
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# pg_cluster_up DIR PORT: create (first time) and start the cluster; print the
# superuser URL on stdout. The superuser password is generated once and kept in
# DIR, which only the cluster owner and root can read.
pg_cluster_up() {
  local dir=$1 port=$2 bin
  bin=$(pg_bin_dir)
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$dir"
    dir=$(pg_reachable_dir "$dir")
  fi
  chmod 700 "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    pg_log "Creating a PostgreSQL cluster in $dir"
    local pw
    pw=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
    printf '%s' "$pw" > "$dir/superuser-password"
    if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$dir/superuser-password"; fi
    chmod 600 "$dir/superuser-password"
    pg_as_owner "$bin/initdb" -D "$dir/data" -U postgres --pwfile="$dir/superuser-password" \
      --auth-host=scram-sha-256 --auth-local=peer --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    mkdir -p "$dir/socket"
    if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$dir/socket"; fi
    cat >> "$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir/socket'
max_connections = 200
shared_buffers = 512MB
# Bulk seeds write gigabytes of WAL; fewer checkpoints mean fewer full-page images rewritten.
max_wal_size = 8GB
checkpoint_timeout = 15min
fsync = on
logging_collector = off
CONF
  fi
  if ! pg_as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    pg_log "Starting PostgreSQL on 127.0.0.1:$port"
    pg_as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null
  fi
  printf 'postgres://postgres:%s@127.0.0.1:%s/postgres' "$(cat "$dir/superuser-password")" "$port"
}

# The `postgres` OS user must be able to reach the data folder. When the project lives below a folder
# closed to other users (/root, say), the cluster's files go to /var/lib/relasi-clusters/<hash of the
# project path> instead, and the project folder keeps a link to them. Prints the folder to use.
pg_reachable_dir() {
  local dir=$1 alt
  if [ -L "$dir" ]; then readlink -f "$dir"; return; fi
  if (cd / && runuser -u postgres -- test -x "$dir") 2>/dev/null; then printf '%s' "$dir"; return; fi
  alt=/var/lib/relasi-clusters/$(printf '%s' "$dir" | sha1sum | cut -c1-16)
  mkdir -p "$alt"
  chown postgres:postgres "$alt"
  rmdir "$dir" 2>/dev/null || rm -rf "$dir"
  ln -s "$alt" "$dir"
  pg_log "PostgreSQL cannot reach $dir; its cluster lives in $alt (linked from there)"
  printf '%s' "$alt"
}

# pg_ensure_database SUPERUSER_URL DBNAME OWNER DIR: an owner role (login, may create
# the unprivileged runtime role) and its database. Prints the owner's URL, which only migrations and
# operator tasks use.
pg_ensure_database() {
  local su_url=$1 db=$2 owner=$3 dir=$4 bin pw
  bin=$(pg_bin_dir)
  if [ ! -f "$dir/$owner-password" ]; then
    head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$dir/$owner-password"
    chmod 600 "$dir/$owner-password"
  fi
  pw=$(cat "$dir/$owner-password")
  "$bin/psql" -q -v ON_ERROR_STOP=1 "$su_url" >/dev/null <<SQL
select format('create role %I login createrole password %L', '$owner', '$pw')
 where not exists (select from pg_roles where rolname = '$owner') \gexec
alter role "$owner" password '$pw';
select format('create database %I owner %I', '$db', '$owner')
 where not exists (select from pg_database where datname = '$db') \gexec
SQL
  local port
  port=$(printf '%s' "$su_url" | sed -E 's#.*:([0-9]+)/.*#\1#')
  printf 'postgres://%s:%s@127.0.0.1:%s/%s' "$owner" "$pw" "$port" "$db"
}

# pg_app_login SUPERUSER_URL DBNAME DIR: give the runtime role relasi_app (created by the first
# migration, so run this after migrating) a login and a password kept in DIR, and print the URL the
# server connects with. The server never logs in as the owner (docs/security.md).
pg_app_login() {
  local su_url=$1 db=$2 dir=$3 bin pw port
  bin=$(pg_bin_dir)
  if [ ! -f "$dir/relasi_app-password" ]; then
    head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$dir/relasi_app-password"
    chmod 600 "$dir/relasi_app-password"
  fi
  pw=$(cat "$dir/relasi_app-password")
  "$bin/psql" -q -v ON_ERROR_STOP=1 "$su_url" -c "alter role relasi_app login password '$pw'" >/dev/null
  port=$(printf '%s' "$su_url" | sed -E 's#.*:([0-9]+)/.*#\1#')
  printf 'postgres://relasi_app:%s@127.0.0.1:%s/%s' "$pw" "$port" "$db"
}
