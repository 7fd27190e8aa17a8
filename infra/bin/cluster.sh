# shellcheck shell=bash
# `infra up|down|status --cluster`, sourced by infra/bin/infra (which defines say, die, quietly,
# reachable, the Kafka jar cache and tools): the clustered topology beside the single-node one,
# on ports of its own, every process started here with its pid under .infra/cluster/:
#   Redis Cluster  3 primaries + 3 replicas     127.0.0.1:7001-7006 (cluster bus +100)
#   Kafka (KRaft)  3 broker+controller nodes     127.0.0.1:19092-19094 (controllers +100)
#   NATS           3 servers joined by routes   127.0.0.1:4231-4233 (routes +100, monitoring +4000)
# Sized for 2 cores: small broker heaps, few broker threads, Redis and NATS as they come.

CDIR="$RUN/cluster"
read -r -a C_REDIS_PORTS <<<"${CLUSTER_REDIS_PORTS:-7001 7002 7003 7004 7005 7006}"
read -r -a C_KAFKA_PORTS <<<"${CLUSTER_KAFKA_PORTS:-19092 19093 19094}"
read -r -a C_NATS_PORTS <<<"${CLUSTER_NATS_PORTS:-4231 4232 4233}"
C_KAFKA_HEAP_OPTS="${CLUSTER_KAFKA_HEAP_OPTS:--Xms128m -Xmx384m}"
C_REDIS_NODE_TIMEOUT_MS="${CLUSTER_REDIS_NODE_TIMEOUT_MS:-2000}"

