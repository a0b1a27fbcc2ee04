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
#
# Then (without --no-path, and with R's glmnet) the path of 100
# penalties against glmnet's binomial path, described where it is run.
# --path-only runs that alone.
set -eu

top_builddir=${top_builddir:-.}
top_srcdir=${top_srcdir:-.}
strads="$top_builddir/strads"
repeats=${REPEATS:-5}
cache=${BENCH_CACHE:-/tmp/strads-bench-logreg}
large=1
fits=1
path=1
for a in "$@"; do
	case $a in
	--large) large=1 ;;
	--small) large=0 ;;
	--no-path) path=0 ;;
	--path-only) fits=0 large=0 ;;
	--repeats=*) repeats=${a#--repeats=} ;;
	*) echo "usage: bench_logreg.sh [--small] [--no-path | --path-only] [--repeats=N]" >&2; exit 2 ;;
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

echo "load at start: $(uptime)"
[ $fits = 1 ] || sets=
[ -z "$sets" ] ||
	echo "bench_logreg: strads run logreg --no-intercept vs liblinear-train -s 6, C = 1, $repeats alternating repeats"
[ -z "$sets" ] || printf '%-11s %-6s wall %-24s %-24s %-5s  cpu %-24s %-24s %s\n' set tol \
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

# ---------------------------------------------------------------- path
# The path of 100 penalties, lambda_max .. lambda_max / 100 (glmnet's
# binomial convention, (1/n) sum log-loss + lambda ||w||_1, with the
# intercept) on gen20k. The reference is glmnet's path at thresh 1e-14
# over strads' own 100 lambdas (read from its model files), its
# objectives recomputed in R from its coefficients. Each side runs at
# the loosest of its tolerances whose every penalty is within 1e-6
# (relative) of the reference, or below it: strads --tol 1e-3 .. 1e-7,
# glmnet thresh 1e-5 .. 1e-12 (its default is 1e-7). Times are solves
# alone: strads' "path: ... in Ts" (every chain, both cores; loading
# and model files not counted) and glmnet()'s own call (system.time;
# reading the data not counted). REPEATS runs of each at the chosen
# tolerance, alternating.
if [ $path = 1 ] && command -v Rscript >/dev/null 2>&1 &&
    Rscript -e 'suppressMessages(library(glmnet))' >/dev/null 2>&1; then
	f=$cache/gen20k.svm
	echo "bench_logreg: path of 100 penalties on gen20k (with the intercept), strads vs glmnet binomial, $repeats alternating repeats"
	mkdir -p "$tmp/p"
	# strads' lambdas: a first run at a tight tolerance.
	"$strads" run logreg --data "$f" --format libsvm --path 100 --min-ratio 0.01 \
	    --tol 1e-8 --out "$tmp/p/m" --quiet >/dev/null 2>&1
	for k in $(seq -w 1 100); do sed -n 's/^# lambda //p' "$tmp/p/m.$k"; done >"$tmp/lambdas"
	/usr/bin/python3 - "$f" "$tmp/g" <<'PY'
import sys
src, out = sys.argv[1:3]
ys, trip, p, i = [], [], 0, 0
for line in open(src):
    t = line.split("#")[0].split()
    if not t:
        continue
    i += 1
    ys.append(t[0])
    for tok in t[1:]:
        a, b = tok.split(":")
        trip.append("%d %s %s" % (i, a, b))
        p = max(p, int(a))
open(out + ".y", "w").write("\n".join(ys) + "\n")
open(out + ".x", "w").write("\n".join(trip) + "\n")
open(out + ".p", "w").write("%d\n" % p)
PY
	# glmnet_path.R G LAMBDAS THRESH...: for each thresh, a line
	# "thresh time_s obj_1 ... obj_100".
	cat >"$tmp/glmnet_path.R" <<'R'
