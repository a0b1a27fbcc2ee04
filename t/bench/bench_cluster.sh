#!/bin/sh
# bench_cluster.sh -- `make bench`: Lasso over several processes on
# loopback against `strads run` with the same total threads, in one run.
#
# Problem: the large generated one (strads gen lasso --n 100000 --p 1000000
# --nnz-per-row 50 --skew 1 --support 100 --seed 2; 5 M non-zeros; with
# --quick n 20000, p 200000), lambda = 0.1 lambda_max, cold start.
# Rows: strads run --threads T, then a coordinator with K nodes (K = 1, 2,
# 4) of T/K threads each (at least 1), all on this host, over tcp loopback.
# Time: each run's time_s at its first check within 1e-4 relative of the
# best objective any run reached (loading excluded: time_s counts from the
# first round). Bytes: the metrics' bytes (sent between processes) over
# the iterations (rounds) to that check. Target (issue 4): multi-process
# time <= 1.3 x single-process. Every figure is measured in this run.
set -eu

quick=0
threads=2
cache=${TMPDIR:-/tmp}/strads-bench
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1 ;;
	--threads) threads=$2; shift ;;
	--cache) cache=$2; shift ;;
	--help)
		echo "usage: bench_cluster.sh [--quick] [--threads T] [--cache DIR]"
		exit 0 ;;
	*) echo "bench_cluster.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done

top_builddir=${top_builddir:-.}
S=$top_builddir/strads
[ -x "$S" ] || { echo "bench_cluster.sh: no $S: build first" >&2; exit 2; }
mkdir -p "$cache"
if [ $quick -eq 1 ]; then
	data=$cache/large-quick.svm
	gen="--n 20000 --p 200000 --nnz-per-row 50 --skew 1 --support 100 --seed 2"
else
	data=$cache/large.svm
	gen="--n 100000 --p 1000000 --nnz-per-row 50 --skew 1 --support 100 --seed 2"
fi
[ -s "$data" ] || "$S" gen lasso --out "$data" $gen
tmp=$(mktemp -d "${TMPDIR:-/tmp}/strads-bench-cluster.XXXXXX")
pids=""
trap 'for p in $pids; do kill -9 $p 2>/dev/null; done; rm -rf "$tmp"' EXIT INT TERM
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$tmp/secret"
chmod 600 "$tmp/secret"

echo "bench_cluster: $(basename "$data"), lambda 0.1 lambda_max, to 1e-4; load: $(uptime | sed 's/.*load/load/')"
common="--data $data --lambda-ratio 0.1 --tol 1e-6 --quiet"

"$S" run lasso $common --threads "$threads" --metrics "$tmp/run.json" --out "$tmp/run.model"

cluster() {
	k=$1
	t=$(( threads / k ))
	[ $t -ge 1 ] || t=1
	url=ipc://$tmp/c$k.sock
	"$S" coordinator --listen "$url" --secret-file "$tmp/secret" --min-workers $(( k * t )) \
	    --app lasso $common --checkpoint-every 0 --metrics "$tmp/c$k.json" \
	    --out "$tmp/c$k.model" &
	cp=$!
	pids="$pids $cp"
	i=0
	while [ $i -lt $k ]; do
		"$S" node --join "$url" --secret-file "$tmp/secret" --threads $t --quiet &
		pids="$pids $!"
		i=$((i + 1))
	done
	wait $cp
}
for k in 1 2 4; do
	cluster $k
done
wait

best=$(cat "$tmp"/*.json | sed -n 's/.*"objective": \([0-9.e+-]*\),.*/\1/p' | sort -g | head -n 1)
# at FILE: "time iter bytes" of the first record within 1e-4 of best
at() {
	awk -v best="$best" '{
		o = $0; sub(/.*"objective": /, "", o); sub(/,.*/, "", o)
		if (o + 0 <= best * (1 + 1e-4)) {
			t = $0; sub(/.*"time_s": /, "", t); sub(/,.*/, "", t)
			i = $0; sub(/.*"iter": /, "", i); sub(/,.*/, "", i)
			b = $0; sub(/.*"bytes": /, "", b); sub(/,.*/, "", b)
			print t, i, b; exit
		}
	}' "$1"
}
set -- $(at "$tmp/run.json")
base=$1
printf '%-28s %10s %8s %14s %10s\n' "run" "time_s" "ratio" "bytes/iter" "target"
printf '%-28s %10.3f %8s %14s %10s\n' "strads run --threads $threads" "$1" "1.00" "0" "-"
for k in 1 2 4; do
	t=$(( threads / k ))
	[ $t -ge 1 ] || t=1
	r=$(at "$tmp/c$k.json")
	if [ -z "$r" ]; then
		printf '%-28s %10s\n' "$k node(s) x $t thread(s)" "did not reach 1e-4"
		continue
	fi
	set -- $r
	awk -v n="$k node(s) x $t thread(s)" -v t="$1" -v i="$2" -v b="$3" -v base="$base" 'BEGIN {
		ratio = t / base
		printf "%-28s %10.3f %8.2f %14.0f %10s\n", n, t, ratio, (i > 0 ? b / i : 0),
		    (ratio <= 1.3 ? "met" : "NOT met")
	}'
done
echo "(target: multi-process time <= 1.3 x strads run; bytes/iter: bytes sent between processes per round)"
