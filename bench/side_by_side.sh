#!/usr/bin/env bash
# Huiyin and django-helpdesk side by side, in one run, on the peer harness's tuned
# PostgreSQL 15 cluster (127.0.0.1:55433, ../shared/bench/peer-helpdesk/RESULTS.md):
#   (a) the peer's setup.sh (venv, cluster, project; idempotent), run from a copy;
#   (b) a Huiyin database `huiyin_side` on that cluster: migrate, the demo, N cases
#       (bench/load_cases.py); helpdesk's load.py N;
#   (c) Huiyin served by `make run` (gunicorn, HUIYIN_WORKERS=2), helpdesk by gunicorn
#       with 2 sync workers as the peer's measure.sh starts it, each on a free port;
#   (d) the SAME curl loop for both (WARM warm-ups + REPS timed, a new curl and TCP
#       connection per request, %{time_total}), interleaved: each round fetches every
#       page of both apps once, so both see the same machine at the same moment;
#   (e) a markdown table (page | helpdesk median/p95 | Huiyin median/p95 | ratio) on stdout
#       and in $OUT/summary.md, the raw samples (seconds, one per line) in $OUT/raw/.
# The cluster keeps running afterwards (stop it with the peer's stop.sh); both app servers
# are stopped on exit.
#
#   bench/side_by_side.sh [N]          N cases and N tickets (default 100000)
#   env: SKIP_LOAD=1 (neither loader), SKIP_HUIYIN_LOAD=1, SKIP_HELPDESK_LOAD=1: use the
#        data already there; REPS (30), WARM (3); OUT (/tmp/side-by-side/<time>-n<N>);
#        UNIT (yizheng: the demo unit of the unit-head account); COMPRESSED=1: both with
#        curl --compressed (Huiyin gzips pages; helpdesk does not); PEER_SRC (the harness);
#        HUIYIN_BARE_PATH (a bare view of Huiyin's, probed at /livez otherwise).
set -euo pipefail

N=${1:-${N:-100000}}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PEER_SRC=${PEER_SRC:-$ROOT/../shared/bench/peer-helpdesk}
PEER_RUN=${PEER_RUN:-/tmp/peer-run}
REPS=${REPS:-30}
WARM=${WARM:-3}
UNIT=${UNIT:-yizheng}
OUT=${OUT:-/tmp/side-by-side/$(date -u +%Y%m%dT%H%M%SZ)-n$N}
PY="$ROOT/.venv/bin/python"
CURL_EXTRA=()
[ "${COMPRESSED:-0}" = 1 ] && CURL_EXTRA=(--compressed)
mkdir -p "$OUT/raw" "$OUT/jars"

# ------------------------------------------------------------ (a) the peer harness
[ -f "$PEER_SRC/setup.sh" ] || { echo "no peer harness at $PEER_SRC" >&2; exit 1; }
rm -rf "$PEER_RUN"
cp -r "$PEER_SRC" "$PEER_RUN"
chmod -R u+w "$PEER_RUN"                 # shared/ is read-only; the copy writes results/
bash "$PEER_RUN/setup.sh" > "$OUT/peer-setup.log" 2>&1 || { tail -20 "$OUT/peer-setup.log" >&2; exit 1; }
# shellcheck source=/dev/null
. "$PEER_RUN/common.sh"                  # PEER_* paths, peer_psql, pg_start
PGURL="postgres://postgres@127.0.0.1:$PEER_PGPORT"
HY_DB=huiyin_side
export DATABASE_URL="$PGURL/$HY_DB"
echo "peer cluster on 127.0.0.1:$PEER_PGPORT; Huiyin database $HY_DB; results in $OUT"

# ------------------------------------------------------------ (b) data
hy_psql() { peer_psql -d "$HY_DB" -Atc "$1"; }
if [ "${SKIP_LOAD:-0}" != 1 ] && [ "${SKIP_HUIYIN_LOAD:-0}" != 1 ]; then
  if ! peer_psql -d postgres -Atc "select 1 from pg_database where datname='$HY_DB'" | grep -q 1; then
    peer_psql -d postgres -qc "create database $HY_DB"
  fi
  echo "== Huiyin: migrate, demo, $N cases"
  (cd "$ROOT" && HUIYIN_DEMO=1 .venv/bin/python manage.py migrate --noinput -v 0 \
    && HUIYIN_DEMO=1 .venv/bin/python manage.py load_demo --if-empty \
    && .venv/bin/python bench/load_cases.py --cases "$N") 2>&1 | tee "$OUT/huiyin-load.log" | tail -3