suppressMessages(library(glmnet))
a <- commandArgs(TRUE)
y <- scan(paste0(a[1], ".y"), quiet = TRUE)
tr <- matrix(scan(paste0(a[1], ".x"), quiet = TRUE), ncol = 3, byrow = TRUE)
p <- scan(paste0(a[1], ".p"), quiet = TRUE)
x <- sparseMatrix(i = tr[, 1], j = tr[, 2], x = tr[, 3], dims = c(length(y), p))
lam <- scan(a[2], quiet = TRUE)
glmnet.control(fdev = 0, devmax = 1)
yf <- factor(y > 0)
y01 <- as.numeric(y > 0)
for (th in as.numeric(a[-(1:2)])) {
  t <- system.time(f <- glmnet(x, yf, family = "binomial", lambda = lam,
      standardize = FALSE, thresh = th, maxit = 1e7))[["elapsed"]]
  b <- as.matrix(coef(f))
  obj <- sapply(seq_along(lam), function(k) {
    z <- as.vector(x %*% b[-1, k]) + b[1, k]
    mean(log1p(exp(-abs(z))) + pmax(z, 0) - y01 * z) + lam[k] * sum(abs(b[-1, k]))
  })
  cat(sprintf("%g %.6f", th, t), sprintf("%.17g", obj), "\n")
}
R
	Rscript "$tmp/glmnet_path.R" "$tmp/g" "$tmp/lambdas" 1e-14 >"$tmp/gref" ||
		{ echo "path: glmnet's reference failed"; exit 1; }
	# within FILE: 1 when each objective (one a line) is within 1e-6
	# of the reference's or below it.
	within() {
		cut -d' ' -f3- "$tmp/gref" | tr ' ' '\n' | grep . | paste - "$1" |
		    awk '{ r = ($2 - $1) / ($1 < 0 ? -$1 : $1); if (r > 1e-6) bad++; if (r > w) w = r }
		        END { printf "%s %.2g\n", bad ? 0 : 1, w }'
	}
	gthr=
	for th in 1e-5 1e-6 1e-7 1e-8 1e-9 1e-10 1e-11 1e-12; do
		Rscript "$tmp/glmnet_path.R" "$tmp/g" "$tmp/lambdas" "$th" >"$tmp/gl"
		cut -d' ' -f3- "$tmp/gl" | tr ' ' '\n' | grep . >"$tmp/gobj"
		r=$(within "$tmp/gobj")
		if [ "${r%% *}" = 1 ]; then
			gthr=$th gworst=${r#* }
			break
		fi
	done
	stol=
	for t in 1e-3 1e-4 1e-5 1e-6 1e-7; do
		"$strads" run logreg --data "$f" --format libsvm --path 100 --min-ratio 0.01 \
		    --tol "$t" --out "$tmp/p/m" --quiet >/dev/null 2>&1
		awk 'NR > 1 { print $2 }' "$tmp/p/m.path" >"$tmp/sobj"
		r=$(within "$tmp/sobj")
		if [ "${r%% *}" = 1 ]; then
			stol=$t sworst=${r#* }
			break
		fi
	done
	if [ -z "$gthr" ] || [ -z "$stol" ]; then
		echo "path: no tolerance within 1e-6 (glmnet ${gthr:-none}, strads ${stol:-none})"
	else
		: >"$tmp/ps"
		: >"$tmp/pg"
		i=0
		while [ $i -lt "$repeats" ]; do
			"$strads" run logreg --data "$f" --format libsvm --path 100 --min-ratio 0.01 \
			    --tol "$stol" --out "$tmp/p/m" >"$tmp/ps.out" 2>&1
			sed -n 's/^path: .* in \([0-9.]*\)s .*/\1/p' "$tmp/ps.out" >>"$tmp/ps"
			Rscript "$tmp/glmnet_path.R" "$tmp/g" "$tmp/lambdas" "$gthr" |
			    cut -d' ' -f2 >>"$tmp/pg"
			i=$((i + 1))
		done
		printf '%-24s %-28s %-28s %s\n' path "strads s [min, max]" "glmnet s [min, max]" ratio
		printf '%-24s %-28s %-28s %.3f\n' "gen20k 100 penalties" "$(med "$tmp/ps")" \
		    "$(med "$tmp/pg")" "$(echo "$(median "$tmp/ps") / $(median "$tmp/pg")" | bc -l)"
		echo "  strads --tol $stol (worst relative excess over the reference $sworst), glmnet thresh $gthr (worst $gworst)"
	fi
fi
echo "load at end: $(uptime)"
