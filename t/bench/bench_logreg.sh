#!/bin/sh
# bench_logreg.sh -- `make bench`: strads' sparse logistic regression
# beside LIBLINEAR (liblinear-train -s 6, no bias), side by side in one
# run on this machine, on the objective C sum log(1 + exp(-y w.x)) +
# ||w||_1 at C = 1.
#
# Sets: w8a (a copy without its trailing blank line, which LIBLINEAR
# refuses), rcv1_small.svm (../shared/data/logreg; skipped without them)
# and a generated problem, strads gen logreg --n 20000 --p 50000
# --nnz-per-row 50 --seed 1 (1 M non-zeros) and a large one, --n 200000
# --p 1000000 --nnz-per-row 50 --seed 2 (10 M non-zeros, 260 MB of
# text; --small leaves it out), made once into a cache directory
# ($BENCH_CACHE, default /tmp/strads-bench-logreg), never in the tree.
#
# strads runs with its default threads (one a core: both on a 2-core
# machine). In a build tree ./strads is libtool's wrapper script, which
# costs a shell and a sed or two (0.2 s measured, more than the whole
# solve of rcv1_small) on every run; the bench runs the program it
# wraps (.libs/strads, with the tree's libraries), as an installed
# strads would run.
#
# Measure: the time to reach LIBLINEAR's objective at its default
# tolerance (-e 0.01). A calibration run of LIBLINEAR gives that
# objective; strads runs --no-intercept at the loosest --tol of 1e-2,
# 1e-3, 1e-4, 1e-5, 1e-6 whose objective is at or below it (recomputed by
# neither: both programs print theirs; strads' is checked to be <=
# LIBLINEAR's in every timed run). Each timed run is a whole process,
# file loading included for both (LIBLINEAR has no separate figure);
# strads' own load and solve times (its "loaded" and result lines) are
# printed beside. Wall
# seconds and CPU seconds (user + sys, from /usr/bin/time) are both
# reported: on a loaded machine the wall time of a program of several
# threads (strads) suffers more than that of one thread (LIBLINEAR).
# REPEATS (default 5) runs of each, alternating strads and LIBLINEAR;
# medians with [min, max] and the ratio of medians strads / LIBLINEAR
# (below 1: strads is faster). Every figure is measured in this run; the
# load (uptime) is printed at the start and the end.
set -eu

top_builddir=${top_builddir:-.}
top_srcdir=${top_srcdir:-.}
strads="$top_builddir/strads"
repeats=${REPEATS:-5}
cache=${BENCH_CACHE:-/tmp/strads-bench-logreg}
large=1
for a in "$@"; do
	case $a in
	--large) large=1 ;;
	--small) large=0 ;;
	--repeats=*) repeats=${a#--repeats=} ;;
	*) echo "usage: bench_logreg.sh [--small] [--repeats=N]" >&2; exit 2 ;;
	esac
done

command -v liblinear-train >/dev/null 2>&1 || { echo "bench_logreg: no liblinear-train: skipped"; exit 0; }
[ -x "$strads" ] || { echo "bench_logreg: no $strads: build first" >&2; exit 1; }
# The program, not libtool's wrapper (above).
if [ -x "$top_builddir/.libs/strads" ] && head -c 2 "$strads" | grep -q '#!'; then
	LD_LIBRARY_PATH="$top_builddir/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
	export LD_LIBRARY_PATH
	strads="$top_builddir/.libs/strads"
fi
data=
for d in "${STRADS_SHARED_DATA:-}" "$top_srcdir/../shared/data" /work/shared/data; do
	if [ -n "$d" ] && [ -f "$d/logreg/rcv1_small.svm" ]; then
		data=$(cd "$d/logreg" && pwd) # absolute: the runs change directory
		break
	fi
