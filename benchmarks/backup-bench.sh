#!/usr/bin/env bash
# Backup benchmark on real data nobody here wrote (issue 7, item 13): the JDK 17 source tree, then
# the Temurin 25 source tree, backed up into one repository by restic, borg (lz4 and zstd,3) and
# the dsblocks ObjectStore (hot = LZ4, cold = zstd-9: the defaults of its hot and cold tiers; and
# hot once more in a JVM warmed by untimed backups of both trees, and hot with each tree in its own
# open of the store, as separate backup runs), all in one run on the same data. Reports
# ingest MB/s (raw bytes of both trees / total ingest time), restore MB/s of the 25 tree, repository
# bytes on disk (du -sb) and the reduction ratio (raw bytes of both trees / repository bytes), with
# ratios vs restic and the issue's targets. Second case: a seeded 1 GiB random file, backed up, then
# 100 seeded scattered 4 KiB overwrites, backed up again: repository growth of the second backup.
#
# MB = 10^6 bytes. The machine is shared: the load average is printed; numbers are indicative.
# restic/borg are timed around each command (process start included); dsblocks times each step
# inside its JVM (JVM start and repository open excluded, about a second).
#
# Needs: restic, borg (apt-get install -y restic borgbackup), java 17+, unzip, openssl, python3,
# dpkg-deb and apt-get (to fetch Debian's openjdk-17-source; installing it would upgrade the JDK,
# so it is only downloaded and extracted). The source trees are cached in
# benchmarks/target/backup-data, so reruns skip the fetch. Builds benchmarks.jar if it is missing.
#
# Settings: SKIP_RANDOM=1 skips the 1 GiB case. JAVA_OPTS adds JVM flags for the dsblocks runs.
# WARMUP_ROUNDS (default 5): untimed backups of both trees before the warm row's timed run.
# ROUNDS (default 3): rounds of the tree case (restic and the dsblocks rows; borg runs once).
# Usage: benchmarks/backup-bench.sh    (writes benchmarks/results/backup-<date>.md)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=${BACKUP_DATA:-$ROOT/benchmarks/target/backup-data}
JAR=$ROOT/benchmarks/target/benchmarks.jar
RESULTS=$ROOT/benchmarks/results
OUT=$RESULTS/backup-$(date +%F).md
TEMURIN_ZIP=${TEMURIN_ZIP:-/usr/lib/jvm/temurin-25-jdk-amd64/lib/src.zip}
JAVA_OPTS=${JAVA_OPTS:-}
ROUNDS=${ROUNDS:-3}

