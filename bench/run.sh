#!/usr/bin/env bash
# Macro benchmark: the same load sent straight to a canned upstream, through nginx and HAProxy
# (plain reverse proxies, upstream keep-alive, no buffering) and through switchboard, in one run. Every process is
# pinned to the same core, so requests/s is the inverse of the whole CPU cost per request and the
# differences are each proxy's own overhead. Writes bench/RESULTS.md.
# Each figure is the median of ROUNDS runs, the targets interleaved, so that a noisy neighbour on
# this VM moves all three alike rather than one of them.
#   usage: bench/run.sh [seconds per run (3)] [concurrency levels ("1 8 32")] [rounds (3)]
# BASELINE_GW=path/to/older/switchboard adds that binary as target 'baseline', interleaved with
# the others: a before/after comparison of a change in one run.
# BASELINE_NO_OLLAMA=1 leaves the baseline out of the ndjson rows (a build from before /ollama).
# ONLY="direct nginx switchboard" and MODES="whole stream1" narrow a run for a quick look at one
# change; such a run prints its table and leaves bench/RESULTS.md alone.
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${1:-3}
LEVELS=${2:-"1 8 32"}
ROUNDS=${3:-3}
CORE=${BENCH_CORE:-1}
OUT=bench/out
mkdir -p "$OUT"
FAKE=build/tests/fake_upstream
CANNED=build/canned_upstream
GW=build/switchboard
BASELINE_GW=${BASELINE_GW:-}
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

source bench/proxies.sh
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# The upstream: canned answers from one epoll thread (bench/canned_upstream.cpp), cheap enough
# that straight to it runs far above any proxy and the proxies' own cost shows.
taskset -c "$CORE" "$CANNED" > "$OUT/upstream.log" 2>&1 &
pids+=($!)
declare -A PID=([direct]=$!)  # each target's process, whose CPU each run reads
for _ in $(seq 50); do grep -q PORT "$OUT/upstream.log" && break; sleep 0.1; done
UP=$(awk '/PORT/{print $2}' "$OUT/upstream.log")

NGINX_PORT=$(free_port)
write_nginx_conf "$OUT/nginx.conf" "$PWD/$OUT" "$NGINX_PORT" "$UP" 1
taskset -c "$CORE" nginx -c "$PWD/$OUT/nginx.conf" -e "$PWD/$OUT/nginx-error.log" &
pids+=($!)

HAPROXY_PORT=$(free_port)
write_haproxy_cfg "$OUT/haproxy.cfg" "$HAPROXY_PORT" "$UP" 1 1024
taskset -c "$CORE" haproxy -db -f "$OUT/haproxy.cfg" > "$OUT/haproxy.log" 2>&1 &
pids+=($!)
PID[haproxy]=$!

# start_gateway BINARY DATA_DIR PORT LOG [ENV]: one I/O thread, pinned like the others (or to
# $PIN when set).
start_gateway() {
  taskset -c "${PIN:-$CORE}" env DATA_DIR="$2" PORT="$3" HOST=127.0.0.1 THREADS=1 \
    OPENAI_API_BASE_URLS="http://127.0.0.1:$UP/v1" OLLAMA_BASE_URLS="http://127.0.0.1:$UP" \
    ENABLE_OLLAMA_API=True GLOBAL_LOG_LEVEL=warn WEBUI_AUTH=False ${5:-} \
    "$1" > "$4" 2>&1 &
  pids+=($!)
}
GW_DATA=$(mktemp -d)
GW_PORT=$(free_port)
start_gateway "$GW" "$GW_DATA" "$GW_PORT" "$OUT/switchboard.log"
PID[switchboard]=${pids[-1]}
TARGETS="direct nginx haproxy switchboard"
# The same gateway with accounts on, called with an API key: what authentication adds.
KEY_DATA=$(mktemp -d)
KEY_PORT=$(free_port)
start_gateway "$GW" "$KEY_DATA" "$KEY_PORT" "$OUT/switchboard_key.log" \
  "WEBUI_AUTH=True WEBUI_ADMIN_EMAIL=bench@example.com WEBUI_ADMIN_PASSWORD=bench-password"
