#!/usr/bin/env bash
# Issue 10's load figures: `make run` (gunicorn, HUIYIN_WORKERS=2) against DATABASE_URL on a
# free loopback port, then bench/locustfile.py headless: USERS users log in, then the mix
# (40 % ledger lists, 40 % case pages, 20 % 我的待办, 1 request in 20 a write) with no think
# time, or THINK seconds between one user's requests, measured for DURATION seconds once
# every user is ready. Prints requests/s, median, p95, errors, and the CPU taken by the
# load generator (which shares the machine's cores with the server) and by the server.
# The server is stopped on exit; the database keeps the communications the users wrote.
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/huiyin_x bench/load_test.sh [DURATION]
#   env: USERS (50), THINK (0), HUIYIN_WORKERS (2), HUIYIN_THREADS (make run's default),
#        HUIYIN_SCHEDULER (off: make run's worker runs, its scheduler idles),
#        HUIYIN_ACCESS_LOG ($OUT/access.log: gunicorn writes it, not honcho's relay),
#        HUIYIN_MAX_SESSIONS (50: the 50 users share the demo's 14 accounts, and a fourth
#        login of one account would otherwise end its oldest session, issue 16),
#        OUT (/tmp/load-test/<time>): locust's log and CSV, /usr/bin/time's report, the
#        server's log; URL=http://127.0.0.1:PORT: use a server already running instead.
set -euo pipefail

DURATION=${1:-${DURATION:-60}}
USERS=${USERS:-50}
THINK=${THINK:-0}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-/tmp/load-test/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
[ -n "${URL:-}" ] || [ -n "${DATABASE_URL:-}" ] || { echo "set DATABASE_URL (the database to serve)" >&2; exit 1; }

SERVER_PID="" GUNICORN_PID=0
stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  kill -TERM -- "-$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.25; done
  kill -KILL -- "-$SERVER_PID" 2>/dev/null || true
}
trap stop_server EXIT
trap 'exit 130' INT TERM

if [ -z "${URL:-}" ]; then
  PORT=$("$ROOT/.venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  URL="http://127.0.0.1:$PORT"
  # In a process group of its own (setsid): the cleanup's SIGTERM reaches make and honcho,
  # which stops the Procfile's processes (each in a session of its own) and waits for them.
  # No scheduler run in the window: a morning `remind` would share the measured cores.
  (cd "$ROOT" && PORT=$PORT HUIYIN_WORKERS=${HUIYIN_WORKERS:-2} HUIYIN_SCHEDULER=${HUIYIN_SCHEDULER:-off} \
    HUIYIN_ACCESS_LOG=${HUIYIN_ACCESS_LOG:-$OUT/access.log} \
    HUIYIN_MAX_SESSIONS=${HUIYIN_MAX_SESSIONS:-50} \
    exec setsid make --no-print-directory run) > "$OUT/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 1200); do
    curl -s -o /dev/null -f "$URL/login/" && break
    kill -0 "$SERVER_PID" 2>/dev/null || { tail -20 "$OUT/server.log" >&2; exit 1; }
    sleep 0.25
  done
  curl -s -o /dev/null -f "$URL/login/" || { echo "server not up after 300 s" >&2; exit 1; }
  # Each worker builds its similar-case index at start (similar/index.py): the window opens
  # once every worker says it is ready, so that no build shares the measured cores.
  for _ in $(seq 1 1200); do
    [ "$(grep -c 'similar: index of' "$OUT/server.log")" -ge "${HUIYIN_WORKERS:-2}" ] && break
    sleep 0.25
  done
  grep 'similar: index of' "$OUT/server.log" | sed 's/^/  /' || echo "  (no similar index built yet)"
  # gunicorn's master: the first gunicorn below make (make → honcho → its runner → gunicorn
  # master → workers), found from the top down.
  descendants() { local child; for child in $(pgrep -P "$1"); do echo "$child"; descendants "$child"; done; }
  GUNICORN_PID=$(for pid in $(descendants "$SERVER_PID"); do ps -o pid=,args= -p "$pid"; done \
    | awk '$0 ~ /gunicorn huiyin.wsgi/ {print $1; exit}' || true)
  echo "make run on $URL (gunicorn master ${GUNICORN_PID:-?}, ${HUIYIN_WORKERS:-2} workers); ${DATABASE_URL##*/}"
fi
case "$URL" in
  http://127.*|http://localhost*|http://\[::1\]*) ;;
  *) echo "loopback only: $URL" >&2; exit 1 ;;
esac

# locust's own run-time is the hard bound: the window, plus logins and setup.
set +e
/usr/bin/time -v -o "$OUT/time.txt" "$ROOT/.venv/bin/locust" -f "$ROOT/bench/locustfile.py" \
  --headless --host "$URL" --users "$USERS" --spawn-rate "$USERS" \
  --run-time "$((DURATION + 300))s" --stop-timeout 10 --measure "$DURATION" --think "$THINK" \
  --server-pid "${GUNICORN_PID:-0}" --summary-file "$OUT/summary.md" --csv "$OUT/locust" --loglevel WARNING \
  > "$OUT/locust.out" 2> "$OUT/locust.log"
status=$?
set -e
[ -s "$OUT/summary.md" ] && cat "$OUT/summary.md"
awk -F': ' '/User time|System time|Percent of CPU|Elapsed|Maximum resident/{printf "- locust process, whole run (logins included): %s: %s\n", $1, $2}' "$OUT/time.txt" \
  | sed 's/^- locust process, whole run (logins included): \t*/- locust, whole run incl. logins: /'
[ -s "$OUT/summary.md" ] || { echo "no result: see $OUT/locust.log" >&2; tail -20 "$OUT/locust.log" >&2; exit 1; }
echo "(files: $OUT; locust exit status $status: 1 when any request failed)"