missing=()
for tool in restic borg java unzip openssl python3 dpkg-deb apt-get awk du; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if ((${#missing[@]})); then
  echo "missing: ${missing[*]} (e.g. apt-get install -y restic borgbackup unzip openssl)" >&2
  exit 1
fi

WORK=$(mktemp -d /tmp/backup-bench.XXXXXX)
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
export RESTIC_PASSWORD=backup-bench RESTIC_CACHE_DIR=$WORK/restic-cache
export BORG_PASSPHRASE=backup-bench BORG_BASE_DIR=$WORK/borg-base
export BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK=no BORG_RELOCATED_REPO_ACCESS_IS_OK=yes

log() { echo "# $*" >&2; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
mbps() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", (b > 0 ? a / 1e6 / b : 0) }'; }
div() { awk -v a="$1" -v b="$2" -v f="${3:-%.2f}" 'BEGIN { printf f, (b > 0 ? a / b : 0) }'; }
tree_bytes() { find "$1" -type f -printf '%s\n' | awk '{ s += $1 } END { printf "%d", s }'; }
du_b() { du -sb "$1" | awk '{ print $1 }'; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

# ---------------------------------------------------------------- data (cached)
mkdir -p "$DATA"
if [[ ! -f $DATA/tree17.complete ]]; then
  log "fetching Debian openjdk-17-source (download only, not installed)"
  rm -rf "$DATA/tree17"
  mkdir -p "$WORK/deb"
  (cd "$WORK/deb" && apt-get download openjdk-17-source >/dev/null 2>&1)
  dpkg-deb -x "$WORK"/deb/openjdk-17-source_*.deb "$WORK/deb/x"
  zip17=$(find "$WORK/deb/x" -name src.zip -type f | head -n 1)
  [[ -n $zip17 ]] || { echo "no src.zip in openjdk-17-source" >&2; exit 1; }
  mkdir -p "$DATA/tree17"
  unzip -q "$zip17" -d "$DATA/tree17"
  dpkg-deb -f "$WORK"/deb/openjdk-17-source_*.deb Version >"$DATA/tree17.version"
  touch "$DATA/tree17.complete"
  rm -rf "$WORK/deb"
fi
if [[ ! -f $DATA/tree25.complete ]]; then
  log "unzipping $TEMURIN_ZIP"
  rm -rf "$DATA/tree25"
  mkdir -p "$DATA/tree25"
  unzip -q "$TEMURIN_ZIP" -d "$DATA/tree25"
  touch "$DATA/tree25.complete"
fi
T17=$DATA/tree17
T25=$DATA/tree25
RAW17=$(tree_bytes "$T17")
RAW25=$(tree_bytes "$T25")
RAW=$((RAW17 + RAW25))
FILES17=$(find "$T17" -type f | wc -l)
FILES25=$(find "$T25" -type f | wc -l)

if [[ ! -f $JAR ]]; then
  log "building benchmarks.jar"
  (cd "$ROOT" && mvn -B -q -pl benchmarks -am package -DskipTests)
fi

# Every tool reads the trees from the page cache: the first one timed would otherwise also pay for
# reading them from disk (restic, first in line, measured 16.7 MB/s instead of about 87 that way).
log "reading both trees once into the page cache"
find "$T17" "$T25" -type f -exec cat {} + >/dev/null

LOAD_START=$(load)
log "load average at start: $LOAD_START"

# Results: NAME ingest_seconds restore_seconds repo_bytes (one line per tool in $WORK/rows).
ROWS=$WORK/rows
: >"$ROWS"
# Notes collected for the report (versions, per-step times).
NOTES=$WORK/notes
: >"$NOTES"

# ---------------------------------------------------------------- restic
run_restic() {
  local repo=$WORK/restic-repo-r$ROUND t0 t1 t2 t2r t3
  export RESTIC_CACHE_DIR=$WORK/restic-cache-r$ROUND
  log "restic (load $(load))"
  sync # the previous tool's deletes (and their discards) settle before anything is timed
  restic init --repo "$repo" -q >/dev/null
  cd "$DATA"
  t0=$(now)
  restic -r "$repo" backup -q tree17 >/dev/null
  t1=$(now)
  restic -r "$repo" backup -q tree25 >/dev/null
  t2=$(now)
  mkdir -p "$WORK/restore-restic-r$ROUND"
  sync # restore timing starts with no dirty pages left from the backup (same for every tool)
  t2r=$(now)
  restic -r "$repo" restore latest --target "$WORK/restore-restic-r$ROUND" -q >/dev/null
  t3=$(now)
  [[ $(tree_bytes "$WORK/restore-restic-r$ROUND") == "$RAW25" ]] || log "WARNING: restic restore size differs"
  echo "$ROUND restic $(secs "$t0" "$t2") $(secs "$t2r" "$t3") $(du_b "$repo")" >>"$ROWS"
  echo "r$ROUND restic: tree17 $(secs "$t0" "$t1") s, tree25 $(secs "$t1" "$t2") s, restore $(secs "$t2r" "$t3") s" >>"$NOTES"
  cd "$ROOT"
}

# ---------------------------------------------------------------- borg
run_borg() { # $1 = compression (lz4 | zstd,3), $2 = row name
  local repo=$WORK/borg-repo-$2 t0 t1 t2 t2r t3
  export BORG_BASE_DIR=$WORK/borg-base-$2
  log "borg $1 (load $(load))"
  sync
  borg init --encryption=repokey "$repo" >/dev/null 2>&1
  cd "$DATA"
  t0=$(now)
  borg create --compression "$1" "$repo::tree17" tree17
  t1=$(now)
  borg create --compression "$1" "$repo::tree25" tree25
  t2=$(now)
  mkdir -p "$WORK/restore-$2"
  sync
  t2r=$(now)
  (cd "$WORK/restore-$2" && borg extract "$repo::tree25")
  t3=$(now)
  [[ $(tree_bytes "$WORK/restore-$2") == "$RAW25" ]] || log "WARNING: borg restore size differs"
  echo "$ROUND $2 $(secs "$t0" "$t2") $(secs "$t2r" "$t3") $(du_b "$repo")" >>"$ROWS"
  echo "r$ROUND $2: tree17 $(secs "$t0" "$t1") s, tree25 $(secs "$t1" "$t2") s, restore $(secs "$t2r" "$t3") s" >>"$NOTES"
  cd "$ROOT"
}

# ---------------------------------------------------------------- dsblocks
run_ours() { # $1 = compression (lz4 | zstdN), $2 = row name, then extra BackupBench options
  local repo=$WORK/ours-repo-$2-r$ROUND out=$WORK/ours.out ingest restore comp=$1 name=$2
  shift 2
  log "dsblocks $comp $* (load $(load))"
  sync
  # shellcheck disable=SC2086
  java $JAVA_OPTS -cp "$JAR" io.dsblocks.benchmarks.storage.BackupBench "$@" \
    --restore-into "$WORK/restore-$name-r$ROUND" "$repo" "$comp" "tree17=$T17" "tree25=$T25" | tee "$out" >&2
  [[ $(tree_bytes "$WORK/restore-$name-r$ROUND") == "$RAW25" ]] || log "WARNING: $name restore size differs"
  ingest=$(awk '/^BACKUPBENCH step=ingest/ { for (i = 1; i <= NF; i++) if ($i ~ /^seconds=/) { sub(/seconds=/, "", $i); s += $i } } END { printf "%.3f", s }' "$out")
  restore=$(awk '/^BACKUPBENCH step=restore/ { for (i = 1; i <= NF; i++) if ($i ~ /^seconds=/) { sub(/seconds=/, "", $i); printf "%s", $i } }' "$out")
  echo "$ROUND $name $ingest $restore $(du_b "$repo")" >>"$ROWS"
  echo "r$ROUND $name: $(grep '^BACKUPBENCH step=ingest' "$out" | awk '{ printf "%s %s; ", $3, $6 }')restore ${restore} s" >>"$NOTES"
  grep '^BACKUPBENCH' "$out" | sed "s/^/r$ROUND $name /" >>"$WORK/ours-lines"
}

: >"$WORK/ours-lines"
# Restored trees, repositories and caches stay until the end (cleanup deletes $WORK). This ext4
# has no journal, and without one its inode allocator skips every inode freed in the last 60 s
# (300 s while the inode table block is dirty), reading the inode table for each: perf showed
# find_inode_bit/recently_deleted taking most of a restore that ran soon after another tool's
# restored tree (15k files) was deleted, and restore times of 2 to 16 s for the same tree. A
# restic repository and cache are about 600 files, deleted (until session 8) just before the next
# tool's run. Keeping everything gives every tool the same conditions (no mass delete before its
# restore) instead of penalizing whoever runs later.
# The tree case runs ROUNDS times (default 3), restic and every dsblocks row in each round, in the
# same order, so that each ratio compares runs made under the same conditions; the report gives the
# median of the per-round ratios with their range. borg, a reference without targets, runs once.
for ((ROUND = 1; ROUND <= ROUNDS; ROUND++)); do
  log "round $ROUND of $ROUNDS"
  run_restic
  if ((ROUND == 1)); then
    run_borg lz4 "borg-lz4"
    run_borg zstd,3 "borg-zstd3"
  fi
  run_ours lz4 "dsblocks-hot-lz4"
  run_ours zstd9 "dsblocks-cold-zstd9"
  # The same hot run in a warmed JVM: it first backs up both trees WARMUP_ROUNDS times (default 5)
  # into a scratch repository (not timed, deleted) and restores the 25 tree through the timed
  # restore's code into a directory on tmpfs (/dev/shm: its 15k files are deleted again without
  # slowing file creation on this ext4), as JMH warms up on its workload, because a service embedding the store runs compiled code; the
  # rows above include the JIT. After one round (of the 17 tree alone, as this row did until
  # session 6, or of both) the C2 compiler still took a third of the timed CPU (perf, two cores:
  # its queue had not drained); after three, 6%.
  run_ours lz4 "dsblocks-hot-lz4-warm" --warmup "${WARMUP_ROUNDS:-5}"
  # Hot again, each tree in its own open of the store (closed and reopened in between, as restic
  # and borg run one process per backup), with the near-duplicate sketch index kept across the
  # opens (StorageConfig.persistDeltaSketches): what a backup command built on the store would do.
  run_ours lz4 "dsblocks-hot-lz4-2opens" --reopen --persist-sketches
done

# ---------------------------------------------------------------- 1 GiB random file case
RAND_ROWS=$WORK/rand-rows
: >"$RAND_ROWS"
if [[ ${SKIP_RANDOM:-0} != 1 ]]; then
  log "generating the seeded 1 GiB random file"
  export RESTIC_CACHE_DIR=$WORK/restic-cache-rand BORG_BASE_DIR=$WORK/borg-base-rand
  mkdir -p "$WORK/rand-src"
  # openssl dies of SIGPIPE when head has enough; that is expected, so no pipefail here.
  set +o pipefail
  openssl enc -aes-256-ctr -pass pass:seed -nosalt </dev/zero 2>/dev/null |
    head -c 1073741824 >"$WORK/rand-src/orig.bin"
  set -o pipefail
  [[ $(stat -c %s "$WORK/rand-src/orig.bin") == 1073741824 ]] || { echo "random file short" >&2; exit 1; }
  overwrite() { # 100 seeded 4 KiB overwrites at seeded offsets, in place
    python3 - "$1" <<'EOF'
import random, sys
rng = random.Random(20261128)
path = sys.argv[1]
with open(path, "r+b") as f:
    f.seek(0, 2)
    size = f.tell()
    for _ in range(100):
        off = rng.randrange(0, size - 4096)
        f.seek(off)
        f.write(rng.randbytes(4096))
EOF
  }
  rand_case() { # $1 = name, $2 = command backing up $WORK/rand (run twice), $3 = repo dir
    local before after
    rm -rf "$WORK/rand" && mkdir -p "$WORK/rand"
    cp "$WORK/rand-src/orig.bin" "$WORK/rand/big.bin"
    log "random file: $1 (load $(load))"
    eval "$2"
    before=$(du_b "$3")
    overwrite "$WORK/rand/big.bin"
    eval "$2"
    after=$(du_b "$3")
    echo "$1 $before $after" >>"$RAND_ROWS"
    rm -rf "$3" "$WORK/rand" "$RESTIC_CACHE_DIR" "$BORG_BASE_DIR"
  }
  restic init --repo "$WORK/r-restic" -q >/dev/null
  rand_case restic 'restic -r "$WORK/r-restic" backup -q "$WORK/rand" >/dev/null' "$WORK/r-restic"
  borg init --encryption=repokey "$WORK/r-borg" >/dev/null 2>&1
  rand_case borg-lz4 'borg create --compression lz4 "$WORK/r-borg::b$(date +%s%N)" "$WORK/rand"' "$WORK/r-borg"
  # shellcheck disable=SC2016
  rand_case dsblocks-hot-lz4 'java $JAVA_OPTS -cp "$JAR" io.dsblocks.benchmarks.storage.BackupBench --no-restore "$WORK/r-ours" lz4 "rand=$WORK/rand" >&2' "$WORK/r-ours"
  rm -rf "$WORK/rand-src"
fi
LOAD_END=$(load)

# ---------------------------------------------------------------- report
report() {
  echo "## Backup benchmark, $(date +%F) (benchmarks/backup-bench.sh)"
  echo
  echo "Data: JDK 17 sources (Debian openjdk-17-source $(cat "$DATA/tree17.version" 2>/dev/null || echo '?'), src.zip unzipped: $FILES17 files, $RAW17 bytes),"
  echo "then Temurin 25 sources ($TEMURIN_ZIP unzipped: $FILES25 files, $RAW25 bytes) into the same repository;"
  echo "raw total $RAW bytes. $(restic version | cut -d' ' -f1-2), $(borg --version), dsblocks 0.1.0-SNAPSHOT, $(java -version 2>&1 | head -n 1)."
  echo "$(nproc) cores, shared and loaded: load average $LOAD_START at start, $LOAD_END at end. Numbers are indicative. MB = 10^6 bytes."
  echo
  # Per round, each row's ratios against restic's run of the same round; medians and ranges over
  # the rounds (borg ran in round 1 only).
  python3 - "$ROWS" "$RAW" "$RAW25" "$ROUNDS" <<'PY'
import statistics, sys
rows_file, raw, raw25, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rows = {}  # name -> list of (round, ingest MB/s, restore MB/s, repo bytes)
for line in open(rows_file):
    rnd, name, ingest_s, restore_s, repo = line.split()
    rows.setdefault(name, []).append(
        (int(rnd), raw / 1e6 / float(ingest_s), raw25 / 1e6 / float(restore_s), int(repo)))
restic = {r[0]: r for r in rows["restic"]}

def med(xs):
    return statistics.median(xs)

def spread(xs, fmt):
    if len(xs) == 1:
        return fmt % xs[0]
    return (fmt + " [" + fmt + "-" + fmt + "]") % (med(xs), min(xs), max(xs))

def ratios(name):
    ing, res, red = [], [], []
    for rnd, i, r, b in rows[name]:
        base = restic[rnd]
        ing.append(i / base[1])
        res.append(r / base[2])
        red.append((raw / b) / (raw / base[3]))
    return ing, res, red

print("| tool | rounds | ingest MB/s | restore MB/s | repo bytes | reduction"
      " | ingest vs restic | restore vs restic | reduction vs restic |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for name, rs in rows.items():
    ing, res, red = ratios(name)
    print("| %s | %d | %.1f | %.1f | %d | %.2f | %s | %s | %s |" % (
        name, len(rs), med([r[1] for r in rs]), med([r[2] for r in rs]),
        med([r[3] for r in rs]), med([raw / r[3] for r in rs]),
        spread(ing, "%.2fx"), spread(res, "%.2fx"), spread(red, "%.2fx")))
print()
print("Values are medians over the rounds; ratios are medians of the per-round ratios (each run")
print("against restic's run in the same round), [min-max] over the rounds.")
print()
print("Targets (issue 7 item 13), per round against restic's run of that round:")
print()
print("| target | median [min-max] | rounds met | result (median) |")
print("|---|---:|---:|---|")
restic_red = med([raw / r[3] for r in rows["restic"]])
for name in ["dsblocks-hot-lz4", "dsblocks-cold-zstd9", "dsblocks-hot-lz4-warm",
             "dsblocks-hot-lz4-2opens"]:
    if name not in rows:
        continue
    ing, res, _ = ratios(name)
    reds = [raw / r[3] for r in rows[name]]
    checks = [("ingest ≥ 3× restic (×)", ing, 3.0), ("restore ≥ 2× restic (×)", res, 2.0)]
    if name.startswith("dsblocks-hot-lz4"):
        restic_reds = [raw / restic[r[0]][3] for r in rows[name]]
        checks.append(("reduction ≥ restic's (%.2f)" % restic_red, reds, None, restic_reds))
    else:
        checks.append(("reduction ≥ 6.5", reds, 6.5))
    for check in checks:
        label, xs, threshold = check[0], check[1], check[2]
        limits = check[3] if threshold is None else [threshold] * len(xs)
        met = sum(1 for x, t in zip(xs, limits) if x >= t)
        ok = med(xs) >= (med(limits))
        print("| %s %s | %s | %d of %d | %s |" % (
            name, label, spread(xs, "%.2f"), met, len(xs), "met" if ok else "missed"))
PY
  echo
  echo "Timings: $(paste -sd'|' "$NOTES" | sed 's/|/; /g')"
  echo
  if [[ -s $RAND_ROWS ]]; then
    echo
    echo "Second case: seeded 1 GiB random file (openssl aes-256-ctr keystream), backed up, then 100"
    echo "seeded scattered 4 KiB overwrites, backed up again. Growth = du -sb after - before."
    echo
    echo "| tool | repo after 1st (bytes) | repo after 2nd (bytes) | growth MiB | target ≤ 15 MiB |"
    echo "|---|---:|---:|---:|---|"
    while read -r name b a; do
      local g
      g=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1f", (a - b) / 1048576 }')
      if [[ $name == dsblocks* ]]; then
        printf "| %s | %d | %d | %s | %s |\n" "$name" "$b" "$a" "$g" \
          "$(awk -v g="$g" 'BEGIN { print (g <= 15 ? "met" : "missed") }')"
      else
        printf "| %s | %d | %d | %s | - |\n" "$name" "$b" "$a" "$g"
      fi
    done <"$RAND_ROWS"
  fi
  echo
  echo "dsblocks machine-readable lines:"
  echo
  echo '```'
  cat "$WORK/ours-lines"
  echo '```'
}
mkdir -p "$RESULTS"
report | tee "$OUT"
log "written $OUT"