PID[switchboard_key]=${pids[-1]}
PID[switchboard_api]=${pids[-1]}
TARGETS="$TARGETS switchboard_key switchboard_api"
# The same again, the API key limited (an RPM, a TPM and a monthly budget too large to be reached):
# what admission and settling add (the 'switchboard_limits' rows, against 'switchboard_key').
LIM_DATA=$(mktemp -d)
LIM_PORT=$(free_port)
start_gateway "$GW" "$LIM_DATA" "$LIM_PORT" "$OUT/switchboard_limits.log" \
  "WEBUI_AUTH=True WEBUI_ADMIN_EMAIL=bench@example.com WEBUI_ADMIN_PASSWORD=bench-password"
PID[switchboard_limits]=${pids[-1]}
TARGETS="$TARGETS switchboard_limits"
# For the unified route over an Ollama model: the same, its Ollama connection prefixed "ol."
# (so that "ol.bench" is the Ollama model, "bench" the OpenAI one).
API_DATA=$(mktemp -d)
API_PORT=$(free_port)
start_gateway "$GW" "$API_DATA" "$API_PORT" "$OUT/switchboard_api.log" \
  "WEBUI_AUTH=True WEBUI_ADMIN_EMAIL=bench@example.com WEBUI_ADMIN_PASSWORD=bench-password OLLAMA_API_CONFIGS={\"0\":{\"prefix_id\":\"ol\"}}"
API_PID=${pids[-1]}  # the ndjson rows of 'switchboard_api' run here
# A Pipelines server whose filter names another model, beside the same upstream: what the unified
# route costs a model no filter names once filters exist (the 'switchboard_filters' rows, against
# 'switchboard_api'). Its fake is never called during the runs.
taskset -c "$CORE" "$FAKE" --models other --key pk \
  --pipelines '[{"id":"f","type":"filter","pipelines":["other"]}]' > "$OUT/pipelines.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do grep -q PORT "$OUT/pipelines.log" && break; sleep 0.1; done
PIPES_UP=$(awk '/PORT/{print $2}' "$OUT/pipelines.log")
FILT_DATA=$(mktemp -d)
FILT_PORT=$(free_port)
start_gateway "$GW" "$FILT_DATA" "$FILT_PORT" "$OUT/switchboard_filters.log" \
  "WEBUI_AUTH=True WEBUI_ADMIN_EMAIL=bench@example.com WEBUI_ADMIN_PASSWORD=bench-password OPENAI_API_BASE_URLS=http://127.0.0.1:$UP/v1;http://127.0.0.1:$PIPES_UP OPENAI_API_KEYS=;pk"
PID[switchboard_filters]=${pids[-1]}
TARGETS="$TARGETS switchboard_filters"
# Node 1 of a cluster of three, with the same limited key as 'switchboard_limits' (its budget
# leased from whichever node keeps it): what the cluster adds to the request path, which by
# design is nothing (replication and leases run off it). The other two nodes run on the other
# core, so that only node 1's own cost is measured.
CL_SECRET=bench-cluster-secret-0123
CL_PORTS=("$(free_port)" "$(free_port)" "$(free_port)")
CL_DATA=()
CL_PORT=$(free_port)
for i in 0 1 2; do
  peers=$(for j in 0 1 2; do if [ "$j" -gt "$i" ]; then printf '127.0.0.1:%s,' "${CL_PORTS[$j]}"; fi; done)
  CL_DATA+=("$(mktemp -d)")
  port=$CL_PORT; [ "$i" -gt 0 ] && port=$(free_port)
  pin=$CORE; [ "$i" -gt 0 ] && pin=$(( CORE == 0 ? 1 : 0 ))
  PIN=$pin start_gateway "$GW" "${CL_DATA[$i]}" "$port" "$OUT/switchboard_cluster_n$((i + 1)).log" \
    "WEBUI_AUTH=True WEBUI_ADMIN_EMAIL=bench@example.com WEBUI_ADMIN_PASSWORD=bench-password WEBUI_SECRET_KEY=$CL_SECRET CLUSTER_SECRET=$CL_SECRET CLUSTER_NODE_ID=n$((i + 1)) CLUSTER_PORT=${CL_PORTS[$i]} CLUSTER_PEERS=${peers%,}"
  [ "$i" = 0 ] && PID[switchboard_cluster]=${pids[-1]}
