#!/bin/sh
# bench_sim.sh -- scale by simulation (issue 18, item 8; doc/cluster.md,
# "Scale"). For each member count (SIM_SIZES, default "16 64 256"): one
# coordinator process and ceil(N / 64) node processes of at most 64
# members each, every member a runtime of its own (t/bench/sim_cluster.c),
# joined over loopback TCP at once (the join storm); then 5 s of
# heartbeats only; then a job of the "ones" app (checked at every round:
# each data row in exactly one shard) for SIM_JOB_S seconds (default 20)
# while one member leaves or a new one joins every second for
# SIM_JOB_S - 4 seconds. Prints one table.
#
#   sh t/bench/bench_sim.sh            (from a build tree)
#   SIM_SIZES="16 64" SIM_JOB_S=12 sh t/bench/bench_sim.sh
set -u

top_builddir=${top_builddir:-.}
B=$top_builddir/t/bench/sim_cluster
[ -x "$B" ] || { echo "bench_sim: build it first: make t/bench/sim_cluster"; exit 1; }
sizes=${SIM_SIZES:-16 64 256}
job_s=${SIM_JOB_S:-20}
churn_s=$((job_s - 4))
tmp=$(mktemp -d "${TMPDIR:-/tmp}/strads-sim.XXXXXX")
pids=""
cleanup() {
	for p in $pids; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
printf 'bench-sim-secret-%s\n' "$$" >"$tmp/secret"
chmod 600 "$tmp/secret"

# wait_for FILE PATTERN SECONDS
wait_for() {
	end=$(($(date +%s) + $3))
	while ! grep -q -- "$2" "$1" 2>/dev/null; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.1
	done
	return 0
}
val() { sed -n "s/^sim: $2 //p" "$1"; }

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %-6s %-8s %-8s %-14s %-12s %-10s %-8s %-8s %-12s %-10s %s\n' members procs \
    join_s epochs idle_cpu_us/m/s idle_B/m/s rss_MB/m rounds layouts job_MB/layout job_cpu_s rows
for n in $sizes; do
	procs=$(((n + 63) / 64))
	url=ipc://$tmp/c$n.sock
	"$B" coordinator "$url" "$tmp/secret" "$n" "$job_s" >"$tmp/c$n.out" 2>"$tmp/c$n.err" &
	c=$!
	pids="$pids $c"
	wait_for "$tmp/c$n.out" "sim: ready" 30 || { echo "$n: the coordinator did not start"; continue; }
	left=$n
	np=""
	for i in $(seq 1 $procs); do
		k=$(((left + procs - i) / (procs - i + 1)))
		left=$((left - k))
		churn=-
		[ "$i" = 1 ] && churn=$tmp/churn$n
		"$B" nodes "$url" "$tmp/secret" "$k" "$churn" "$churn_s" \
		    >"$tmp/n$n-$i.out" 2>"$tmp/n$n-$i.err" &
		np="$np $!"
		pids="$pids $!"
	done
	if wait_for "$tmp/c$n.out" "sim: job" 900; then
		touch "$tmp/churn$n"
	fi
	end=$(($(date +%s) + job_s + 300))
	while kill -0 "$c" 2>/dev/null && [ "$(date +%s)" -lt "$end" ]; do sleep 0.5; done
	kill -9 "$c" 2>/dev/null
	wait "$c" 2>/dev/null
	for p in $np; do
		end=$(($(date +%s) + 90))
		while kill -0 "$p" 2>/dev/null && [ "$(date +%s)" -lt "$end" ]; do sleep 0.5; done
		kill -9 "$p" 2>/dev/null
	done
	f=$tmp/c$n.out
	if grep -q '^sim: ok' "$f"; then
		rows="ok"
	else
		rows="FAIL: $(grep 'FAIL' "$f" | head -1)"
	fi
	layouts=$(($(val "$f" churn_epochs) + 0))
	mb=$(awk -v b="$(val "$f" job_bytes)" -v l="$layouts" 'BEGIN { if (l > 0 && b != "") printf "%.2f", b / l / 1e6; else print "-" }')
	printf '%-8s %-6s %-8s %-8s %-14s %-12s %-10s %-8s %-8s %-12s %-10s %s\n' "$n" "$procs" \
	    "$(val "$f" join_s)" "$(val "$f" join_epochs)" "$(val "$f" idle_cpu_us_per_member_s)" \
	    "$(val "$f" idle_bytes_per_member_s)" "$(val "$f" rss_mb_per_member)" \
	    "$(val "$f" job_rounds)" "$layouts" "$mb" "$(val "$f" job_cpu_s)" "$rows"
	grep -h "^nodes:" "$tmp"/n$n-*.out | sed 's/^/    /'
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