fi
if [ "${SKIP_LOAD:-0}" != 1 ] && [ "${SKIP_HELPDESK_LOAD:-0}" != 1 ]; then
  echo "== helpdesk: $N tickets"
  (cd "$PEER_RUN" && "$PEER_VENV/bin/python" load.py "$N") > "$OUT/helpdesk-load.log" 2>&1 \
    || { tail -20 "$OUT/helpdesk-load.log" >&2; exit 1; }
  tail -2 "$OUT/helpdesk-load.log"
fi
HY_CASES=$(hy_psql "select count(*) from cases_case")
HD_TICKETS=$(peer_psql -d "$PEER_DBNAME" -Atc "select count(*) from helpdesk_ticket")
[ "$HY_CASES" -gt 0 ] || { echo "no cases in $HY_DB: run without SKIP_HUIYIN_LOAD" >&2; exit 1; }

# ------------------------------------------------------------ (c) both servers
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
HY_PORT=$(free_port)
HD_PORT=$(free_port)
[ "$HY_PORT" != "$HD_PORT" ] || HD_PORT=$(free_port)
HY="http://127.0.0.1:$HY_PORT"
HD="http://127.0.0.1:$HD_PORT"
HY_PID="" HD_PID=""
stop_servers() {
  local pid
  # make run's process group (make, its shell, gunicorn and its workers), then helpdesk's.
  for pid in "$HY_PID" "$HD_PID"; do
    [ -n "$pid" ] || continue
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "$HY_PID" "$HD_PID"; do
    [ -n "$pid" ] || continue
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
}
trap stop_servers EXIT
trap 'exit 130' INT TERM

# Each in a process group of its own (setsid), so that the cleanup reaches every worker.
(cd "$ROOT" && PORT=$HY_PORT HUIYIN_WORKERS=${HUIYIN_WORKERS:-2} exec setsid make --no-print-directory run) \
  > "$OUT/huiyin-server.log" 2>&1 &
HY_PID=$!
(cd "$PEER_PROJ" && exec setsid "$PEER_VENV/bin/gunicorn" peerproj.wsgi:application \
   --bind "127.0.0.1:$HD_PORT" --workers 2 --worker-class sync --timeout 120 \
   --error-logfile "$OUT/helpdesk-server.log" --log-level warning) &
HD_PID=$!
wait_up() {  # name url pid
  for _ in $(seq 1 1200); do
    curl -s -o /dev/null -f "$2" && return 0
    kill -0 "$3" 2>/dev/null || { echo "$1 exited before serving" >&2; return 1; }
    sleep 0.25
  done
  echo "$1 not up after 300 s" >&2; return 1
}
wait_up helpdesk "$HD/bench/ok/" "$HD_PID"
wait_up Huiyin "$HY/login/" "$HY_PID" || { tail -20 "$OUT/huiyin-server.log" >&2; exit 1; }
echo "helpdesk on $HD ($HD_TICKETS tickets), Huiyin on $HY ($HY_CASES cases)"

# ------------------------------------------------------------ logins
hd_login() {  # as measure.sh: helpdesk's login form, the staff superuser
  local jar="$OUT/jars/helpdesk.txt" csrf
  curl -s -c "$jar" -o /dev/null "$HD/helpdesk/login/"
  csrf=$(awk '$6=="csrftoken"{print $7}' "$jar")
  curl -s -b "$jar" -c "$jar" -o /dev/null --data-urlencode "username=$PEER_ADMIN_USER" \
    --data-urlencode "password=$PEER_ADMIN_PASS" --data-urlencode "csrfmiddlewaretoken=$csrf" \
    --data-urlencode "next=/helpdesk/tickets/" "$HD/helpdesk/login/"
  [ "$(curl -s -b "$jar" "$HD/bench/ok-auth/")" = ok ] || { echo "helpdesk login failed" >&2; exit 1; }
}
hy_login() {  # role username: Huiyin's /login/ form with its CSRF token, the demo password
  local jar="$OUT/jars/$1.txt" token code
  token=$(curl -s -c "$jar" "$HY/login/" | grep -o 'name="csrfmiddlewaretoken" value="[^"]*"' \
    | head -1 | sed 's/.*value="//; s/"$//')
  [ -n "$token" ] || { echo "no CSRF token in Huiyin's login form" >&2; exit 1; }
  code=$(curl -s -b "$jar" -c "$jar" -o /dev/null -w '%{http_code} %{redirect_url}' \
    -H "Referer: $HY/login/" --data-urlencode "username=$2" --data-urlencode "password=huiyin-demo" \
    --data-urlencode "csrfmiddlewaretoken=$token" "$HY/login/")
  case "$code" in
    302*login*|200*) echo "Huiyin login as $2 failed ($code)" >&2; exit 1 ;;
    302*) ;;
    *) echo "Huiyin login as $2: HTTP $code" >&2; exit 1 ;;
  esac
}
hd_login
declare -A WHO=([coordinator]=coordinator [leader]=leader [head]=$UNIT [handler]=${UNIT}_staff [viewer]=viewer)
for role in "${!WHO[@]}"; do hy_login "$role" "${WHO[$role]}"; done
: > "$OUT/jars/anonymous.txt"