done
TARGETS="$TARGETS switchboard_cluster"
# Portkey's open-source gateway (npm, pinned in bench/portkey/package.json) as the AI-gateway
# row: one Node process, the canned upstream named per request by its headers. Left out, with a
# word, when npm or the registry is not there.
PK_DIR="$OUT/portkey"
mkdir -p "$PK_DIR"
if ! cmp -s bench/portkey/package.json "$PK_DIR/package.json" || [ ! -d "$PK_DIR/node_modules/@portkey-ai/gateway" ]; then
  cp bench/portkey/package.json "$PK_DIR/"
  (cd "$PK_DIR" && timeout 300 npm install --no-audit --no-fund --loglevel=error > install.log 2>&1) ||
    echo "bench: Portkey's gateway could not be installed (see $PK_DIR/install.log); its row is left out" >&2
fi
PK_PORT=$(free_port)
if [ -f "$PK_DIR/node_modules/@portkey-ai/gateway/build/start-server.js" ]; then
  taskset -c "$CORE" env NODE_ENV=production node "$PK_DIR/node_modules/@portkey-ai/gateway/build/start-server.js" \
    --port="$PK_PORT" --headless > "$OUT/portkey.log" 2>&1 &
  pids+=($!)
  PID[portkey]=$!
  for _ in $(seq 100); do
    curl -sf -H 'x-portkey-provider: openai' -H "x-portkey-custom-host: http://127.0.0.1:$UP/v1" \
      -H 'Authorization: Bearer bench' -H 'Content-Type: application/json' \
      -d '{"model":"bench","messages":[{"role":"user","content":"hi"}]}' \
      "http://127.0.0.1:$PK_PORT/v1/chat/completions" > /dev/null 2>&1 && { TARGETS="$TARGETS portkey"; break; }
    sleep 0.2
  done
fi
if [ -n "$BASELINE_GW" ]; then
  BASE_DATA=$(mktemp -d)
  BASE_PORT=$(free_port)
  start_gateway "$BASELINE_GW" "$BASE_DATA" "$BASE_PORT" "$OUT/baseline.log"
  PID[baseline]=${pids[-1]}
  TARGETS="$TARGETS baseline"
fi
for port in $GW_PORT ${BASE_PORT:-}; do
  for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$port/openai/models" 2>/dev/null | grep -q '"bench"' && break
    sleep 0.1
  done
done
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$GW_PORT/ollama/api/tags" 2>/dev/null | grep -q '"bench"' && break
  sleep 0.1
