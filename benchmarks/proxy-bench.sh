#!/usr/bin/env bash
# Loopback HTTP/TCP proxy benchmark: wrk straight to the backends, through the dsblocks L7 proxy,
# through HAProxy (http mode, roundrobin, keep-alive) and through nginx (proxy_pass with upstream
# keepalive) - same backends, same wrk settings, ROUNDS rounds each, targets interleaved per round
# so that machine noise hits all of them alike. With MODE=tcp (or both) it also compares the
# dsblocks L4 proxy with HAProxy's tcp mode. Prints req/s, p50, p99 and ratios as Markdown.
#
# Not part of CI. Installs nothing: needs wrk, haproxy, nginx, java and mvn on the PATH
# (Debian: apt-get install -y wrk haproxy nginx).
#
# Settings (environment variables, defaults in brackets):
#   DURATION [10s]  wrk duration per round        WARMUP [5s]   length of each warm-up run
#   WARMUP_RUNS [3] warm-up runs per target, each on fresh connections (JIT, see below)
#   ROUNDS [3]      rounds per target             CONNECTIONS [64]  wrk connections
#   WRK_THREADS [1] wrk threads                   BACKENDS [3]  backend servers (nginx, static)
#   PROXY_THREADS [1]  worker threads/processes given to every proxy alike
#   MODE [http]     http, tcp or both             BASE_PORT [18000]
#   JAVA_OPTS       JVM flags for the dsblocks proxy [-Xms256m -Xmx256m -XX:+UseParallelGC
#                   -Dio.netty.leakDetection.level=disabled]. Netty's default leak detector
#                   (SIMPLE) samples 1 in 128 buffers and captures a stack trace for each sample:
#                   about 1-2 us of CPU per proxied request here. nginx and HAProxy run no such
#                   checker, so the comparison turns it off; the proxy's tests run with the
#                   paranoid detector instead (every buffer tracked, any leak fails the build).
#   CLASSPATH_FILE  a file holding a ready classpath for ProxyMain (skips the Maven build)
#   CPU [0]         1: also report CPU time per request of each target's processes (user and
#                   system microseconds: utime/stime deltas from /proc/<pid>/stat, summed over the
#                   process and its children, around each measured wrk run, divided by the
#                   requests wrk completed). Much less sensitive to other load on the machine than
#                   req/s; for "direct" it is the backends' cost.
#
# Warm-up: every wrk run opens CONNECTIONS fresh connections and closes them at its end. After a
# single long warm-up the JVM proxy had compiled the request path but not connection set-up and
# tear-down: each measured round then began with deoptimisations and ~100 recompilations
# (-XX:+PrintCompilation), which showed up as the round's 1-2% slowest requests (p99 3.6 ms in the
# first round after one warm-up run, 2.7 ms by the third). A proxy in service sees connections come
# and go all the time, so several warm-up runs per target is the steady state; nginx and HAProxy
# get the same runs.
#
# Example (short): DURATION=5s WARMUP=3s ROUNDS=3 benchmarks/proxy-bench.sh
set -euo pipefail

DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-5s}
WARMUP_RUNS=${WARMUP_RUNS:-3}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-64}
WRK_THREADS=${WRK_THREADS:-1}
BACKENDS=${BACKENDS:-3}
PROXY_THREADS=${PROXY_THREADS:-1}
MODE=${MODE:-http}
CPU=${CPU:-0}
BASE_PORT=${BASE_PORT:-18000}
JAVA_OPTS=${JAVA_OPTS:-"-Xms256m -Xmx256m -XX:+UseParallelGC -Dio.netty.leakDetection.level=disabled"}

