#!/bin/sh
# bench_cluster.sh -- `make bench`: Lasso over several processes on
# loopback against `strads run` with the same total threads, in one run.
#
# Problem: the large generated one (strads gen lasso --n 100000 --p 1000000
# --nnz-per-row 50 --skew 1 --support 100 --seed 2; 5 M non-zeros; with
# --quick n 20000, p 200000), lambda = 0.1 lambda_max, cold start.
# Rows: a coordinator with K nodes (K = 1, 2, 4) of T/K threads each (at
# least 1), all on this host, over ipc://, each beside `strads run` with
# the same total threads (K x T/K). Time: a run's time_s at its first
# check within 1e-4 relative of the best objective any run reached
# (loading excluded: time_s counts from the first round); each figure is
# the median of --repeat runs (default 3). Bytes: the metrics' bytes
# (sent between processes) over the rounds to that check. Target (issue
# 4): multi-process time <= 1.3 x single-process. Every figure is
# measured in this run.
set -eu

quick=0
threads=2
repeat=3
cache=${TMPDIR:-/tmp}/strads-bench
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1 ;;
	--threads) threads=$2; shift ;;
	--repeat) repeat=$2; shift ;;
	--cache) cache=$2; shift ;;
	--help)
		echo "usage: bench_cluster.sh [--quick] [--threads T] [--repeat R] [--cache DIR]"
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

# single T R: strads run with T threads, metrics in single-T-R.json.
single() {
	"$S" run lasso $common --threads "$1" --metrics "$tmp/single-$1-$2.json" \
	    --out "$tmp/single.model"
}

# cluster K T R: a coordinator and K nodes of T threads, metrics in
# cluster-K-R.json.
cluster() {
	k=$1
	t=$2
	url=ipc://$tmp/c$k.sock
	"$S" coordinator --listen "$url" --secret-file "$tmp/secret" --min-workers $(( k * t )) \
	    --app lasso $common --checkpoint-every 0 --metrics "$tmp/cluster-$k-$3.json" \
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
	wait
}

per() { t=$(( threads / $1 )); [ $t -ge 1 ] || t=1; echo $t; }

r=1
while [ $r -le $repeat ]; do
	for k in 1 2 4; do
		t=$(per $k)
		[ -s "$tmp/single-$((k * t))-$r.json" ] || single $((k * t)) $r
		cluster $k $t $r
	done
	r=$((r + 1))
done

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
# median PREFIX: the median "time iter bytes" over PREFIX-1..R.json (by
# time), or nothing when a run never got there.
median() {
	r=1
	all=""
	while [ $r -le $repeat ]; do
		x=$(at "$1-$r.json")
		[ -n "$x" ] || return 0
		all="$all$x
"
		r=$((r + 1))
	done
	printf '%s' "$all" | sort -g | awk -v n=$repeat 'NR == int((n + 1) / 2) { print }'
}
printf '%-24s %12s %12s %8s %12s %9s\n' "processes x threads" "run time_s" \
    "cluster s" "ratio" "bytes/iter" "target"
for k in 1 2 4; do
	t=$(per $k)
	s1=$(median "$tmp/single-$((k * t))")
	c1=$(median "$tmp/cluster-$k")
	if [ -z "$s1" ] || [ -z "$c1" ]; then
		printf '%-24s %s\n' "$k x $t" "a run did not reach 1e-4"
		continue
	fi
	set -- $s1 $c1
	awk -v n="$k x $t" -v s="$1" -v c="$4" -v i="$5" -v b="$6" 'BEGIN {
		ratio = c / s
		printf "%-24s %12.3f %12.3f %8.2f %12.0f %9s\n", n, s, c, ratio,
		    (i > 0 ? b / i : 0), (ratio <= 1.3 ? "met" : "NOT met")
	}'
done
echo "(run: strads run with the same total threads; medians of $repeat runs; target:"
echo " cluster <= 1.3 x run; bytes/iter: bytes sent between processes per round)"