done
json_field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
# api_key_of PORT: signs the bench admin in on that gateway and prints a new API key of theirs.
api_key_of() {
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$1/health" > /dev/null && break; sleep 0.1; done
  local token
  token=$(curl -sf -X POST "http://127.0.0.1:$1/api/v1/auths/signin" -H 'Content-Type: application/json' \
    -d '{"email":"bench@example.com","password":"bench-password"}' | json_field token)
  curl -sf -X POST "http://127.0.0.1:$1/api/v1/auths/api_key" -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $token" -d '{}' | json_field api_key
}
# limited_key_of PORT: as api_key_of, the key then given an RPM, a TPM and a budget.
limited_key_of() {
  local key signin token id
  key=$(api_key_of "$1")
  signin=$(curl -sf -X POST "http://127.0.0.1:$1/api/v1/auths/signin" -H 'Content-Type: application/json' \
    -d '{"email":"bench@example.com","password":"bench-password"}')
  token=$(echo "$signin" | json_field token)
  id=$(echo "$signin" | json_field id)
  curl -sf -X PUT "http://127.0.0.1:$1/api/v1/limits/key/key_$id" -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $token" \
    -d '{"rpm":1000000000,"tpm":4000000000,"budget_tokens":1000000000000,"budget_period":"month"}' \
    > /dev/null || { echo "bench: the limits could not be set" >&2; exit 1; }
  echo "$key"
}
# wait_listed PORT KEY PATH NEEDLE: until that gateway's PATH (read with KEY) holds NEEDLE.
wait_listed() {
  for _ in $(seq 100); do
    curl -sf -H "Authorization: Bearer $2" "http://127.0.0.1:$1$3" 2>/dev/null | grep -q "$4" && break
    sleep 0.1
  done
}
KEY=$(api_key_of "$KEY_PORT")
wait_listed "$KEY_PORT" "$KEY" /openai/models '"bench"'
LIM_KEY=$(limited_key_of "$LIM_PORT")
wait_listed "$LIM_PORT" "$LIM_KEY" /openai/models '"bench"'
API_KEY=$(api_key_of "$API_PORT")
wait_listed "$API_PORT" "$API_KEY" /api/models '"ol.bench"'
CL_KEY=$(limited_key_of "$CL_PORT")
wait_listed "$CL_PORT" "$CL_KEY" /openai/models '"bench"'
# Until node 1 holds a grant of the budget (its keeper may be another node).
for _ in $(seq 100); do
  curl -sf -H "Authorization: Bearer $CL_KEY" -H 'Content-Type: application/json' \
    -d '{"model":"bench","messages":[{"role":"user","content":"hi"}]}' \
    "http://127.0.0.1:$CL_PORT/openai/chat/completions" > /dev/null && break
  sleep 0.1
done
FILT_KEY=$(api_key_of "$FILT_PORT")
wait_listed "$FILT_PORT" "$FILT_KEY" /api/v1/pipelines/list '"idx":1'
curl -sf "http://127.0.0.1:$NGINX_PORT/v1/models" > /dev/null
PID[nginx]=$(pgrep -P "$(cat "$OUT/nginx.pid")" | head -1)  # its one worker
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$HAPROXY_PORT/v1/models" > /dev/null && break; sleep 0.1; done

# whole: one JSON answer; stream: 20 SSE events written one by one (the model "bench-split");
# stream1: the same 20 events in one write; ndjson: Ollama's 20 lines written one by one.
for mode in whole stream stream1 ndjson; do
  stream=false; [ "$mode" != whole ] && stream=true
  model=bench; [ "$mode" = stream ] || [ "$mode" = ndjson ] && model=bench-split
  cat > "$OUT/$mode.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"$model","stream":$stream,"messages":[{"role":"user","content":"Say hello in five tokens."}]}'
LUA
done
# The unified route's Ollama row: the Ollama model's stream, converted to OpenAI's SSE.
sed 's/"model":"bench-split"/"model":"ol.bench-split"/' "$OUT/ndjson.lua" > "$OUT/ndjson_api.lua"

declare -A URL=(
  [direct]="http://127.0.0.1:$UP/v1/chat/completions"
  [nginx]="http://127.0.0.1:$NGINX_PORT/v1/chat/completions"
  [haproxy]="http://127.0.0.1:$HAPROXY_PORT/v1/chat/completions"
  [switchboard]="http://127.0.0.1:$GW_PORT/openai/chat/completions"
  [switchboard_key]="http://127.0.0.1:$KEY_PORT/openai/chat/completions"
  [switchboard_api]="http://127.0.0.1:$KEY_PORT/api/chat/completions"
  [switchboard_limits]="http://127.0.0.1:$LIM_PORT/openai/chat/completions"
  [switchboard_filters]="http://127.0.0.1:$FILT_PORT/api/chat/completions"
  [switchboard_cluster]="http://127.0.0.1:$CL_PORT/openai/chat/completions"
  [portkey]="http://127.0.0.1:$PK_PORT/v1/chat/completions"
  [baseline]="http://127.0.0.1:${BASE_PORT:-0}/openai/chat/completions"
)
# Ollama's NDJSON chat: the same upstream, its /api/chat; switchboard's /ollama prefix.
declare -A NDJSON_URL=(
  [direct]="http://127.0.0.1:$UP/api/chat"
  [nginx]="http://127.0.0.1:$NGINX_PORT/api/chat"
  [haproxy]="http://127.0.0.1:$HAPROXY_PORT/api/chat"
  [switchboard]="http://127.0.0.1:$GW_PORT/ollama/api/chat"
  [switchboard_key]="http://127.0.0.1:$KEY_PORT/ollama/api/chat"
  [switchboard_api]="http://127.0.0.1:$API_PORT/api/chat/completions"
  [switchboard_limits]="http://127.0.0.1:$LIM_PORT/ollama/api/chat"
  [switchboard_cluster]="http://127.0.0.1:$CL_PORT/ollama/api/chat"
  [baseline]="http://127.0.0.1:${BASE_PORT:-0}/ollama/api/chat"
)

