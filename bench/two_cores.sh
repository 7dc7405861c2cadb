#!/usr/bin/env bash
# Two cores: nginx with 2 workers, HAProxy with 2 threads and switchboard with THREADS=2, each in
# turn (rounds interleaved) in front of the canned upstream, everything (wrk too) on CPUs 0 and 1.
# Prints a Markdown table of req/s, the median of ROUNDS runs.
#   usage: bench/two_cores.sh UPSTREAM_PORT [seconds (3)] [rounds (3)] [connections (32)]
set -euo pipefail
cd "$(dirname "$0")/.."
UP=$1
DUR=${2:-3}
ROUNDS=${3:-3}
CONNS=${4:-32}
OUT=bench/out/two_cores
mkdir -p "$OUT"
CPUS=0,1
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
source bench/proxies.sh
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

NGINX_PORT=$(free_port)
write_nginx_conf "$OUT/nginx.conf" "$PWD/$OUT" "$NGINX_PORT" "$UP" 2
taskset -c "$CPUS" nginx -c "$PWD/$OUT/nginx.conf" -e "$PWD/$OUT/nginx-error.log" &
pids+=($!)

HAPROXY_PORT=$(free_port)
write_haproxy_cfg "$OUT/haproxy.cfg" "$HAPROXY_PORT" "$UP" 2 1024
taskset -c "$CPUS" haproxy -db -f "$OUT/haproxy.cfg" > "$OUT/haproxy.log" 2>&1 &
pids+=($!)

GW_DATA=$(mktemp -d)
GW_PORT=$(free_port)
taskset -c "$CPUS" env DATA_DIR="$GW_DATA" PORT="$GW_PORT" HOST=127.0.0.1 THREADS=2 \
  OPENAI_API_BASE_URLS="http://127.0.0.1:$UP/v1" GLOBAL_LOG_LEVEL=warn WEBUI_AUTH=False \
  "${GW:-build/switchboard}" > "$OUT/switchboard.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$GW_PORT/openai/models" 2>/dev/null | grep -q '"bench"' && break
  sleep 0.1
done
for port in $NGINX_PORT $HAPROXY_PORT; do
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/v1/models" > /dev/null && break; sleep 0.1; done
done

declare -A URL=(
  [nginx]="http://127.0.0.1:$NGINX_PORT/v1/chat/completions"
  [haproxy]="http://127.0.0.1:$HAPROXY_PORT/v1/chat/completions"
  [switchboard]="http://127.0.0.1:$GW_PORT/openai/chat/completions"
)
runs="$OUT/runs.txt"
: > "$runs"
for _ in $(seq "$ROUNDS"); do
  for mode in whole stream; do
    for target in nginx haproxy switchboard; do
      taskset -c "$CPUS" wrk -t2 -c"$CONNS" -d"${DUR}s" -s "bench/out/$mode.lua" "${URL[$target]}" \
        > "$OUT/wrk.txt"
      echo "$mode $target $(awk '/^Requests\/sec/ {printf "%d", $2}' "$OUT/wrk.txt")" >> "$runs"
    done
  done
done
python3 - "$runs" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    mode, target, rps = line.split()
    rows.setdefault(mode, {}).setdefault(target, []).append(int(rps))
print("| mode | nginx (2 workers) req/s | HAProxy (2 threads) req/s | switchboard (THREADS=2) req/s | vs nginx | vs HAProxy |")
print("|---|---|---|---|---|---|")
for mode, t in rows.items():
    n, h, s = (int(statistics.median(t[k])) for k in ("nginx", "haproxy", "switchboard"))
    print(f"| {mode} | {n} | {h} | {s} | {s / n:.2f}x | {s / h:.2f}x |")
PY
rm -rf "$GW_DATA"
