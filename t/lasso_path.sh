#!/bin/sh
# A Lasso path in one process (strads run --path), where each chain of
# penalties is one job of stages (doc/schmp.md, "Jobs of stages"):
#  - two runs of the same path with two chains side by side give the same
#    model files (but for their training time, command line and
#    checksum) and the same metrics (but for times), penalty by penalty:
#    the chains are fixed, so nothing depends on timing; so do two runs
#    of one chain over two workers;
#  - every penalty has its model file, its metrics file (records from
#    iteration 0, then the closing line) and its result line, in order;
#  - one chain (each penalty warm-started from the one before) and two
#    chains (from the one two before) reach the same objectives, within
#    2e-6 relative (each is within its 1e-6 duality gap).
# No reference solver needed (t/lasso_glmnet.sh compares with glmnet).
. "${top_srcdir:-.}/t/clitest.sh"

N=12
"$strads" gen lasso --n 1500 --p 4000 --nnz-per-row 30 --support 30 --seed 5 \
    --out d.svm 2>/dev/null || { echo "FAIL: strads gen lasso"; exit 1; }

# path NAME ARGS...: the path into NAME.k and NAME.m.k, stderr NAME.err.
path() {
	name=$1
	shift
	timeout 120 "$strads" run lasso --data d.svm --path $N --min-ratio 0.02 \
	    --out "$name" --metrics "$name.m" "$@" 2>"$name.err" ||
		bad "strads run --path $N $* exited $?: $(tail -3 "$name.err")"
}

# pad K: step K's file suffix, zero-padded to the digits of N (.01 ... .12).
pad() { printf '%0*d' ${#N} "$1"; }

# same A B: the two runs' files agree penalty by penalty.
same() {
	k=1
	while [ $k -le $N ]; do
		n=$((n + 1))
		grep -v '^# train_s\|^# options\|^# end crc32' "$1.$(pad $k)" >x1 2>/dev/null
		grep -v '^# train_s\|^# options\|^# end crc32' "$2.$(pad $k)" >x2 2>/dev/null
		[ -s x1 ] && cmp -s x1 x2 || bad "$1 and $2: model $k differs"
		n=$((n + 1))
		sed 's/"time_s": [0-9.e+-]*//' "$1.m.$(pad $k)" >x1 2>/dev/null
		sed 's/"time_s": [0-9.e+-]*//' "$2.m.$(pad $k)" >x2 2>/dev/null
		[ -s x1 ] && cmp -s x1 x2 || bad "$1 and $2: metrics $k differ"
		k=$((k + 1))
	done
}

bad() {
	echo "FAIL: $*"
	fail=$((fail + 1))
}

path a --path-jobs 2 --threads 2
path b --path-jobs 2 --threads 2
same a b
path c --path-jobs 1 --threads 2 --workers 2
path d --path-jobs 1 --threads 2 --workers 2
same c d

k=1
while [ $k -le $N ]; do
	n=$((n + 1))
	for r in a c; do
		[ -s "$r.$(pad $k)" ] || bad "$r: no model file for penalty $k ($r.$(pad $k))"
		head -1 "$r.m.$(pad $k)" | grep -q '^{"iter": 0,' ||
			bad "$r: penalty $k's metrics do not start at iteration 0"
		tail -1 "$r.m.$(pad $k)" | grep -q '^{"end": true,.*"converged": true' ||
			bad "$r: penalty $k's metrics have no closing line, converged"
	done
	oa=$(sed -n 's/^# objective //p' "a.$(pad $k)")
	oc=$(sed -n 's/^# objective //p' "c.$(pad $k)")
	awk -v a="$oa" -v c="$oc" 'BEGIN { d = a - c; if (d < 0) d = -d;
	    exit !(a != "" && c != "" && d <= 2e-6 * (c < 0 ? -c : c)) }' ||
		bad "penalty $k: objective $oa with two chains, $oc with one"
	k=$((k + 1))
done
for r in a c; do
	n=$((n + 1))
	awk '$1 == "lambda" { sub(/:$/, "", $2); m++; if (m > 1 && $2 + 0 >= last) bad = 1; last = $2 + 0 }
	    END { exit !(m == '$N' && !bad) }' "$r.err" ||
		bad "$r: the $N result lines are missing or out of order"
done

# The summary table, OUT.path: a header and a line a penalty, in order,
# each with the objective of its model file, its lambda falling, its
# deviance ratio in [0, 1] and rising, and converged.
for r in a c; do
	n=$((n + 1))
	[ "$(head -1 "$r.path" 2>/dev/null)" = "$(printf 'step\tobjective\tgap\tnnz\tlambda\tdev_ratio\tconverged\trounds\tsolve_s')" ] ||
		bad "$r.path: its header is '$(head -1 "$r.path" 2>/dev/null)'"
	[ "$(wc -l <"$r.path" 2>/dev/null)" = $((N + 1)) ] || bad "$r.path: not $N lines of penalties"
	k=1
	while [ $k -le $N ]; do
		line=$(sed -n "$((k + 1))p" "$r.path")
		ok=$(printf '%s\n' "$line" | awk -F '\t' -v k=$k -v o="$(sed -n 's/^# objective //p' "$r.$(pad $k)")" \
		    -v l="$(sed -n 's/^# lambda //p' "$r.$(pad $k)")" '{ d = $2 - o; if (d < 0) d = -d
			dl = $5 - l; if (dl < 0) dl = -dl
			print ($1 == k && d <= 1e-12 * (o < 0 ? -o : o) + 1e-300 && dl <= 1e-9 * l &&
			    $6 >= 0 && $6 <= 1 && $7 == 1) ? 1 : 0 }')
		[ "$ok" = 1 ] || bad "$r.path: penalty $k's line '$line' does not match its model"
		k=$((k + 1))
	done
	awk -F '\t' 'NR > 2 && ($5 >= l || $6 < d - 1e-12) { bad = 1 } NR > 1 { l = $5; d = $6 }
	    END { exit bad }' "$r.path" || bad "$r.path: lambda does not fall or the deviance ratio does not rise"
done

[ "$fail" -eq 0 ] && echo "ok: $n checks of a path of $N penalties as jobs of stages"
[ "$fail" -eq 0 ]