# Prints "rps p50_us p99_us" from wrk --latency output.
parse() {
  awk '
    function us(v) { if (v ~ /us$/) return v+0; if (v ~ /ms$/) return (v+0)*1000; if (v ~ /s$/) return (v+0)*1000000; return v }
    /^ +50%/ { p50 = us($2) } /^ +99%/ { p99 = us($2) } /^Requests\/sec/ { rps = $2 }
    /Non-2xx/ { bad = $NF } / requests in / { n = $1 }
    END { printf "%d %d %d %d %d\n", rps, p50, p99, bad+0, n }' "$1"
}
# cpu_ticks PID: the CPU a process used so far (user and system, every thread), in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
TICK=$(getconf CLK_TCK)

RUNS="$OUT/runs.txt"
: > "$RUNS"
for round in $(seq "$ROUNDS"); do
  for mode in ${MODES:-whole stream stream1 ndjson}; do
    for c in $LEVELS; do
      t=1; [ "$c" -gt 1 ] && t=2
      for target in ${ONLY:-$TARGETS}; do
        # A baseline from before /ollama existed has nothing to compare there.
        [ "$mode" = ndjson ] && [ "$target" = baseline ] && [ -n "${BASELINE_NO_OLLAMA:-}" ] && continue
        [ "$mode" = ndjson ] && [ "$target" = switchboard_filters ] && continue
        [ "$mode" = ndjson ] && [ "$target" = portkey ] && continue  # OpenAI's shape only
        url=${URL[$target]}
        [ "$mode" = ndjson ] && url=${NDJSON_URL[$target]}
        log="$OUT/$mode-$c-$target-$round.txt"
        auth=()
        script="$OUT/$mode.lua"
        [ "$target" = switchboard_key ] || [ "$target" = switchboard_api ] &&
          auth=(-H "Authorization: Bearer $KEY")
        [ "$target" = switchboard_filters ] && auth=(-H "Authorization: Bearer $FILT_KEY")
        [ "$target" = switchboard_limits ] && auth=(-H "Authorization: Bearer $LIM_KEY")
        [ "$target" = switchboard_cluster ] && auth=(-H "Authorization: Bearer $CL_KEY")
        [ "$target" = portkey ] && auth=(-H "x-portkey-provider: openai" -H "Authorization: Bearer bench"
          -H "x-portkey-custom-host: http://127.0.0.1:$UP/v1")
        if [ "$mode" = ndjson ] && [ "$target" = switchboard_api ]; then
          auth=(-H "Authorization: Bearer $API_KEY")
          script="$OUT/ndjson_api.lua"
        fi
        pid=${PID[$target]}
        [ "$mode" = ndjson ] && [ "$target" = switchboard_api ] && pid=$API_PID
        before=$(cpu_ticks "$pid")
        taskset -c "$CORE" wrk -t"$t" -c"$c" -d"${DUR}s" --latency -s "$script" "${auth[@]}" \
          "$url" > "$log"
        after=$(cpu_ticks "$pid")
        read -r rps p50 p99 bad n <<<"$(parse "$log")"
        # The target's own CPU per request, in µs (the upstream's own when direct).
        own=$(( n > 0 ? (after - before) * 1000000 / TICK / n : 0 ))
        echo "$mode $c $target $rps $p50 $p99 $bad $own" | tee -a "$RUNS"
      done
    done
  done
