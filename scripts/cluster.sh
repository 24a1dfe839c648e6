#!/usr/bin/env bash
# A whole cluster on one machine (docs/cluster.md): dagster-webserver, dagster-daemon and
# CLUSTER_WORKERS Celery workers on the production instance (deploy/production/dagster.yaml),
# PostgreSQL for the instance and the warehouse, Redis for the runs.
#
#   scripts/cluster.sh up       start it (make cluster)
#   scripts/cluster.sh down     stop exactly what `up` started (make cluster-down)
#   scripts/cluster.sh status   what is running
#   scripts/cluster.sh env      the environment the processes run with (source it to use the cluster)
#
# Everything it starts is a process group of its own with a pid file under CLUSTER_DIR/pids;
# `down` signals those groups only. Redis and PostgreSQL are used where they are
# (PDPB_REDIS_URL, PDPB_CLUSTER_PG); when one of them is local and down, `up` starts it and
# `down` stops it again, never one it found running.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"

CLUSTER_DIR="$(mkdir -p "${CLUSTER_DIR:-$ROOT/var/cluster}" && cd "${CLUSTER_DIR:-$ROOT/var/cluster}" && pwd)"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
BIN="$(dirname "$PYTHON")"
CLUSTER_WORKERS="${CLUSTER_WORKERS:-2}"
# the workers' Celery names: <CLUSTER_NAME>-w<i>@<host> (two clusters on one Redis keep apart by it)
CLUSTER_NAME="${CLUSTER_NAME:-pdpb}"
CLUSTER_PORT="${CLUSTER_PORT:-3000}"
# 1: the last worker runs in a network namespace of its own (root only), over a veth pair
CLUSTER_NETNS="${CLUSTER_NETNS:-0}"
PDPB_CLUSTER_PG="${PDPB_CLUSTER_PG:-postgresql://postgres@127.0.0.1:5432}"
CLUSTER_DB_PREFIX="${CLUSTER_DB_PREFIX:-pdpb_cluster}"
PIDS="$CLUSTER_DIR/pids"
LOGS="$CLUSTER_DIR/logs"

pg_part() {  # pg_part host|port|user|password URL: one part of a postgresql:// URL
    "$PYTHON" - "$1" "$2" <<'EOF'
import sys
import sqlalchemy as sa
url = sa.make_url(sys.argv[2])
print({"host": url.host or "127.0.0.1", "port": url.port or 5432, "user": url.username or "postgres",
       "password": url.password or ""}[sys.argv[1]])
EOF
}

write_env() {  # the one environment of the webserver, the daemon and every worker
    local pg_host pg_port pg_user pg_password
    pg_host="$(pg_part host "$PDPB_CLUSTER_PG")"; pg_port="$(pg_part port "$PDPB_CLUSTER_PG")"
    pg_user="$(pg_part user "$PDPB_CLUSTER_PG")"; pg_password="$(pg_part password "$PDPB_CLUSTER_PG")"
    local auth="$pg_user${pg_password:+:$pg_password}"
    {
        echo "export DAGSTER_HOME='$CLUSTER_DIR/dagster_home'"
        echo "export DAGSTER_PG_HOST='$pg_host' DAGSTER_PG_PORT='$pg_port' DAGSTER_PG_USER='$pg_user'"
        echo "export DAGSTER_PG_PASSWORD='$pg_password' DAGSTER_PG_DB='${CLUSTER_DB_PREFIX}_dagster'"
        echo "export DAGSTER_MAX_CONCURRENT_RUNS='${DAGSTER_MAX_CONCURRENT_RUNS:-$CLUSTER_WORKERS}'"
        echo "export PDPB_REDIS_URL='${PDPB_REDIS_URL:-redis://127.0.0.1:6379/0}'"
        echo "export PDPB_CELERY_QUEUE='${PDPB_CELERY_QUEUE:-pdpb}'"
        echo "export PDPB_WAREHOUSE_URL='${PDPB_WAREHOUSE_URL:-postgresql://$auth@$pg_host:$pg_port/${CLUSTER_DB_PREFIX}_gudang}'"
        echo "export PDPB_VAR_DIR='${PDPB_VAR_DIR:-$CLUSTER_DIR/var}'"
        echo "export PDPB_LANDING_DIR='${PDPB_LANDING_DIR:-$ROOT/var/landing}'"
        echo "export PDPB_OUTPUT_DIR='${PDPB_OUTPUT_DIR:-$CLUSTER_DIR/var/published}'"
        echo "export PDPB_SNAPSHOT_DIR='${PDPB_SNAPSHOT_DIR:-$CLUSTER_DIR/var/snapshot}'"
        echo "export PDPB_START_MONTH='${PDPB_START_MONTH:-2026-01}'"
        for name in PDPB_REGENCIES PDPB_REGENCY_START_MONTHS PDPB_LOCK_WAIT PDPB_MASK_KEEP PYTHONPATH; do
            if [ -n "${!name:-}" ]; then echo "export $name='${!name}'"; fi
        done
    } > "$CLUSTER_DIR/env"
}

