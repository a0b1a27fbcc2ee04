#!/bin/sh
# bench_builds.sh BASE NEW -- two builds of strads side by side on the
# Lasso, to show that a change costs no speed: each case runs on BASE and
# NEW in turn (BASE first on odd repeats, NEW first on even ones), --repeat
# times, and the medians, ranges and NEW/BASE ratios are printed, with the
# objectives both reached (they must agree to 1e-12 relative: the same
# algorithm on the same data).
#
# BASE and NEW are paths to `strads` programs (a libtool wrapper in a
# build tree is fine). Cases (--cases, default all):
#   gen      strads gen lasso --n 16087 --p 150360 --nnz-per-row 386 --skew 1
#            --support 100 --seed 1 (6.2 M non-zeros), lambda 0.1 x
#            lambda_max, 2 threads: the solve time (the result line's).
#   large    --n 100000 --p 1000000 --nnz-per-row 50 --skew 1 --support 100
#            --seed 2 (5 M non-zeros), the same.
#   path     gen, --path 20 (lambda_max down to lambda_max / 100): the
#            "path: ... in Ts" time (jobs from set-up to result).
#   cluster  large, a coordinator and 2 nodes of 1 thread each over ipc://:
#            the coordinator's solve time.
# Generated data is cached in --cache DIR (default $TMPDIR/strads-bench,
# shared with bench_lasso.sh). Every figure is measured in this run.
set -u

repeat=5
cases="gen large path cluster"
cache=${TMPDIR:-/tmp}/strads-bench

usage() {
	sed -n '2,/^set -u/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
	echo "options: --repeat N (default 5), --cases 'gen large path cluster', --cache DIR"
}

while [ $# -gt 0 ]; do
	case $1 in
	--repeat) repeat=${2:?--repeat needs N}; shift ;;
	--cases) cases=${2:?--cases needs a list}; shift ;;
	--cache) cache=${2:?--cache needs DIR}; shift ;;
	--help|-h) usage; exit 0 ;;
	-*) echo "bench_builds: unknown option '$1'" >&2; exit 2 ;;
	*) break ;;
	esac
	shift
done
[ $# -eq 2 ] || { usage >&2; exit 2; }
base=$1
new=$2
for b in "$base" "$new"; do
	[ -x "$b" ] || { echo "bench_builds: $b: not a program" >&2; exit 2; }
done
mkdir -p "$cache" || exit 1
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT

data() { # NAME ARGS...: the cached generated file
	name=$1
	shift
	if [ ! -s "$cache/$name.svm" ]; then
		echo "generating $cache/$name.svm ..." >&2
		"$new" gen lasso --out "$cache/$name.svm" "$@" 2>/dev/null ||
			{ echo "bench_builds: strads gen failed" >&2; exit 1; }
	fi
	echo "$cache/$name.svm"
}

# The last number before "s" at the end of the result line, and the
# objective on it.
solve_s() { sed -n 's/^lambda .*, \([0-9.]*\)s\( (.*)\)\{0,1\}$/\1/p' "$1" | tail -n 1; }
objective() { sed -n 's/^lambda [^:]*: objective \([^,]*\),.*/\1/p' "$1" | tail -n 1; }

# run_case CASE BIN OUT: one run of CASE with strads BIN; its time (s)
# and objective on OUT's last line, or "fail".
run_case() {
	c=$1
	bin=$2
	log=$tmp/$c.log
	case $c in
	gen|large)
		timeout 600 "$bin" run lasso --data "$(data_of "$c")" --lambda-ratio 0.1 \
			--threads 2 --out "$tmp/m.model" >/dev/null 2>"$log" &&
			printf '%s %s\n' "$(solve_s "$log")" "$(objective "$log")"
		;;
	path)
		timeout 1200 "$bin" run lasso --data "$(data_of gen)" --path 20 --threads 2 \
			--out "$tmp/p.model" >/dev/null 2>"$log" &&
			printf '%s %s\n' \
			    "$(sed -n 's/^path: .* in \([0-9.]*\)s.*/\1/p' "$log")" \
			    "$(objective "$log")"
		;;
	cluster)
		url=ipc://$tmp/c.sock
		printf 'bench-builds-secret-0123456789abcdef\n' >"$tmp/secret"
		chmod 600 "$tmp/secret"
		STRADS_SECRET= timeout 600 "$bin" coordinator --listen "$url" --app lasso \
			--secret-file "$tmp/secret" --min-workers 2 --data "$(data_of large)" \
			--lambda-ratio 0.1 --out "$tmp/c.model" >/dev/null 2>"$log" &
		cpid=$!
		for k in 1 2; do
			timeout 600 "$bin" node --join "$url" --secret-file "$tmp/secret" \
				--threads 1 >/dev/null 2>"$tmp/node$k.log" &
		done
		if wait "$cpid"; then
			printf '%s %s\n' "$(solve_s "$log")" "$(objective "$log")"
		fi
		wait
		;;
	esac
}