# ------------------------------------------------------------ (d) the pages
# helpdesk: as measure.sh (queue q01 + status Open, newest first; its DataTables request).
QID=$(peer_psql -d "$PEER_DBNAME" -Atc "select id from helpdesk_queue where slug='q01'")
HD_LIST="$HD/helpdesk/tickets/?queue=$QID&status=1&sort=created&sortreverse=on"
DT_PATH=$(curl -s -b "$OUT/jars/helpdesk.txt" "$HD_LIST" | grep -oE '/helpdesk/datatables_ticket_list/[A-Za-z0-9+/=_-]+' | head -1)
[ -n "$DT_PATH" ] || { echo "no datatables URL in helpdesk's list page" >&2; exit 1; }
DT_QS="draw=1"
i=0
for col in id ticket priority queue status created due_date assigned_to submitter last_followup time_spent kbitem; do
  orderable=true; [ $i = 0 ] && orderable=false
  DT_QS="$DT_QS&columns%5B$i%5D%5Bdata%5D=$col&columns%5B$i%5D%5Bname%5D=&columns%5B$i%5D%5Bsearchable%5D=true"
  DT_QS="$DT_QS&columns%5B$i%5D%5Borderable%5D=$orderable&columns%5B$i%5D%5Bsearch%5D%5Bvalue%5D=&columns%5B$i%5D%5Bsearch%5D%5Bregex%5D=false"
  i=$((i + 1))
