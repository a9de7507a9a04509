#!/usr/bin/env bash
# HTTP intake load test: builds the exporter, starts it on 127.0.0.1 with a webhook secret (so the simulator
# is off) and a throw-away state dir, runs HttpLoadGenerator against it from a separate JVM, then stops the
# exporter and removes the state dir. Traffic goes to 127.0.0.1 only.
#
#   bench/run-http-load.sh                         # fsync per batch (the default state.fsync=batch)
#   FSYNC=off bench/run-http-load.sh               # fsync off, for comparison
#   CONNECTIONS=32 WARMUP=10 DURATION=30 PORT=19786 EXPORTER_JAVA_OPTS=-Xmx1g SKIP_BUILD=1 bench/run-http-load.sh
set -euo pipefail
cd "$(dirname "$0")/.."

FSYNC=${FSYNC:-batch}
CONNECTIONS=${CONNECTIONS:-16}
WARMUP=${WARMUP:-10}
DURATION=${DURATION:-30}
IDENTITIES=${IDENTITIES:-1000000}
EXPORTER_JAVA_OPTS=${EXPORTER_JAVA_OPTS:--Xmx1g}
GENERATOR_JAVA_OPTS=${GENERATOR_JAVA_OPTS:--Xmx512m}
SECRET=bench-$RANDOM$RANDOM

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if [ -z "${PORT:-}" ]; then
  for _ in $(seq 1 50); do
    PORT=$((20000 + RANDOM % 10000))
    port_free "$PORT" && break
  done
fi
port_free "$PORT" || { echo "port $PORT is in use" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/iothub-http-load.XXXXXX")
EXPORTER_PID=
cleanup() {
  if [ -n "$EXPORTER_PID" ] && kill -0 "$EXPORTER_PID" 2>/dev/null; then
    kill "$EXPORTER_PID" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$EXPORTER_PID" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$EXPORTER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

if [ -z "${SKIP_BUILD:-}" ]; then
  echo "== building the exporter (default profile) and the generator (-Pbench)"
  mvn -q -DskipTests package
  mvn -q -Pbench -DskipTests compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt
fi
for f in target/iothub-connectivity-exporter.jar target/bench-classpath.txt \
         target/classes/io/github/iothubexporter/bench/HttpLoadGenerator.class; do
  [ -f "$f" ] || { echo "$f is missing: run without SKIP_BUILD" >&2; exit 1; }
done
cp target/iothub-connectivity-exporter.jar "$WORK/exporter.jar"
GEN_CP="target/classes:$(cat target/bench-classpath.txt)"

echo "== starting the exporter on 127.0.0.1:$PORT (state.fsync=$FSYNC, state.dir=$WORK/state)"
IOTHUB_EXPORTER_WEBHOOK_SECRET=$SECRET \
IOTHUB_EXPORTER_STATE_DIR="$WORK/state" \
IOTHUB_EXPORTER_STATE_FSYNC=$FSYNC \
IOTHUB_EXPORTER_SERVER_HOST=127.0.0.1 \
IOTHUB_EXPORTER_SERVER_PORT=$PORT \
  java $EXPORTER_JAVA_OPTS -jar "$WORK/exporter.jar" >"$WORK/exporter.log" 2>&1 &
EXPORTER_PID=$!

echo "== load: $CONNECTIONS connections, warm-up ${WARMUP}s, measured ${DURATION}s"
set +e
java $GENERATOR_JAVA_OPTS -cp "$GEN_CP" io.github.iothubexporter.bench.HttpLoadGenerator \
  --url "http://127.0.0.1:$PORT" --secret "$SECRET" --connections "$CONNECTIONS" \
  --warmup "$WARMUP" --duration "$DURATION" --identities "$IDENTITIES"
rc=$?
set -e
echo "== journal/snapshot files at the end:"
ls -la "$WORK/state" 2>/dev/null | tail -n +4 | awk '{print "   " $5 "\t" $9}' || true
if [ $rc -ne 0 ] || ! kill -0 "$EXPORTER_PID" 2>/dev/null; then
  echo "== generator exit code $rc; exporter log tail:" >&2
  tail -n 30 "$WORK/exporter.log" >&2
  exit 1
fi
exit 0