done

# Median of the rounds for each (mode, connections, target), in run order.
RESULTS="$OUT/results.txt"
python3 - "$RUNS" > "$RESULTS" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    mode, c, target, *vals = line.split()
    rows.setdefault((mode, c, target), []).append([int(v) for v in vals])
for (mode, c, target), runs in rows.items():
    med = [int(statistics.median(col)) for col in zip(*runs)]
    med[3] = sum(r[3] for r in runs)  # non-2xx: the total, not a median
    print(mode, c, target, *med)
PY

if [ -n "${ONLY:-}${MODES:-}" ]; then
  cat "$RESULTS"
  rm -rf "$GW_DATA" "$KEY_DATA" "$LIM_DATA" "$API_DATA" "$FILT_DATA" "${CL_DATA[@]}" ${BASE_DATA:-}
  exit 0
fi
# Requests/s sustained with p99 under 20 ms: non-streamed chat at more connections, the best
# rate of a level whose p99 stays under 20 ms.
# Targets interleaved at each level, a second apart: a proxy closing a thousand connections
# just before would otherwise slow the next one's run on the shared core.
SUSTAINED_BLOCK=$(
  echo "| target | conns | req/s | p99 µs |"
  echo "|---|---|---|---|"
  for c in 64 256 1024; do
    for target in nginx haproxy switchboard; do
      sleep 1
      log="$OUT/sustained-$c-$target.txt"
      taskset -c "$CORE" wrk -t2 -c"$c" -d"${DUR}s" --latency -s "$OUT/whole.lua" "${URL[$target]}" > "$log"
      read -r rps _ p99 _ _ <<<"$(parse "$log")"
      echo "| $target | $c | $rps | $p99 |"
    done
  done
  echo
  echo "| target | best req/s with p99 < 20 ms |"
  echo "|---|---|"
  for target in nginx haproxy switchboard; do
    best=0
    for c in 64 256 1024; do
      read -r rps _ p99 _ _ <<<"$(parse "$OUT/sustained-$c-$target.txt")"
      [ "$p99" -lt 20000 ] && [ "$rps" -gt "$best" ] && best=$rps
    done
    echo "| $target | $best |"
  done)
echo "$SUSTAINED_BLOCK"
# 512 streams at once, the upstream pacing its events (bench/many_streams.sh).
MANY_STREAMS_BLOCK=$(bash bench/many_streams.sh 512 "$CORE")
echo "$MANY_STREAMS_BLOCK"
# Time to the first streamed event over new connections (bench/first_byte.py).
FIRST_BYTE_BLOCK=$(taskset -c "$CORE" python3 bench/first_byte.py 500 3 \
  "direct=$UP:/v1/chat/completions" "nginx=$NGINX_PORT:/v1/chat/completions" \
  "haproxy=$HAPROXY_PORT:/v1/chat/completions" "switchboard=$GW_PORT:/openai/chat/completions")
echo "$FIRST_BYTE_BLOCK"
# Memory per idle keep-alive connection, each proxy holding IDLE_CONNS of them, then per open
# stream, each holding OPEN_STREAMS (bench/idle_memory.py). Idle first: a process's heap, once
# grown by the streams, would hide what idle connections cost.
MEMORY_TARGETS=("nginx=${PID[nginx]}:$NGINX_PORT:/v1/chat/completions"
  "haproxy=${PID[haproxy]}:$HAPROXY_PORT:/v1/chat/completions"
  "switchboard=${PID[switchboard]}:$GW_PORT:/openai/chat/completions")