starttime() { awk '{print $22}' "/proc/$1/stat" 2>/dev/null; }  # fixed for a process's life, across exec

alive() {  # alive NAME: the process group it started is still led by the very process it started
    local file="$PIDS/$1.pid" pid
    [ -f "$file" ] || return 1
    pid="$(head -1 "$file")"
    [ -n "$pid" ] && [ "$(starttime "$pid")" = "$(sed -n 2p "$file")" ]
}

start() {  # start NAME COMMAND...: in a new session (its own process group), logged, pid recorded
    local name="$1"; shift
    if alive "$name"; then echo "$name: already running (pid $(head -1 "$PIDS/$name.pid"))"; return; fi
    setsid "$@" >"$LOGS/$name.log" 2>&1 </dev/null &
    local pid=$!
    printf '%s\n%s\n' "$pid" "$(starttime "$pid")" > "$PIDS/$name.pid"
    echo "$name: pid $pid, log $LOGS/$name.log"
}

stop_group() {  # stop_group NAME: TERM its process group, KILL what is left after 20 s
    local name="$1" pid
    if ! alive "$name"; then rm -f "$PIDS/$name.pid"; return; fi
    pid="$(head -1 "$PIDS/$name.pid")"
    kill -TERM -- "-$pid" 2>/dev/null || true
    for _ in $(seq 200); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    rm -f "$PIDS/$name.pid"
    echo "$name: stopped"
}

ensure_redis() {
    local url="${PDPB_REDIS_URL:-redis://127.0.0.1:6379/0}"
    if redis-cli -u "$url" ping >/dev/null 2>&1; then return; fi
    case "$url" in
        redis://127.0.0.1:6379*|redis://localhost:6379*) ;;
        *) echo "Redis at $url does not answer" >&2; exit 1 ;;
    esac
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
        --pidfile "$CLUSTER_DIR/redis.pid" --logfile "$LOGS/redis.log"
    for _ in $(seq 50); do redis-cli -u "$url" ping >/dev/null 2>&1 && break; sleep 0.1; done
    touch "$CLUSTER_DIR/redis.started-here"
    echo "redis: started (pid $(cat "$CLUSTER_DIR/redis.pid"))"
}

ensure_postgres() {
    local host port
    host="$(pg_part host "$PDPB_CLUSTER_PG")"; port="$(pg_part port "$PDPB_CLUSTER_PG")"
    if ! pg_isready -h "$host" -p "$port" -q 2>/dev/null; then
        pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
        for _ in $(seq 30); do pg_isready -h "$host" -p "$port" -q && break; sleep 1; done
        touch "$CLUSTER_DIR/postgresql.started-here"
        echo "postgresql: started"
    fi
    local db
    for db in "${CLUSTER_DB_PREFIX}_dagster" "${CLUSTER_DB_PREFIX}_gudang"; do
        if [ -z "$(psql "$PDPB_CLUSTER_PG/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]; then
            psql "$PDPB_CLUSTER_PG/postgres" -qc "CREATE DATABASE \"$db\"" && echo "postgresql: database $db created"
        fi
    done
}

netns_number() { echo $(( $(echo "$CLUSTER_DIR" | cksum | cut -d' ' -f1) % 250 + 1 )); }  # one per cluster folder

netns_up() {  # namespace pdpb-ns<n>, veth pdpbv<n>h (host, 10.213.<n>.1) - pdpbv<n>n (inside, .2)
    local n="$1" ns="pdpb-ns$1"
    ip netns add "$ns"
    ip link add "pdpbv${n}h" type veth peer name "pdpbv${n}n"
    ip link set "pdpbv${n}n" netns "$ns"
    ip addr add "10.213.$n.1/30" dev "pdpbv${n}h"
    ip link set "pdpbv${n}h" up
    ip netns exec "$ns" ip addr add "10.213.$n.2/30" dev "pdpbv${n}n"
    ip netns exec "$ns" ip link set "pdpbv${n}n" up
    ip netns exec "$ns" ip link set lo up
    echo "$ns" > "$CLUSTER_DIR/netns"
}