done
HD_DATA="$HD$DT_PATH?$DT_QS&start=0&length=25&search%5Bvalue%5D=&search%5Bregex%5D=false&_=1700000000000"
TID=$(curl -s -b "$OUT/jars/helpdesk.txt" "$HD_DATA" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')

# Huiyin: the unit's newest handling case (bench_pages.py's choice), the latest year.
UNIT_ID=$(hy_psql "select id from orgs_unit where code='$UNIT'")
[ -n "$UNIT_ID" ] || { echo "no unit $UNIT in $HY_DB" >&2; exit 1; }
CASE_ID=$(hy_psql "select id from cases_case where lead_unit_id=$UNIT_ID and state='handling' order by id desc limit 1")
YEAR=$(hy_psql "select max(year) from cases_case")
UNIT_HANDLING=$(hy_psql "select count(*) from cases_case where lead_unit_id=$UNIT_ID and state='handling'")
KEYWORD=%E5%AE%B6%E5%BA%AD%E5%8C%BB%E7%94%9F   # 家庭医生, as bench_pages.py
BARE=${HUIYIN_BARE_PATH:-}
for path in /livez /livez/; do
  if [ -z "$BARE" ] && [ "$(curl -s -o /dev/null -w '%{http_code}' "$HY$path")" = 200 ]; then BARE=$path; fi
done

# key | app | jar | url(s, space-separated: summed, as a browser needs them all) | label
PAGES=(
  "hd_list|helpdesk|helpdesk|$HD_LIST $HD_DATA|list: queue + state, first page (HTML + data JSON)"
  "hd_list_html|helpdesk|helpdesk|$HD_LIST|list page HTML alone"
  "hd_list_data|helpdesk|helpdesk|$HD_DATA|list data JSON alone"
  "hd_detail|helpdesk|helpdesk|$HD/helpdesk/tickets/$TID/|ticket detail"
  "hd_bare|helpdesk|anonymous|$HD/bench/ok/|bare view"
  "hd_bare_auth|helpdesk|helpdesk|$HD/bench/ok-auth/|bare view, login_required"
  "hd_login|helpdesk|anonymous|$HD/helpdesk/login/|login form"
  "hy_unit_state|huiyin|coordinator|$HY/cases/?unit=$UNIT&state=handling|ledger: unit + state"
  "hy_year|huiyin|coordinator|$HY/cases/?year=$((YEAR - 1))|ledger: year"
  "hy_overdue|huiyin|coordinator|$HY/cases/?overdue=1|ledger: overdue"
  "hy_closed|huiyin|coordinator|$HY/cases/?state=closed|ledger: state=closed"
  "hy_keyword|huiyin|coordinator|$HY/cases/?q=$KEYWORD|ledger: keyword 家庭医生"
  "hy_head_ledger|huiyin|head|$HY/cases/?state=handling|ledger: unit head, state"
  "hy_case|huiyin|coordinator|$HY/cases/$CASE_ID/|case page (coordinator)"
  "hy_case_head|huiyin|head|$HY/cases/$CASE_ID/|case page (unit head)"
  "hy_login|huiyin|anonymous|$HY/login/|login form"
)
[ -n "$BARE" ] && PAGES+=("hy_bare|huiyin|anonymous|$HY$BARE|bare view $BARE")
for role in coordinator leader head handler viewer; do
  PAGES+=("hy_todo_$role|huiyin|$role|$HY/|我的待办 ($role)")
done
for role in coordinator leader head handler viewer; do
  PAGES+=("hy_dash_$role|huiyin|$role|$HY/dashboard/?year=$YEAR|dashboard $YEAR ($role)")
done

fetch() {  # jar url -> "code seconds bytes"
  curl -s "${CURL_EXTRA[@]}" -b "$OUT/jars/$1.txt" -o /dev/null -w '%{http_code} %{time_total} %{size_download}\n' "$2"
}
# A page that does not answer 200 (a role without a dashboard, say) is left out, and said so.
KEEP=()
: > "$OUT/skipped.txt"
for entry in "${PAGES[@]}"; do
  IFS='|' read -r key app jar urls label <<< "$entry"
  ok=1
  for url in $urls; do
    r=$(fetch "$jar" "$url")
    [ "${r%% *}" = 200 ] || { ok=0; echo "$label: HTTP ${r%% *} ($url)" | tee -a "$OUT/skipped.txt" >&2; }
  done
  [ $ok = 1 ] && KEEP+=("$entry")
  : > "$OUT/raw/$key.txt"
done
printf '%s\n' "${KEEP[@]}" | sed "s#http://127.0.0.1:[0-9]*##g" > "$OUT/pages.txt"

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== $WARM warm-up rounds + $REPS timed rounds over ${#KEEP[@]} pages, interleaved"
for round in $(seq 1 $((WARM + REPS))); do
  for entry in "${KEEP[@]}"; do
    IFS='|' read -r key app jar urls label <<< "$entry"
    total=0
    for url in $urls; do
      r=$(fetch "$jar" "$url")
      read -r code secs bytes <<< "$r"
      [ "$code" = 200 ] || { echo "HTTP $code for $url in round $round" >&2; exit 1; }
      total=$(awk -v a="$total" -v b="$secs" 'BEGIN{printf "%.6f", a+b}')
      echo "$bytes" > "$OUT/raw/$key.bytes"
    done
    [ "$round" -gt "$WARM" ] && echo "$total" >> "$OUT/raw/$key.txt"
  done
done

# ------------------------------------------------------------ (e) the table
{
  echo "# Huiyin and django-helpdesk side by side ($(date -u +%FT%TZ))"
  echo
  echo "Huiyin: $HY_CASES cases ($HY_DB, \`make run\`, HUIYIN_WORKERS=${HUIYIN_WORKERS:-2}); helpdesk: $HD_TICKETS tickets" \
       "(gunicorn, 2 sync workers); PostgreSQL 15 on 127.0.0.1:$PEER_PGPORT. Median / p95 (nearest rank) of $REPS" \
       "after $WARM warm-ups, one curl per request${COMPRESSED:+ (--compressed)}, interleaved page by page." \
       "Unit $UNIT: $UNIT_HANDLING cases in handling. Huiyin at $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')" \
       "$( [ -n "$(git -C "$ROOT" status --porcelain 2>/dev/null)" ] && echo '(with uncommitted changes)')." \
       "Load average: $LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end (2 cores)."
  echo
  "$PY" "$ROOT/bench/side_by_side_table.py" "$OUT"
  [ -s "$OUT/skipped.txt" ] && { echo; echo "Left out (not HTTP 200):"; sed 's/^/- /' "$OUT/skipped.txt"; }
} > "$OUT/summary.md"
cat "$OUT/summary.md"