MEMORY_BLOCK=$(python3 bench/idle_memory.py "${IDLE_CONNS:-4000}" "${MEMORY_TARGETS[@]}")
echo "$MEMORY_BLOCK"
STREAM_MEMORY_BLOCK=$(python3 bench/idle_memory.py --open-streams "${OPEN_STREAMS:-2000}" \
  "${MEMORY_TARGETS[@]}")
echo "$STREAM_MEMORY_BLOCK"
# Two cores (bench/two_cores.sh) and the model list of 100 upstreams (bench/model_list.sh).
TWO_CORES_BLOCK=$(bash bench/two_cores.sh "$UP" "$DUR" "$ROUNDS")
echo "$TWO_CORES_BLOCK"
MODEL_LIST_BLOCK=$(bash bench/model_list.sh "$UP" "$DUR" "$CORE")
echo "$MODEL_LIST_BLOCK"

# The policy benchmark's section (bench/policies.py) is kept as it is.
POLICY_BLOCK=$(sed -n '/<!-- policies:begin -->/,/<!-- policies:end -->/p' bench/RESULTS.md 2>/dev/null || true)
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
{
  echo "# Benchmark results"
  echo
  echo "Command: \`make bench\` (= \`bench/run.sh $DUR \"$LEVELS\" $ROUNDS\`), $(date -u +%Y-%m-%d), commit $COMMIT,"
  echo "$(nproc) vCPU ($CPU). wrk, the canned upstream (bench/canned_upstream.cpp, one epoll thread),"
  echo "nginx 1 worker (keep-alive 128 to the upstream, proxy_buffering off), HAProxy 1 thread"
  echo "(http-reuse always) and switchboard (THREADS=1)"
  echo "('switchboard_key': the same build with accounts on, every request authenticated by an API key;"
  echo "'switchboard_api': the same through the unified /api/chat/completions; in the ndjson rows an"
  echo "Ollama model, its NDJSON stream converted to OpenAI's SSE; 'switchboard_filters': the unified"
  echo "route with a Pipelines server whose filter names another model, for a model no filter names;"
  echo "'switchboard_limits': as 'switchboard_key', the key with an RPM, a TPM and a budget;"
  echo "'switchboard_cluster': as 'switchboard_limits' on node 1 of a 3-node cluster, the budget"
  echo "leased, the other two nodes on the other core; 'portkey': Portkey's open-source AI gateway"
  echo "from npm (bench/portkey/package.json), one Node process, the AI-gateway row)"
  [ -n "$BASELINE_GW" ] && echo "('baseline': switchboard built from an earlier commit, same settings)"
  echo "all pinned to CPU $CORE: requests/s is the inverse of the total CPU per request, so the gap to"
  echo "'direct' is each proxy's own cost ('added CPU µs/req' = 1e6/req/s - 1e6/req/s direct; 'CPU vs"
  echo "nginx' and 'vs HAProxy': that cost as a multiple of theirs, lower is better). 'own CPU µs/req':"
  echo "the CPU the target's process used during the run (from /proc, every thread) per request: the"
  echo "upstream's own for 'direct'. It holds where the subtraction cannot, for streams written event by"
  echo "event, which cost the client more straight than through a proxy that coalesces them."
  echo "'whole' = non-streamed chat completion (~430 B answer); 'stream' = 20 SSE events, a usage chunk"
  echo "and [DONE], each event written separately by the upstream; 'stream1' = the same in one write;"
  echo "'ndjson' = Ollama's /api/chat NDJSON stream (20 lines + the final one, written one by one),"
  echo "through /ollama."
  echo "Each figure: the median of $ROUNDS runs of ${DUR} s, targets interleaved."
  echo
  echo "| mode | conns | target | req/s | p50 µs | p99 µs | non-2xx | vs nginx req/s | added p50 vs direct µs | added CPU µs/req | CPU vs nginx | CPU vs HAProxy | own CPU µs/req | own vs nginx | own vs HAProxy | own vs Portkey |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  while read -r mode c target rps p50 p99 bad own; do
    cell() { awk -v m="$mode" -v c="$c" -v t="$1" -v f="$2" '$1==m && $2==c && $3==t {print $f}' "$RESULTS"; }
    nrps=$(cell nginx 4)
    hrps=$(cell haproxy 4)
    drps=$(cell direct 4)
    dp50=$(cell direct 5)
    ratio=$(awk -v a="$rps" -v b="$nrps" 'BEGIN { if (b > 0) printf "%.2fx", a/b; else print "-" }')
    # All on one core: 1e6/req/s is the CPU per request; less the upstream's own, the proxy's.
    cpu=$(awk -v a="$rps" -v d="$drps" 'BEGIN { if (a > 0 && d > 0) printf "%.1f", 1e6/a - 1e6/d; else print "-" }')
    vs() { awk -v a="$rps" -v p="$1" -v d="$drps" 'BEGIN { if (a > 0 && p > 0 && d > 0 && 1e6/p > 1e6/d) printf "%.2fx", (1e6/a - 1e6/d) / (1e6/p - 1e6/d); else print "-" }'; }
    nown=$(cell nginx 8)
    hown=$(cell haproxy 8)
    pown=$(cell portkey 8)
    own_vs() { awk -v a="$own" -v b="$1" 'BEGIN { if (b > 0) printf "%.2fx", a/b; else print "-" }'; }
    echo "| $mode | $c | $target | $rps | $p50 | $p99 | $bad | $ratio | $((p50 - dp50)) | $cpu | $(vs "$nrps") | $(vs "$hrps") | $own | $(own_vs "$nown") | $(own_vs "$hown") | $(own_vs "$pown") |"
  done < "$RESULTS"
  echo
  echo "Requests/s sustained with p99 under 20 ms (non-streamed chat, wrk -t2 at 64, 256 and 1,024"
  echo "connections, ${DUR} s each, all on CPU $CORE):"
  echo
  echo "$SUSTAINED_BLOCK"
  echo
  echo "512 streams at once (bench/many_streams.sh): the fake upstream on the other core paces 20"
  echo "events 50 ms apart; the client (Python, other core) times every event. 'added per event':"
  echo "the mean gap between a stream's events less the 50 ms pacing:"
  echo
  echo "$MANY_STREAMS_BLOCK"
  echo
  echo "Time to the first streamed event over a new connection (connect, a streamed request for"
  echo "'bench-split', read until its first event; 500 in turn per target, 3 rounds interleaved;"
  echo "Python's client, the same for every target, so the added column is what to read):"
  echo
  echo "$FIRST_BYTE_BLOCK"
  echo
  echo "Memory per idle keep-alive connection (each made one non-streamed request, then stays open;"
  echo "resident memory of the proxy's process before and after, one second after the last):"
  echo
  echo "$MEMORY_BLOCK"
  echo
  echo "Memory per open stream (each connection asked for the canned upstream's 'bench-hold' stream,"
  echo "which sends its first event and then holds the stream open; measured after the idle row):"
  echo
  echo "$STREAM_MEMORY_BLOCK"
  echo
  echo "Two cores (bench/two_cores.sh): nginx with 2 workers, HAProxy with 2 threads, switchboard"
  echo "with THREADS=2, wrk -t2 -c32 and the canned upstream sharing CPUs 0 and 1; req/s, the median"
  echo "of $ROUNDS runs of ${DUR} s ('stream' = 20 SSE events written one by one):"
  echo
  echo "$TWO_CORES_BLOCK"
  echo
  echo "The model list with 100 configured upstreams, 10 of them dead (5 refuse connections, 5"
  echo "never answer), the other 90 the canned upstream (bench/model_list.sh; THREADS=1, wrk at one"
  echo "connection):"
  echo
  echo "$MODEL_LIST_BLOCK"
  if [ -n "$POLICY_BLOCK" ]; then
    echo
    echo "$POLICY_BLOCK"
  fi
} > bench/RESULTS.md
cat bench/RESULTS.md
rm -rf "$GW_DATA" "$KEY_DATA" "$LIM_DATA" "$API_DATA" "$FILT_DATA" "${CL_DATA[@]}" ${BASE_DATA:-}