up() {
    mkdir -p "$PIDS" "$LOGS" "$CLUSTER_DIR/dagster_home" "$CLUSTER_DIR/var"
    [ -x "$BIN/celery" ] || { echo "celery is not installed: pip install -e '.[cluster]'" >&2; exit 1; }
    cp "$ROOT/deploy/production/dagster.yaml" "$CLUSTER_DIR/dagster_home/dagster.yaml"
    ensure_redis
    ensure_postgres
    write_env
    # shellcheck disable=SC1091
    source "$CLUSTER_DIR/env"
    cd "$ROOT"
    local workspace="$ROOT/workspace.yaml" i
    start webserver "$BIN/dagster-webserver" -h 127.0.0.1 -p "$CLUSTER_PORT" -w "$workspace"
    start daemon "$BIN/dagster-daemon" run -w "$workspace"
    local worker=(worker -Q "$PDPB_CELERY_QUEUE" -P threads -c 1 --disable-prefetch --without-gossip --without-mingle -l INFO)
    local plain="$CLUSTER_WORKERS"
    if [ "$CLUSTER_NETNS" = 1 ]; then plain=$((CLUSTER_WORKERS - 1)); fi
    for i in $(seq 1 "$plain"); do
        start "worker-$i" "$BIN/celery" -A pdpb_pipeline.cluster.worker "${worker[@]}" -n "$CLUSTER_NAME-w$i@%h"
    done
    if [ "$CLUSTER_NETNS" = 1 ]; then
        local n ns host_end
        n="$(netns_number)"; ns="pdpb-ns$n"; host_end="10.213.$n.1"
        alive "worker-$CLUSTER_WORKERS" || { ip netns del "$ns" 2>/dev/null || true; netns_up "$n"; }
        local redis_port pg_port
        redis_port="$("$PYTHON" -c 'import sys, urllib.parse as u; print(u.urlsplit(sys.argv[1]).port or 6379)' "$PDPB_REDIS_URL")"
        pg_port="$DAGSTER_PG_PORT"
        # Redis and PostgreSQL listen on the loopback only: a relay on the veth's host end
        start relay-redis socat "TCP-LISTEN:$redis_port,bind=$host_end,fork,reuseaddr" "TCP:127.0.0.1:$redis_port"
        start relay-postgresql socat "TCP-LISTEN:$pg_port,bind=$host_end,fork,reuseaddr" "TCP:127.0.0.1:$pg_port"
        start "worker-$CLUSTER_WORKERS" ip netns exec "$ns" env \
            PDPB_REDIS_URL="${PDPB_REDIS_URL/127.0.0.1/$host_end}" DAGSTER_PG_HOST="$host_end" \
            PDPB_WAREHOUSE_URL="${PDPB_WAREHOUSE_URL/127.0.0.1/$host_end}" \
            "$BIN/celery" -A pdpb_pipeline.cluster.worker "${worker[@]}" -n "$CLUSTER_NAME-w$CLUSTER_WORKERS@%h"
        echo "worker-$CLUSTER_WORKERS: in network namespace $ns (10.213.$n.2), Redis and PostgreSQL at $host_end"
    fi
    for _ in $(seq 120); do
        curl -fs "http://127.0.0.1:$CLUSTER_PORT/server_info" >/dev/null 2>&1 && break; sleep 0.5
    done
    curl -fs "http://127.0.0.1:$CLUSTER_PORT/server_info" >/dev/null || { echo "webserver did not come up: $LOGS/webserver.log" >&2; exit 1; }
    "$PYTHON" -m pdpb_pipeline.cluster.ping "$CLUSTER_WORKERS" 120 "$CLUSTER_NAME"
    echo "cluster up: UI http://127.0.0.1:$CLUSTER_PORT, $CLUSTER_WORKERS workers on queue $PDPB_CELERY_QUEUE; environment: source $CLUSTER_DIR/env"
}

down() {
    local name
    for name in daemon webserver; do stop_group "$name"; done
    for file in "$PIDS"/worker-*.pid "$PIDS"/relay-*.pid; do
        [ -e "$file" ] && stop_group "$(basename "$file" .pid)"
    done
    if [ -f "$CLUSTER_DIR/netns" ]; then
        ip netns del "$(cat "$CLUSTER_DIR/netns")" 2>/dev/null || true
        echo "netns $(cat "$CLUSTER_DIR/netns"): deleted"; rm -f "$CLUSTER_DIR/netns"
    fi
    if [ -f "$CLUSTER_DIR/redis.started-here" ]; then
        kill "$(cat "$CLUSTER_DIR/redis.pid")" 2>/dev/null || true
        rm -f "$CLUSTER_DIR/redis.started-here"; echo "redis: stopped"
    fi
    if [ -f "$CLUSTER_DIR/postgresql.started-here" ]; then
        pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main stop || true
        rm -f "$CLUSTER_DIR/postgresql.started-here"; echo "postgresql: stopped"
    fi
}

status() {
    local file name
    for file in "$PIDS"/*.pid; do
        [ -e "$file" ] || continue
        name="$(basename "$file" .pid)"
        if alive "$name"; then echo "$name: running (pid $(head -1 "$file"))"; else echo "$name: not running"; fi
    done
}

case "${1:-}" in
    up) up ;;
    down) down ;;
    status) status ;;
    env) write_env; cat "$CLUSTER_DIR/env" ;;
    *) echo "usage: $0 up|down|status|env" >&2; exit 2 ;;
esac