join_by() { local IFS=$1; shift; echo "$*"; }
c_redis_url() { echo "redis-cluster://$(join_by , "${C_REDIS_PORTS[@]/#/127.0.0.1:}")"; }
c_kafka_brokers() { join_by , "${C_KAFKA_PORTS[@]/#/127.0.0.1:}"; }
c_nats_url() { join_by , "${C_NATS_PORTS[@]/#/nats://127.0.0.1:}"; }

# node_pid PIDFILE WORD...: the pid in PIDFILE if that process is alive and its command line has
# every WORD (so a reused pid is never taken for ours); a stale file is removed.
node_pid() {
  local file=$1 pid word; shift
  [[ -f $file ]] || return 0
  pid="$(<"$file")"
  if [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]]; then
    for word in "$@"; do grep -qaF -- "$word" "/proc/$pid/cmdline" || { rm -f "$file"; return 0; }; done
    echo "$pid"
  else
    rm -f "$file"
  fi
}
redis_node_pid() { node_pid "$CDIR/redis-$1/redis.pid" redis-server ":$1"; }
kafka_node_pid() { node_pid "$CDIR/kafka-$1/kafka.pid" kafka.Kafka "$CDIR/kafka-$1/server.properties"; }
nats_node_pid() { node_pid "$CDIR/nats-$1/nats.pid" nats-server "$1"; }

# A port we must start a node on is taken by someone else's process: stop, do not guess.
port_free_or_die() { ! reachable 127.0.0.1 "$2" || die "$1: 127.0.0.1:$2 is in use by a process infra did not start (change CLUSTER_*_PORTS)"; }

# stop_pids NAME GRACE_S PID...: SIGTERM, then SIGKILL after GRACE_S; all at once.
stop_pids() {
  local name=$1 grace=$2 pid left; shift 2
  (($#)) || { say "$name" "not running"; return; }
  kill -TERM "$@" 2>/dev/null || true
  for _ in $(seq $((grace * 2))); do
    left=0
    for pid in "$@"; do [[ -d /proc/$pid ]] && left=1; done
    ((left)) || break
    sleep 0.5
  done
  for pid in "$@"; do [[ -d /proc/$pid ]] && kill -KILL "$pid" 2>/dev/null; done
  say "$name" "stopped (pids $*)"
}

# wait_all SECONDS CHECK PORT...: until `CHECK port` holds for every port; fails after SECONDS.
wait_all() {
  local end=$((SECONDS + $1)) check=$2 port ok
  shift 2
  while :; do
    ok=1
    for port in "$@"; do "$check" "$port" || ok=0; done
    ((ok)) && return 0
    ((SECONDS < end)) || return 1
    sleep 0.25
  done
}

# ---------- Redis Cluster ----------

redis_cli() { redis-cli -h 127.0.0.1 -p "$1" "${@:2}"; }
redis_cluster_state() { redis_cli "$1" cluster info 2>/dev/null | tr -d '\r' | sed -n 's/^cluster_state://p'; }
redis_known_nodes() { redis_cli "$1" cluster info 2>/dev/null | tr -d '\r' | sed -n 's/^cluster_known_nodes://p'; }
# the node sees the cluster ok, with every node in it
redis_node_ok() { [[ "$(redis_cluster_state "$1")" == ok && "$(redis_known_nodes "$1")" == "${#C_REDIS_PORTS[@]}" ]]; }

cluster_redis_up() {
  command -v redis-server >/dev/null || die "redis: not installed; run: apt-get install -y redis-server"
  local port dir started=()
  for port in "${C_REDIS_PORTS[@]}"; do
    [[ -n "$(redis_node_pid "$port")" ]] && continue
    port_free_or_die redis "$port"
    dir="$CDIR/redis-$port"
    mkdir -p "$dir"
    # AOF: a node killed and started again comes back with what it acknowledged (then resyncs
    # from its primary), never empty while it still owns slots. Partial coverage: the other
    # shards keep serving while one fails over.
    quietly "$dir/start.log" redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" \
      --cluster-enabled yes --cluster-port $((port + 100)) --cluster-config-file nodes.conf \
      --cluster-node-timeout "$C_REDIS_NODE_TIMEOUT_MS" --cluster-require-full-coverage no \
      --appendonly yes --appendfsync everysec --save "" \
      --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" 9>&- \
      || die "redis: node $port failed to start (see above)"
    started+=("$port")
  done
  for port in "${C_REDIS_PORTS[@]}"; do wait_port 127.0.0.1 "$port" 30 || die "redis: node $port does not answer; see $CDIR/redis-$port/redis.log"; done
  if [[ "$(redis_known_nodes "${C_REDIS_PORTS[0]}")" == 1 ]]; then
    quietly "$CDIR/redis-create.log" redis-cli --cluster create "${C_REDIS_PORTS[@]/#/127.0.0.1:}" \
      --cluster-replicas 1 --cluster-yes || die "redis: redis-cli --cluster create failed (see above)"
  fi
  wait_all 60 redis_node_ok "${C_REDIS_PORTS[@]}" \
    || die "redis: the cluster is not ok after 60 s (redis-cli -p ${C_REDIS_PORTS[0]} cluster nodes; logs in $CDIR/redis-*/)"
  say redis "up    cluster: $(redis_roles)${started[*]:+ (started ${started[*]})}"
}

# "7001 primary, 7004 replica, ...", as the nodes see themselves
redis_roles() {
  local port role out=()
  for port in "${C_REDIS_PORTS[@]}"; do
    role="$(redis_cli "$port" role 2>/dev/null | head -n 1)"
    out+=("$port ${role/master/primary}")
  done
  out=("${out[@]/slave/replica}")
  join_by , "${out[@]}" | sed 's/,/, /g'
}

cluster_redis_down() {
  local port pids=() pid
  for port in "${C_REDIS_PORTS[@]}"; do pid="$(redis_node_pid "$port")"; [[ -n $pid ]] && pids+=("$pid"); done
  stop_pids redis 10 "${pids[@]}"
}

# ---------- Kafka ----------

c_kafka_voters() {
  local i voters=()
  for i in "${!C_KAFKA_PORTS[@]}"; do voters+=("$((i + 1))@127.0.0.1:$((C_KAFKA_PORTS[i] + 100))"); done
  join_by , "${voters[@]}"
}

cluster_kafka_up() {
  java_ok || die "kafka: needs Java 17+; run: apt-get install -y openjdk-17-jre-headless"
  fetch_libs
  local i id port dir cluster_id pids=() started=() formats=()
  [[ -s $CDIR/kafka.cluster-id ]] || kafka_tool kafka.tools.StorageTool random-uuid </dev/null >"$CDIR/kafka.cluster-id"
  cluster_id="$(<"$CDIR/kafka.cluster-id")"
  for i in "${!C_KAFKA_PORTS[@]}"; do
    id=$((i + 1)) port=${C_KAFKA_PORTS[i]} dir="$CDIR/kafka-$id"
    mkdir -p "$dir"
    sed -e "s#@NODE_ID@#$id#g" -e "s#@PORT@#$port#g" -e "s#@CONTROLLER_PORT@#$((port + 100))#g" \
      -e "s#@VOTERS@#$(c_kafka_voters)#g" -e "s#@DATA_DIR@#$dir/data#g" "$INFRA/kafka/cluster.properties" >"$dir/server.properties"
    if [[ ! -f $dir/data/meta.properties ]]; then
      quietly "$dir/format.log" kafka_tool kafka.tools.StorageTool format -t "$cluster_id" -c "$dir/server.properties" --ignore-formatted &
      formats+=($!)
    fi
  done
  for i in "${formats[@]}"; do wait "$i" || die "kafka: storage format failed (see above)"; done
  for i in "${!C_KAFKA_PORTS[@]}"; do
    id=$((i + 1)) port=${C_KAFKA_PORTS[i]} dir="$CDIR/kafka-$id"
    [[ -n "$(kafka_node_pid "$id")" ]] && continue
    port_free_or_die kafka "$port"
    [[ -f $dir/server.log ]] && mv "$dir/server.log" "$dir/server.log.1"
    # as start_broker: outlives this script, does not hold the infra lock
    # shellcheck disable=SC2086,SC2016
    setsid nohup bash -c 'echo $$ >"$0"; exec "$@"' "$dir/kafka.pid" \
      "$JAVA" $C_KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError \
      -Djava.awt.headless=true "-Dlog4j2.configurationFile=$INFRA/kafka/log4j2.properties" \
      -cp "$KDIR/libs/*" kafka.Kafka "$dir/server.properties" \
      </dev/null >"$dir/server.log" 2>&1 9>&- &
    for _ in $(seq 50); do [[ -s $dir/kafka.pid ]] && break; sleep 0.1; done
    started+=("$id")
  done
  local end=$((SECONDS + KAFKA_START_TIMEOUT)) pid
  for id in "${started[@]}"; do
    dir="$CDIR/kafka-$id"
    until grep -q 'Kafka Server started' "$dir/server.log" 2>/dev/null; do
      pid="$(kafka_node_pid "$id")"
      [[ -n $pid || ! -s $dir/kafka.pid ]] || { tail -n 20 "$dir/server.log" >&2; die "kafka: node $id exited; see $dir/server.log"; }
      ((SECONDS < end)) || die "kafka: node $id not started after ${KAFKA_START_TIMEOUT}s; see $dir/server.log"
      sleep 0.25
    done
  done
  for i in "${!C_KAFKA_PORTS[@]}"; do pids+=("$(kafka_node_pid $((i + 1)))"); done
  # Once per cluster id: the topics live in the nodes' data, so a node started again (after a
  # kill) needs no tool JVMs, which would take the CPU of a sale in progress.
  if [[ "$(cat "$CDIR/kafka.topics.ok" 2>/dev/null)" != "$cluster_id" ]]; then
    until ensure_topics "$(c_kafka_brokers)" 3 "$CDIR"; do
      ((SECONDS < end)) || { cat "$CDIR"/topic-*.log >&2 2>/dev/null; die "kafka: topics not created after ${KAFKA_START_TIMEOUT}s"; }
      sleep 0.5
    done
    echo "$cluster_id" >"$CDIR/kafka.topics.ok"
  fi
  say kafka "up    $(c_kafka_brokers) (${started[*]:+started node ${started[*]}, }pids ${pids[*]}, Kafka $KAFKA_VERSION, replication 3, min ISR 2)"
}

cluster_kafka_down() {
  local i pid pids=()
  for i in "${!C_KAFKA_PORTS[@]}"; do pid="$(kafka_node_pid $((i + 1)))"; [[ -n $pid ]] && pids+=("$pid"); done
  stop_pids kafka 20 "${pids[@]}"
}

# ---------- NATS ----------

# the server has a route to every other one
nats_node_routed() { [[ "$(nats_routes "$1")" == $((${#C_NATS_PORTS[@]} - 1)) ]]; }
nats_routes() { curl -fsS "http://127.0.0.1:$(($1 + 4000))/routez" 2>/dev/null | sed -n 's/.*"num_routes": *\([0-9]*\).*/\1/p'; }

cluster_nats_up() {
  local bin port dir routes started=() peer
  bin="$(command -v nats-server || echo /usr/sbin/nats-server)"
  [[ -x $bin ]] || die "nats: not installed; run: apt-get install -y nats-server"
  for port in "${C_NATS_PORTS[@]}"; do
    [[ -n "$(nats_node_pid "$port")" ]] && continue
    port_free_or_die nats "$port"
    dir="$CDIR/nats-$port"
    mkdir -p "$dir"
    routes=()
    for peer in "${C_NATS_PORTS[@]}"; do [[ $peer == "$port" ]] || routes+=("nats://127.0.0.1:$((peer + 100))"); done
    setsid nohup "$bin" -a 127.0.0.1 -p "$port" -m $((port + 4000)) -P "$dir/nats.pid" -l "$dir/nats.log" \
      --cluster_name seckill --cluster "nats://127.0.0.1:$((port + 100))" --routes "$(join_by , "${routes[@]}")" \
      </dev/null >/dev/null 2>&1 9>&- &
    started+=("$port")
  done
  for port in "${C_NATS_PORTS[@]}"; do wait_port 127.0.0.1 "$port" 15 || die "nats: $port does not answer; see $CDIR/nats-$port/nats.log"; done
  wait_all 30 nats_node_routed "${C_NATS_PORTS[@]}" \
    || die "nats: the servers did not all route to each other in 30 s (curl 127.0.0.1:$((C_NATS_PORTS[0] + 4000))/routez)"
  say nats "up    $(c_nats_url) (${started[*]:+started ${started[*]}, }every server routed to the others)"
}

cluster_nats_down() {
  local port pid pids=()
  for port in "${C_NATS_PORTS[@]}"; do pid="$(nats_node_pid "$port")"; [[ -n $pid ]] && pids+=("$pid"); done
  stop_pids nats 5 "${pids[@]}"
}

# ---------- commands ----------

cluster_up() {
  mkdir -p "$CDIR"
  cluster_redis_up
  cluster_kafka_up
  cluster_nats_up
  # what the apps take to run on the cluster: `set -a; . .infra/cluster/cluster.env; set +a`
  printf 'REDIS_URL=%s\nKAFKA_BROKERS=%s\nNATS_URL=%s\n' "$(c_redis_url)" "$(c_kafka_brokers)" "$(c_nats_url)" | tee "$CDIR/cluster.env"
  echo "infra up --cluster: ready in ${SECONDS}s (the apps' variables are in $CDIR/cluster.env)"
}

cluster_down() {
  cluster_kafka_down
  cluster_nats_down
  cluster_redis_down
}

cluster_status() {
  local down=0 port i pid state
  for port in "${C_REDIS_PORTS[@]}"; do
    pid="$(redis_node_pid "$port")"
    if reachable 127.0.0.1 "$port"; then say redis "up    127.0.0.1:$port ($(redis_cli "$port" role 2>/dev/null | head -n 1 | sed 's/master/primary/;s/slave/replica/')${pid:+, pid $pid})"; else say redis "down  127.0.0.1:$port"; down=1; fi
  done
  state="$(redis_cluster_state "${C_REDIS_PORTS[0]}")"
  say redis "cluster_state ${state:-unknown}"
  [[ $state == ok ]] || down=1
  for i in "${!C_KAFKA_PORTS[@]}"; do
    port=${C_KAFKA_PORTS[i]} pid="$(kafka_node_pid $((i + 1)))"
    if reachable 127.0.0.1 "$port"; then say kafka "up    127.0.0.1:$port (node $((i + 1))${pid:+, pid $pid})"; else say kafka "down  127.0.0.1:$port (node $((i + 1)))"; down=1; fi
  done
  for port in "${C_NATS_PORTS[@]}"; do
    pid="$(nats_node_pid "$port")"
    if reachable 127.0.0.1 "$port"; then say nats "up    127.0.0.1:$port (routes $(nats_routes "$port")${pid:+, pid $pid})"; else say nats "down  127.0.0.1:$port"; down=1; fi
  done
  return "$down"
}
