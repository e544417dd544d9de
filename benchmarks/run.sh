#!/usr/bin/env bash
# Runs JMH benchmarks and renders the results.
#
#   benchmarks/run.sh [REGEX] [jmh args...]
#
# e.g. benchmarks/run.sh TokenBucket -f 1 -wi 3 -i 5 -prof gc
#
# Writes benchmarks/results/<UTC timestamp>.{json,md,svg} and copies them to latest.*.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
jar="$here/target/benchmarks.jar"
regex="${1:-.}"
if [ $# -gt 0 ]; then shift; fi

if [ ! -f "$jar" ] || [ -n "$(find "$root" -path '*/src/main/*' -newer "$jar" -name '*.java' -print -quit)" ]; then
  echo "==> building benchmarks.jar"
  (cd "$root" && mvn -B -q -pl benchmarks -am package -DskipTests -Dspotless.check.skip=true)
fi

mkdir -p "$here/results"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="$here/results/$stamp"
count="$(java -jar "$jar" -l "$regex" | tail -n +2 | grep -c . || true)"
echo "==> running $count benchmark method(s) matching '$regex' (JMH prints each iteration)"
java -jar "$jar" "$regex" -rf json -rff "$out.json" "$@"

echo "==> rendering $out.md and $out.svg"
java -cp "$jar" io.dsblocks.benchmarks.report.JmhReport "$out.json" "$out.md" "$out.svg"
cp "$out.json" "$here/results/latest.json"
cp "$out.md" "$here/results/latest.md"
cp "$out.svg" "$here/results/latest.svg"
echo "==> done: $out.md (table), $out.svg (chart)"
