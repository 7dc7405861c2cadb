#!/usr/bin/env bash
# 512 streams at once, the upstream pacing its events (the fake upstream: 20 events 50 ms apart),
# straight to it and through nginx, HAProxy and switchboard (THREADS=1), each pinned like the
# main bench; every event timed at the client (bench/stream_timing.py). Prints a Markdown table.
#   usage: bench/many_streams.sh [streams (512)] [core (1)]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-512}
CORE=${2:-1}
OUT=bench/out/many_streams
mkdir -p "$OUT"
MODEL="m+chunks:20+chunk_delay:50"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
source bench/proxies.sh
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# The fake upstream on the other core: pacing events is its job, not what is measured.
taskset -c "$(( CORE == 0 ? 1 : 0 ))" build/tests/fake_upstream --models m > "$OUT/upstream.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do grep -q PORT "$OUT/upstream.log" && break; sleep 0.1; done
UP=$(awk '/PORT/{print $2}' "$OUT/upstream.log")

NGINX_PORT=$(free_port)
write_nginx_conf "$OUT/nginx.conf" "$PWD/$OUT" "$NGINX_PORT" "$UP" 1
taskset -c "$CORE" nginx -c "$PWD/$OUT/nginx.conf" -e "$PWD/$OUT/nginx-error.log" &
pids+=($!)
HAPROXY_PORT=$(free_port)
write_haproxy_cfg "$OUT/haproxy.cfg" "$HAPROXY_PORT" "$UP" 1 4096
taskset -c "$CORE" haproxy -db -f "$OUT/haproxy.cfg" > "$OUT/haproxy.log" 2>&1 &
pids+=($!)
GW_DATA=$(mktemp -d)
GW_PORT=$(free_port)
taskset -c "$CORE" env DATA_DIR="$GW_DATA" PORT="$GW_PORT" HOST=127.0.0.1 THREADS=1 \
  OPENAI_API_BASE_URLS="http://127.0.0.1:$UP/v1" OPENAI_API_CONFIGS="{\"0\":{\"model_ids\":[\"$MODEL\"]}}" \
  GLOBAL_LOG_LEVEL=warn WEBUI_AUTH=False build/switchboard > "$OUT/switchboard.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$GW_PORT/openai/models" 2>/dev/null | grep -q 'chunk_delay' && break
  sleep 0.1
done
for port in $NGINX_PORT $HAPROXY_PORT; do
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/v1/models" > /dev/null && break; sleep 0.1; done
done
python3 -c 'import resource; s, h = resource.getrlimit(resource.RLIMIT_NOFILE); print(h)' > /dev/null
taskset -c "$(( CORE == 0 ? 1 : 0 ))" python3 bench/stream_timing.py "$N" "$MODEL" 50 \
  "direct=$UP:/v1/chat/completions" "nginx=$NGINX_PORT:/v1/chat/completions" \
  "haproxy=$HAPROXY_PORT:/v1/chat/completions" "switchboard=$GW_PORT:/openai/chat/completions"
rm -rf "$GW_DATA"
