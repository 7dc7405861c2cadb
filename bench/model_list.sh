#!/usr/bin/env bash
# The model list with 100 configured upstreams, 10 of them dead (5 refuse connections, 5 accept
# and never answer), the other 90 the canned upstream: what GET /openai/models and /api/models
# take from switchboard (THREADS=1, pinned like the main bench), measured with wrk at one
# connection. Prints a Markdown table.
#   usage: bench/model_list.sh UPSTREAM_PORT [seconds (3)] [core (1)]
set -euo pipefail
cd "$(dirname "$0")/.."
UP=$1
DUR=${2:-3}
CORE=${3:-1}
OUT=bench/out/model_list
mkdir -p "$OUT"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Five listeners that never accept (the kernel completes the handshake; nothing is ever said).
python3 -c '
import socket, sys, time
socks = []
for _ in range(5):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(64); socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks), flush=True)
time.sleep(3600)' > "$OUT/stalled.txt" &
pids+=($!)
for _ in $(seq 50); do [ -s "$OUT/stalled.txt" ] && break; sleep 0.1; done
urls=()
for _ in $(seq 90); do urls+=("http://127.0.0.1:$UP/v1"); done
for port in $(cat "$OUT/stalled.txt"); do urls+=("http://127.0.0.1:$port/v1"); done
for _ in $(seq 5); do urls+=("http://127.0.0.1:$(free_port)/v1"); done  # nothing listens there
URLS=$(IFS=';'; echo "${urls[*]}")

GW_DATA=$(mktemp -d)
GW_PORT=$(free_port)
taskset -c "$CORE" env DATA_DIR="$GW_DATA" PORT="$GW_PORT" HOST=127.0.0.1 THREADS=1 \
  OPENAI_API_BASE_URLS="$URLS" ENABLE_OLLAMA_API=False GLOBAL_LOG_LEVEL=error WEBUI_AUTH=False \
  build/switchboard > "$OUT/switchboard.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$GW_PORT/openai/models" 2>/dev/null | grep -q '"bench"' && break
  sleep 0.1
done
echo "| route | upstreams | req/s | p50 µs | p99 µs | answer bytes |"
echo "|---|---|---|---|---|---|"
for path in /openai/models /api/models; do
  bytes=$(curl -sf "http://127.0.0.1:$GW_PORT$path" | wc -c)
  taskset -c "$CORE" wrk -t1 -c1 -d"${DUR}s" --latency "http://127.0.0.1:$GW_PORT$path" > "$OUT/wrk.txt"
  awk -v p="$path" -v b="$bytes" '
    function us(v) { if (v ~ /us$/) return v+0; if (v ~ /ms$/) return (v+0)*1000; if (v ~ /s$/) return (v+0)*1000000; return v }
    /^ +50%/ { p50 = us($2) } /^ +99%/ { p99 = us($2) } /^Requests\/sec/ { rps = $2 }
    END { printf "| %s | 100 (10 dead) | %d | %d | %d | %d |\n", p, rps, p50, p99, b }' "$OUT/wrk.txt"
done
rm -rf "$GW_DATA"