missing=()
for tool in wrk haproxy nginx java mvn; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if ((${#missing[@]})); then
  echo "missing: ${missing[*]}" >&2
  echo "install them first, e.g.: apt-get install -y wrk haproxy nginx (and a JDK 17 + Maven)" >&2
  exit 1
fi

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/proxy-bench.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  for pidfile in "$WORK"/*.pid; do
    [[ -f $pidfile ]] && kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

# ---------------------------------------------------------------- classpath for ProxyMain
if [[ -n ${CLASSPATH_FILE:-} ]]; then
  CP=$(cat "$CLASSPATH_FILE")
else
  echo "building ds-loadbalancer (mvn compile) ..." >&2
  (cd "$ROOT" && mvn -B -q -pl ds-loadbalancer -am compile dependency:build-classpath \
    -Dmdep.outputFile="$WORK/cp.txt" -Dmdep.includeScope=runtime >&2)
  CP="$ROOT/ds-loadbalancer/target/classes:$ROOT/ds-ratelimit/target/classes:$ROOT/ds-sharding/target/classes:$(cat "$WORK/cp.txt")"
fi

port() { echo $((BASE_PORT + $1)); }

DS_HTTP_PORT=$(port 11)
HAPROXY_HTTP_PORT=$(port 12)
NGINX_HTTP_PORT=$(port 13)
DS_TCP_PORT=$(port 14)
HAPROXY_TCP_PORT=$(port 15)

wait_port() { # port
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "nothing listens on port $1" >&2
  return 1
}

# ---------------------------------------------------------------- backends: nginx, static answer
{
  echo "worker_processes 1; daemon off; pid $WORK/backends.pid; error_log $WORK/backends.err;"
  echo "events { worker_connections 4096; }"
  echo "http { access_log off; keepalive_requests 1000000;"
  for i in $(seq 0 $((BACKENDS - 1))); do
    echo "  server { listen 127.0.0.1:$(port "$i"); location / { return 200 \"hello from backend $i\n\"; } }"
  done
  echo "}"
} >"$WORK/backends.conf"
nginx -p "$WORK" -c "$WORK/backends.conf" &
PIDS+=($!)
BACKENDS_PID=$!
BACKEND_LIST=()
for i in $(seq 0 $((BACKENDS - 1))); do
  wait_port "$(port "$i")"
  BACKEND_LIST+=("127.0.0.1:$(port "$i")")
done
DIRECT_PORT=$(port 0) # "direct" = wrk straight to one backend

# ---------------------------------------------------------------- proxies
DS_ARGS=()
for b in "${BACKEND_LIST[@]}"; do DS_ARGS+=(--backend "$b"); done

start_dsblocks() { # mode port
  # shellcheck disable=SC2086
  java $JAVA_OPTS -cp "$CP" io.dsblocks.loadbalancer.proxy.ProxyMain --mode "$1" \
    --listen "127.0.0.1:$2" --threads "$PROXY_THREADS" "${DS_ARGS[@]}" >"$WORK/dsblocks-$1.log" 2>&1 &
  PIDS+=($!)
  LAST_PID=$!
  wait_port "$2"
}

haproxy_cfg() { # mode port
  {
    echo "global"
    echo "  nbthread $PROXY_THREADS"
    echo "  maxconn 8000"
    echo "defaults"
    echo "  mode $1"
    echo "  timeout connect 5s"
    echo "  timeout client 60s"
    echo "  timeout server 60s"
    if [[ $1 == http ]]; then
      echo "  option http-keep-alive"
      echo "  http-reuse always"
    fi
    echo "frontend fe"
    echo "  bind 127.0.0.1:$2"
    echo "  default_backend be"
    echo "backend be"
    echo "  balance roundrobin"
    local n=0
    for b in "${BACKEND_LIST[@]}"; do echo "  server s$n $b"; n=$((n + 1)); done
  } >"$WORK/haproxy-$1.cfg"
}

start_haproxy() { # mode port
  haproxy_cfg "$1" "$2"
  haproxy -db -f "$WORK/haproxy-$1.cfg" >"$WORK/haproxy-$1.log" 2>&1 &
  PIDS+=($!)
  LAST_PID=$!
  wait_port "$2"
}

start_nginx_proxy() { # port
  {
    echo "worker_processes $PROXY_THREADS; daemon off; pid $WORK/nginx-proxy.pid; error_log $WORK/nginx-proxy.err;"
    echo "events { worker_connections 4096; }"
    echo "http { access_log off; keepalive_requests 1000000;"
    echo "  upstream be { keepalive 256;"
    for b in "${BACKEND_LIST[@]}"; do echo "    server $b;"; done
    echo "  }"
    echo "  server { listen 127.0.0.1:$1; location / {"
    echo "    proxy_pass http://be; proxy_http_version 1.1; proxy_set_header Connection \"\"; } }"
    echo "}"
  } >"$WORK/nginx-proxy.conf"
  nginx -p "$WORK" -c "$WORK/nginx-proxy.conf" &
  PIDS+=($!)
  LAST_PID=$!
  wait_port "$1"
}

TARGETS=()
declare -A TARGET_PORT TARGET_PID
add_target() { TARGETS+=("$1"); TARGET_PORT[$1]=$2; TARGET_PID[$1]=$3; }

add_target direct "$DIRECT_PORT" "$BACKENDS_PID"
if [[ $MODE == http || $MODE == both ]]; then
  start_dsblocks http "$DS_HTTP_PORT"
  add_target dsblocks-l7 "$DS_HTTP_PORT" "$LAST_PID"
  start_haproxy http "$HAPROXY_HTTP_PORT"
  add_target haproxy-http "$HAPROXY_HTTP_PORT" "$LAST_PID"
  start_nginx_proxy "$NGINX_HTTP_PORT"
  add_target nginx "$NGINX_HTTP_PORT" "$LAST_PID"
fi
if [[ $MODE == tcp || $MODE == both ]]; then
  start_dsblocks tcp "$DS_TCP_PORT"
  add_target dsblocks-l4 "$DS_TCP_PORT" "$LAST_PID"
  start_haproxy tcp "$HAPROXY_TCP_PORT"
  add_target haproxy-tcp "$HAPROXY_TCP_PORT" "$LAST_PID"
fi

# ---------------------------------------------------------------- measure
to_ms() { # "1.23ms" | "456.00us" | "1.20s" -> milliseconds
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
    else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.3f", v * 60000 }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
    else printf "%s", v }'
}

CLK_TCK=$(getconf CLK_TCK)
cpu_ticks() { # pid -> "utime stime" in clock ticks, summed over the process and its children
  local p u=0 s=0 f
  for p in "$1" $(pgrep -P "$1" || true); do
    [[ -r /proc/$p/stat ]] || continue
    # Fields after "pid (comm) ": state is 1st, utime 12th, stime 13th (comm may hold spaces).
    read -r -a f <<<"$(sed 's/^.*) //' "/proc/$p/stat")"
    u=$((u + f[11]))
    s=$((s + f[12]))
  done
  echo "$u $s"
}

run_wrk() { # target duration -> "rps p50ms p99ms [user_us_per_req sys_us_per_req]"
  local out before after
  before=$(cpu_ticks "${TARGET_PID[$1]}")
  out=$(wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$2" --latency "http://127.0.0.1:${TARGET_PORT[$1]}/")
  after=$(cpu_ticks "${TARGET_PID[$1]}")
  if grep -q "Non-2xx\|Socket errors" <<<"$out"; then
    echo "warning: $1 had errors: $(grep "Non-2xx\|Socket errors" <<<"$out" | tr -s ' ')" >&2
  fi
  local rps p50 p99
  rps=$(awk '/Requests\/sec:/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  local cpu=""
  if [[ $CPU == 1 ]]; then
    local n
    n=$(awk '/requests in/ {print $1}' <<<"$out")
    cpu=$(awk -v b="$before" -v a="$after" -v n="$n" -v hz="$CLK_TCK" 'BEGIN {
      split(b, x, " "); split(a, y, " ");
      printf " %.2f %.2f", (y[1] - x[1]) * 1e6 / hz / n, (y[2] - x[2]) * 1e6 / hz / n }')
  fi
  echo "$rps $(to_ms "$p50") $(to_ms "$p99")$cpu"
}

echo "warming up (${WARMUP_RUNS} runs of ${WARMUP} per target) ..." >&2
for _ in $(seq 1 "$WARMUP_RUNS"); do
  for t in "${TARGETS[@]}"; do run_wrk "$t" "$WARMUP" >/dev/null; done
done

declare -A RESULTS
for r in $(seq 1 "$ROUNDS"); do
  for t in "${TARGETS[@]}"; do
    res=$(run_wrk "$t" "$DURATION")
    RESULTS[$t]+="$res"$'\n'
    echo "round $r  $t  req/s p50ms p99ms$([[ $CPU == 1 ]] && echo " cpu-user-us cpu-sys-us") = $res" >&2
  done
done

median() { sort -g | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
column_of() { awk -v c="$2" 'NF {print $c}' <<<"${RESULTS[$1]}"; }

declare -A RPS P50 P99 RANGE CPU_USER CPU_SYS
for t in "${TARGETS[@]}"; do
  RPS[$t]=$(column_of "$t" 1 | median)
  P50[$t]=$(column_of "$t" 2 | median)
  P99[$t]=$(column_of "$t" 3 | median)
  if [[ $CPU == 1 ]]; then
    CPU_USER[$t]=$(column_of "$t" 4 | median)
    CPU_SYS[$t]=$(column_of "$t" 5 | median)
  fi
  RANGE[$t]=$(column_of "$t" 1 | sort -g | awk 'NR == 1 {lo = $1} {hi = $1} END {printf "%.0f-%.0f", lo, hi}')
done

ratio() { # a b -> a/b
  if [[ -z ${2:-} ]]; then echo "-"; else awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; fi
}

echo
echo "Loopback, $(nproc) cores, $BACKENDS nginx backends; wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION" \
  "--latency, $WARMUP_RUNS warm-up runs of $WARMUP, $ROUNDS rounds (median; req/s range in brackets), proxies with $PROXY_THREADS worker(s)" \
  "each; $(java -version 2>&1 | head -1); $(haproxy -v | head -1 | cut -d' ' -f1-3); $(nginx -v 2>&1)."
echo
echo "| target | req/s | p50 ms | p99 ms | req/s vs nginx | req/s vs HAProxy | p99 vs HAProxy |"
echo "|---|---|---|---|---|---|---|"
for t in "${TARGETS[@]}"; do
  case $t in
    dsblocks-l4 | haproxy-tcp) ref=haproxy-tcp; nref="" ;;
    *) ref=haproxy-http; nref=nginx ;;
  esac
  vs_nginx="-"
  [[ -n $nref && -n ${RPS[$nref]:-} ]] && vs_nginx=$(ratio "${RPS[$t]}" "${RPS[$nref]}")
  vs_haproxy=$(ratio "${RPS[$t]}" "${RPS[$ref]:-}")
  p99_haproxy=$(ratio "${P99[$t]}" "${P99[$ref]:-}")
  printf "| %s | %.0f (%s) | %s | %s | %s | %s | %s |\n" "$t" "${RPS[$t]}" "${RANGE[$t]}" \
    "${P50[$t]}" "${P99[$t]}" "$vs_nginx" "$vs_haproxy" "$p99_haproxy"
done
if [[ $CPU == 1 ]]; then
  echo
  echo "CPU time per request of the target's processes (median of the rounds; for direct: the backends):"
  echo
  echo "| target | user µs/req | sys µs/req | total µs/req | total vs nginx | total vs HAProxy |"
  echo "|---|---|---|---|---|---|"
  for t in "${TARGETS[@]}"; do
    case $t in
      dsblocks-l4 | haproxy-tcp) ref=haproxy-tcp; nref="" ;;
      *) ref=haproxy-http; nref=nginx ;;
    esac
    total=$(awk -v u="${CPU_USER[$t]}" -v s="${CPU_SYS[$t]}" 'BEGIN {printf "%.2f", u + s}')
    vs_nginx="-"
    vs_haproxy="-"
    if [[ -n $nref && -n ${CPU_USER[$nref]:-} ]]; then
      vs_nginx=$(ratio "$total" "$(awk -v u="${CPU_USER[$nref]}" -v s="${CPU_SYS[$nref]}" 'BEGIN {print u + s}')")
    fi
    if [[ -n ${CPU_USER[$ref]:-} ]]; then
      vs_haproxy=$(ratio "$total" "$(awk -v u="${CPU_USER[$ref]}" -v s="${CPU_SYS[$ref]}" 'BEGIN {print u + s}')")
    fi
    printf "| %s | %s | %s | %s | %s | %s |\n" "$t" "${CPU_USER[$t]}" "${CPU_SYS[$t]}" "$total" \
      "$vs_nginx" "$vs_haproxy"
  done
fi
