#!/usr/bin/env bash
# Runs every benchmark recorded in BENCHMARKS.md with the bounded settings used there (about 10 minutes on
# 2 cores) and prints the machine facts first. Output: stdout; JMH JSON results in target/jmh-*.json.
#   bench/run-all.sh                    # everything
#   JMH_OPTS="-f 1 -wi 3 -w 2s -i 5 -r 2s" bench/run-all.sh
set -euo pipefail
cd "$(dirname "$0")/.."
JMH_OPTS=${JMH_OPTS:--f 1 -wi 3 -w 2s -i 5 -r 2s}

echo "== machine"
date -u
echo "nproc: $(nproc)"
lscpu | grep -E 'Model name|L2 cache|L3 cache' | sed 's/  */ /g'
free -h | head -2
df -hT . | tail -1
java -version 2>&1 | head -2
uptime

mvn -q -Pbench -DskipTests compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt
CP="target/classes:$(cat target/bench-classpath.txt)"

echo "== 1. parse + validate + order + apply vs Jackson tokenizer (events/s, one thread)"
java -cp "$CP" org.openjdk.jmh.Main ParseApplyBenchmark $JMH_OPTS -prof gc -prof io.github.iothubexporter.bench.CpuUtilProfiler -rf json -rff target/jmh-parse-apply.json
java -cp "$CP" io.github.iothubexporter.bench.JmhSummary target/jmh-parse-apply.json 0.95
echo "== 2. retained heap per identity at 1,000,000 identities"
java -Xmx2g -XX:+UseSerialGC -cp "$CP" io.github.iothubexporter.bench.HeapPerIdentity 1000000
echo "== 3. /metrics render time vs fleet size"
java -cp "$CP" org.openjdk.jmh.Main MetricsRenderBenchmark $JMH_OPTS -prof io.github.iothubexporter.bench.CpuUtilProfiler -rf json -rff target/jmh-metrics-render.json
java -cp "$CP" io.github.iothubexporter.bench.JmhSummary target/jmh-metrics-render.json 0.9
echo "== 4. HTTP intake, fsync per batch (default)"
bench/run-http-load.sh
echo "== 4b. HTTP intake, fsync off"
FSYNC=off SKIP_BUILD=1 bench/run-http-load.sh