done
mkdir -p "$cache"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# med FILE: "median [min, max]" of the numbers in FILE.
med() {
	sort -g "$1" | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.3f [%.3f, %.3f]", m, v[1], v[NR] }'
}
median() { sort -g "$1" | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

sets=""
if [ -n "$data" ]; then
	grep -v '^[[:space:]]*$' "$data/w8a" >"$tmp/w8a.svm"
	sets="w8a:$tmp/w8a.svm rcv1_small:$data/rcv1_small.svm"
fi
gen() {
	[ -f "$cache/$1.svm" ] || "$strads" gen logreg --n "$2" --p "$3" --nnz-per-row 50 \
	    --seed "$4" --out "$cache/$1.svm" 2>/dev/null
	sets="$sets $1:$cache/$1.svm"
}
gen gen20k 20000 50000 1
[ $large = 1 ] && gen gen200k 200000 1000000 2

echo "bench_logreg: strads run logreg --no-intercept vs liblinear-train -s 6, C = 1, $repeats alternating repeats"
echo "load at start: $(uptime)"
printf '%-11s %-6s wall %-24s %-24s %-5s  cpu %-24s %-24s %s\n' set tol \
    "strads s [min, max]" "LIBLINEAR s" ratio "strads s (user+sys)" "LIBLINEAR s" ratio
for s in $sets; do
	name=${s%%:*} f=${s#*:}
	(cd "$tmp" && liblinear-train -s 6 "$f" ll.model >ll.out)
	ref=$(sed -n 's/^Objective value = //p' "$tmp/ll.out")
	tol=
	for t in 1e-2 1e-3 1e-4 1e-5 1e-6; do
		"$strads" run logreg --data "$f" --format libsvm --no-intercept --tol "$t" \
		    --out "$tmp/s.model" >"$tmp/s.out" 2>&1
		obj=$(sed -n 's/^C [^:]*: objective \([^,]*\),.*/\1/p' "$tmp/s.out")
		if awk -v a="$obj" -v b="$ref" 'BEGIN { exit !(a <= b) }'; then
			tol=$t
			break
		fi
	done
	[ -n "$tol" ] || { echo "$name: strads did not reach $ref at --tol 1e-6"; continue; }
	: >"$tmp/ts"
	: >"$tmp/tl"
	: >"$tmp/cs"
	: >"$tmp/cl"
	: >"$tmp/solve"
	: >"$tmp/load"
	worst=
	i=0
	while [ $i -lt "$repeats" ]; do
		/usr/bin/time -f "%e %U %S" -o "$tmp/time" "$strads" run logreg --data "$f" \
		    --format libsvm --no-intercept --tol "$tol" --out "$tmp/s.model" >"$tmp/s.out" 2>&1
		awk '{ print $1 >> "'"$tmp/ts"'"; print $2 + $3 >> "'"$tmp/cs"'" }' "$tmp/time"
		(cd "$tmp" && /usr/bin/time -f "%e %U %S" -o "$tmp/time" \
		    liblinear-train -s 6 "$f" ll.model >/dev/null)
		awk '{ print $1 >> "'"$tmp/tl"'"; print $2 + $3 >> "'"$tmp/cl"'" }' "$tmp/time"
		sed -n 's/^C [^:]*:.* \([0-9.]*\)s$/\1/p' "$tmp/s.out" >>"$tmp/solve"
		sed -n 's/^loaded .* in \([0-9.]*\)s;.*/\1/p' "$tmp/s.out" >>"$tmp/load"
		obj=$(sed -n 's/^C [^:]*: objective \([^,]*\),.*/\1/p' "$tmp/s.out")
		awk -v a="$obj" -v b="$ref" 'BEGIN { exit !(a <= b) }' || worst=$obj
		i=$((i + 1))
	done
	ratio=$(echo "$(median "$tmp/ts") / $(median "$tmp/tl")" | bc -l)
	cratio=$(echo "$(median "$tmp/cs") / $(median "$tmp/cl")" | bc -l)
	printf '%-11s %-6s wall %-24s %-24s %-5.2f  cpu %-24s %-24s %-5.2f\n' "$name" "$tol" \
	    "$(med "$tmp/ts")" "$(med "$tmp/tl")" "$ratio" "$(med "$tmp/cs")" "$(med "$tmp/cl")" \
	    "$cratio"
	printf '%-18s objectives: strads %s, LIBLINEAR %s; strads load s %s, solve s %s\n' \
	    "" "$obj" "$ref" "$(med "$tmp/load")" "$(med "$tmp/solve")"
	[ -z "$worst" ] || echo "  (a timed strads run ended above LIBLINEAR's objective: $worst)"
done
echo "load at end: $(uptime)"