data_of() {
	case $1 in
	gen) data gen --n 16087 --p 150360 --nnz-per-row 386 --skew 1 --support 100 --seed 1 ;;
	large) data large --n 100000 --p 1000000 --nnz-per-row 50 --skew 1 --support 100 --seed 2 ;;
	esac
}

# stats FILE: "median min max" of the numbers in FILE.
stats() {
	sort -g "$1" | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "- - -"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.4f %.4f %.4f\n", m, v[1], v[NR] }'
}

echo "bench_builds: BASE $base"
echo "              NEW  $new"
echo "load at start: $(uptime | sed 's/.*load average: //')"
for c in $cases; do
	data_of gen >/dev/null
	case $c in large|cluster) data_of large >/dev/null ;; esac
done
fail=0
printf '\n%-8s %-26s %-26s %-7s %s\n' case "BASE median (min-max) s" "NEW median (min-max) s" \
	NEW/BASE objectives
for c in $cases; do
	: >"$tmp/base.t"
	: >"$tmp/new.t"
	ob=
	on=
	r=1
	while [ $r -le "$repeat" ]; do
		if [ $((r % 2)) -eq 1 ]; then order="base new"; else order="new base"; fi
		for which in $order; do
			if [ $which = base ]; then bin=$base; else bin=$new; fi
			res=$(run_case "$c" "$bin")
			t=${res%% *}
			o=${res#* }
			if [ -z "$res" ] || [ -z "$t" ]; then
				echo "$c: a $which run failed:" >&2
				tail -n 3 "$tmp/$c.log" >&2
				fail=1
				continue
			fi
			echo "$t" >>"$tmp/$which.t"
			if [ $which = base ]; then ob=$o; else on=$o; fi
		done
		r=$((r + 1))
	done
	set -- $(stats "$tmp/base.t")
	bm=$1 blo=$2 bhi=$3
	set -- $(stats "$tmp/new.t")
	nm=$1 nlo=$2 nhi=$3
	ratio=$(awk -v a="$nm" -v b="$bm" 'BEGIN { if (b + 0 > 0 && a != "-") printf "%.3f", a / b; else print "-" }')
	same=$(awk -v a="$ob" -v b="$on" 'BEGIN {
		d = a - b; if (d < 0) d = -d; s = a < 0 ? -a : a
		print (a != "" && b != "" && d <= 1e-12 * s) ? "equal" : "DIFFER" }')
	[ "$same" = equal ] || fail=1
	printf '%-8s %-26s %-26s %-7s %s (%s / %s)\n' "$c" "$bm ($blo-$bhi)" "$nm ($nlo-$nhi)" \
		"$ratio" "$same" "$ob" "$on"
done
echo
echo "load at end: $(uptime | sed 's/.*load average: //')"
exit $fail
