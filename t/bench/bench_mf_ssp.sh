#!/bin/sh
# bench_mf_ssp.sh -- the SSP paper's staleness experiment on MF (issue
# 15, doc/mf.md "The staleness experiment"): SGD on the SSP table of the
# item factors, `--staleness s` for s = 0 (BSP), 1, 2, 4, 8 and inf
# (asynchronous), with the block rotation's SGD (no staleness: DSGD) as
# a reference, in one process of 2 threads and over a coordinator and 2
# node processes of 1 thread each. The set is the MovieLens-10M shape
# scaled to 1 M ratings (7000 users, 1000 items, planted rank 40 with
# biases and noise, rounded, Zipf popularity; 10 % held out; generated
# once), trained at rank 40.
#
# Prints, for each run: the final objective and test RMSE, the solve
# seconds, a worker's seconds in the table's reads (read_s: waiting for
# the others, and the copy), and the seconds and epochs to reach the
# objective every run of its mode reaches (the largest final one):
# convergence per second and per iteration. Writes the runs' metrics
# and two SVG charts (objective against time and against iterations),
# $dir/ssp-one.svg and $dir/ssp-two.svg (strads plot; doc/mf-ssp-*.svg
# are copies).
#
# Environment: EPOCHS (default 10), PARTS (rounds an epoch, default 8),
# STALE (the list, default "0 1 2 4 8 inf"), REPEATS (default 1: each
# run once; above, the median of each figure over alternating runs),
# MF_SSP_DIR (default /tmp/strads-bench-mf-ssp), MF_SSP_MODES ("one
# two"). Says the load average with the figures.
set -eu

top_builddir=${top_builddir:-.}
strads="$top_builddir/strads"
[ -x "$strads" ] || { echo "no $strads: build first"; exit 99; }
EPOCHS=${EPOCHS:-10}
PARTS=${PARTS:-8}
STALE=${STALE:-0 1 2 4 8 inf}
REPEATS=${REPEATS:-1}
MODES=${MF_SSP_MODES:-one two}
dir=${MF_SSP_DIR:-/tmp/strads-bench-mf-ssp}
mkdir -p "$dir"
if [ ! -s "$dir/set.train" ] || [ ! -s "$dir/set.gen" ]; then
	"$strads" gen mf --out "$dir/set" --users 7000 --items 1000 --ratings 1000000 \
	    --rank 40 --seed 1 >"$dir/set.gen"
fi
opts="--data $dir/set.train --test $dir/set.test --rank 40 --biases --lambda 10 --eta 0.05 --eta-decay 0.3 --iters $EPOCHS --parts $PARTS --seed 1"
printf 'mf-bench-secret-%s\n' "$$" >"$dir/secret"
chmod 600 "$dir/secret"
pids=
trap 'for p in $pids; do kill -9 $p 2>/dev/null; done' EXIT

echo "set: $(cat "$dir/set.gen")"
echo "rank 40, $EPOCHS epochs, $PARTS rounds an epoch, one process of 2 threads (one)"
echo "or a coordinator and 2 nodes of 1 thread (two), $REPEATS run(s) each"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# run MODE S K: one run into $dir/MODE-S.K.jsonl (S "dsgd": the block
# rotation's SGD, no staleness).
run() {
	st="--staleness $2"
	[ "$2" = dsgd ] && st=
	m="$dir/$1-$2.$3.jsonl"
	rm -f "$m"
	if [ "$1" = one ]; then
		"$strads" run mf $opts $st --threads 2 --quiet --out "$dir/one.model" \
		    --metrics "$m" >/dev/null 2>"$dir/one.err" || { tail -3 "$dir/one.err"; return 1; }
		return 0
	fi
	url="ipc://$dir/coord.sock"
	"$strads" coordinator --heartbeat 0.2 --member-timeout 5 --secret-file "$dir/secret" \
	    --listen "$url" --app mf $opts $st --min-workers 2 --out "$dir/two.model" \
	    --metrics "$m" --quiet >/dev/null 2>"$dir/coord.err" &
	c=$!
	pids="$c"
	for n in 1 2; do
		"$strads" node --threads 1 --heartbeat 0.2 --member-timeout 5 --join "$url" \
		    --secret-file "$dir/secret" >"$dir/node$n.err" 2>&1 &
		pids="$pids $!"
	done
	wait $c || { tail -3 "$dir/coord.err"; return 1; }
	for p in $pids; do wait $p 2>/dev/null || true; done
	pids=
}

# field KEY FILE: KEY of each epoch record of a metrics file.
field() {
	grep -v '"end": true' "$2" | sed -n "s/.*\"$1\": \([^,}]*\).*/\1/p"
}

for k in $(seq "$REPEATS"); do
	for mode in $MODES; do
		for s in dsgd $STALE; do
			run "$mode" "$s" "$k"
		done
	done
done

med() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) printf "%.7g\n", a[(NR + 1) / 2]; else printf "%.7g\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

for mode in $MODES; do
	# The objective every run of this mode reaches half-way: the
	# largest after EPOCHS / 2 epochs.
	half=$(( (EPOCHS + 1) / 2 ))
	target=$(for f in "$dir/$mode"-*.[0-9]*.jsonl; do field objective "$f" | sed -n "${half}p"; done |
	    sort -g | tail -n 1)
	echo
	echo "$mode: time and epochs to the objective every run reaches after $half epochs ($target)"
	printf '%-9s %12s %10s %9s %8s %10s %8s\n' staleness objective test_rmse solve_s \
	    read_s to_obj_s epochs
	for s in dsgd $STALE; do
		o= r= t= w= a= e=
		for k in $(seq "$REPEATS"); do
			f="$dir/$mode-$s.$k.jsonl"
			o="$o $(field objective "$f" | tail -n 1)"
			r="$r $(field test_rmse "$f" | tail -n 1)"
			t="$t $(field time_s "$f" | tail -n 1)"
			w="$w $(field read_s "$f" | tail -n 1)"
			a="$a $(grep -v '"end": true' "$f" |
			    sed -n 's/.*"time_s": \([^,}]*\).*"objective": \([^,}]*\).*/\1 \2/p' |
			    awk -v g="$target" '$2 <= g { print $1; exit }')"
			e="$e $(field objective "$f" | awk -v g="$target" '$1 <= g { print NR; exit }')"
		done
		printf '%-9s %12s %10s %9s %8s %10s %8s\n' "$s" \
		    "$(echo $o | tr ' ' '\n' | med)" "$(echo $r | tr ' ' '\n' | med)" \
		    "$(echo $t | tr ' ' '\n' | med)" "$(echo $w | tr ' ' '\n' | med)" \
		    "$(echo $a | tr ' ' '\n' | med)" "$(echo $e | tr ' ' '\n' | med)"
	done
	# The chart of each run's first repeat, its legend the staleness.
	files=
	for s in dsgd $STALE; do
		cp "$dir/$mode-$s.1.jsonl" "$dir/$mode-s$s"
		files="$files $mode-s$s"
	done
	abs=$(cd "$(dirname "$strads")" && pwd)/strads
	(cd "$dir" && "$abs" plot $files --out "ssp-$mode.svg" --y objective --linear \
	    --title "MF, SGD on the SSP table: objective, $mode") >/dev/null 2>&1 &&
		echo "chart: $dir/ssp-$mode.svg"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
