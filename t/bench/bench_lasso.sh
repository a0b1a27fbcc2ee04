#!/bin/sh
# bench_lasso.sh -- `make bench`: strads' Lasso beside glmnet (R) and
# scikit-learn, measured side by side in one run on this machine.
#
# Cases
#   gen     "finance-shaped" generated problem (tf-idf-like values, Zipf
#           column frequencies): strads gen lasso --n 16087 --p 150360
#           --nnz-per-row 386 --skew 1 --support 100 --seed 1 (~6.2 M
#           non-zeros), generated once into a cache directory.
#   single  lambda = 0.1 x lambda_max, cold start, on gen and rcv1_small.
#   large   the same on a larger generated problem: strads gen lasso
#           --n 100000 --p 1000000 --nnz-per-row 50 --skew 1 --support 100
#           --seed 2 (5 M non-zeros; n 20000, p 200000 with --quick).
#   path    100 lambdas from lambda_max down to lambda_max / 100, on gen.
#
# Timing rules
#   * Loading is reported apart and never counted in the solve time:
#     strads' "loaded ... in Xs" line and solve time_s (its metrics / its
#     per-lambda lines), the reference scripts' time_read_s and time_s (the
#     glmnet() / fit / lasso_path call only).
#   * Single lambda: the reference optimum is glmnet with thresh 1e-12
#     (cold), or the lowest objective any run reached if that is lower.
#     strads is timed to its first check within 1e-4 relative of it (the
#     time_s of that metrics record; its run stops at gap <= 1e-4).
#     glmnet and sklearn: their time at the loosest tolerance of
#     1e-4 .. 1e-8 whose objective is within 1e-4 relative.
#   * Path: the reference is glmnet's path with thresh 1e-12 (per lambda,
#     or the lowest objective any run reached at that lambda). Every
#     solver's objective at every lambda is checked against 1e-6 relative.
#     strads: a run at each --tol of 1e-3 .. 1e-6 (its default; the
#     tolerance bounds the duality gap, so the objective is often much
#     closer; like glmnet's ladder, it starts 3 decades looser than the
#     default), total = the time of its jobs, from each one's set-up
#     to its gathered result ("path: ... in Ts"; loading and model files
#     excluded, as glmnet's and sklearn's times exclude theirs); the
#     loosest with all 100 lambdas within 1e-6 (and every one converged)
#     counts. strads runs its default --path-jobs (2 chains side by side
#     on 2 cores; the time is the slowest chain's); at the tolerance that
#     counts it is also run as one chain (--path-jobs 1, each lambda from
#     the one before, as glmnet) and that time is printed beside it.
#     glmnet and sklearn: the loosest tolerance of
#     1e-4 .. 1e-12 where all 100 lambdas are within 1e-6 (glmnet's 1e-12
#     rung is the reference run itself; a ladder stops at the first attempt
#     that times out: tighter ones are slower still).
#   * strads' single-lambda run is not --quiet (its "loaded ... in Xs" line
#     is the load time); its progress lines are printed at the checks it
#     makes anyway and cost nothing measurable.
#   * Each solver run has a time limit (`timeout`); a run that hits it is
#     reported as such, never as a number.
#   * Repeats: a solver's time moves between runs (glmnet's by 1.4 x on a
#     quiet machine), so once the ladders have chosen each solver's
#     setting, every timed case is run --repeat more times (default 5),
#     strads and its peers alternating (strads, glmnet, sklearn, then
#     again), each at the setting its ladder chose. Each repeat gives a
#     ratio strads / peer; the medians and ranges (min-max) of the times
#     and of those ratios are printed, and the targets are judged on the
#     median ratios. A strads repeat counts only if it reached what its
#     ladder run did (1e-4 of the optimum; every lambda within 1e-6).
# Targets (issues 7 and 19): single lambda strads <= 0.15 x glmnet on the
# generated and large problems and <= 0.2 x sklearn on the generated
# one, no slower than glmnet on rcv1_small; path strads <= 0.3 x glmnet.
#
# Nothing here is a recorded number: every figure printed is measured in
# this run. The machine load (uptime) is printed at the start and the end;
# read the times in its light.
set -eu

usage() {
	cat <<'EOF'
usage: bench_lasso.sh [options]

Lasso benchmark: strads vs glmnet (R) vs scikit-learn, side by side.

  --quick             smaller generated problems (n 4000, p 40000,
                      nnz-per-row 100; large: n 20000, p 200000) for a
                      fast smoke run
  --cache DIR         where the generated problem is kept and reused
                      (default: $TMPDIR/strads-bench)
  --regen             generate the problem again even if cached
  --keep DIR          keep all solver outputs in DIR (default: a temporary
                      directory, removed at exit)
  --cases LIST        comma list of single,large,rcv1,path (default: all)
  --single-timeout S  limit of one single-lambda solver run (default 600;
                      120 with --quick)
  --path-timeout S    limit of strads' path run (default 1200; 180 with --quick)
  --ref-path-timeout S  limit of one glmnet or sklearn path run (default 600;
                      300 with --quick)
  --threads N         strads --threads (default: strads' own, all cores)
  --peers LIST        comma list of glmnet,sklearn: the peers run (default
                      both; scikit-learn's path and large runs take minutes)
  --repeat N          timed runs of each case's chosen settings after the
                      ladders, strads and its peers alternating (default 5;
                      0: only the ladder runs, no medians)
  --help              this help

Environment: top_builddir (strads binary), top_srcdir (t/ref scripts,
../shared/data), STRADS_SHARED_DATA (data directory holding
logreg/rcv1_small.svm), TMPDIR.
A solver whose tool is missing (Rscript + glmnet, /usr/bin/python3 +
sklearn, the strads binary) is skipped with a note.
EOF
}

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
strads="$top_builddir/strads"
ref="$top_srcdir/t/ref"
py=/usr/bin/python3

quick=0
cache=${TMPDIR:-/tmp}/strads-bench
regen=0
keep=
cases=single,large,rcv1,path
t_single=
t_path=
t_refpath=
threads=
repeat=5
peers=glmnet,sklearn
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1 ;;
	--cache) cache=${2:?--cache needs DIR}; shift ;;
	--cache=*) cache=${1#*=} ;;
	--regen) regen=1 ;;
	--keep) keep=${2:?--keep needs DIR}; shift ;;
	--keep=*) keep=${1#*=} ;;
	--cases) cases=${2:?--cases needs LIST}; shift ;;
	--cases=*) cases=${1#*=} ;;
	--single-timeout) t_single=${2:?}; shift ;;
	--single-timeout=*) t_single=${1#*=} ;;
	--path-timeout) t_path=${2:?}; shift ;;
	--path-timeout=*) t_path=${1#*=} ;;
	--ref-path-timeout) t_refpath=${2:?}; shift ;;
	--ref-path-timeout=*) t_refpath=${1#*=} ;;
	--threads) threads=${2:?}; shift ;;
	--threads=*) threads=${1#*=} ;;
	--repeat) repeat=${2:?--repeat needs N}; shift ;;
	--repeat=*) repeat=${1#*=} ;;
	--peers) peers=${2:?--peers needs LIST}; shift ;;
	--peers=*) peers=${1#*=} ;;
	-h | --help) usage; exit 0 ;;
	*) echo "bench_lasso.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
case $repeat in
'' | *[!0-9]*) echo "bench_lasso.sh: --repeat: expected a count, got '$repeat'" >&2; exit 2 ;;
esac
want() { case ",$cases," in *",$1,"*) return 0 ;; esac; return 1; }

if [ $quick = 1 ]; then
	gen_n=4000 gen_p=40000 gen_k=100
	large_n=20000 large_p=200000
	: "${t_single:=120}" "${t_path:=180}" "${t_refpath:=300}"
else
	: "${t_single:=600}" "${t_path:=1200}" "${t_refpath:=600}"
	gen_n=16087 gen_p=150360 gen_k=386
	large_n=100000 large_p=1000000
fi
gen_args="--n $gen_n --p $gen_p --nnz-per-row $gen_k --skew 1 --support 100 --seed 1"
large_args="--n $large_n --p $large_p --nnz-per-row 50 --skew 1 --support 100 --seed 2"

if [ -n "$keep" ]; then
	mkdir -p "$keep"
	work=$(cd "$keep" && pwd)
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/bench_lasso.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	trap 'exit 130' INT TERM
fi
results="$work/results.tsv" # case solver setting load solve obj nnz status
: >"$results"
repeats="$work/repeats.tsv" # case repeat strads glmnet sklearn (solve s or -)
: >"$repeats"

# ---------------------------------------------------------------- tools

now() { date +%s.%N 2>/dev/null | sed 's/N$/0/'; }
t_start=$(now)
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.0f", b - a }'; }

have_timeout=0
command -v timeout >/dev/null 2>&1 && have_timeout=1
# limited SECONDS CMD...: run CMD with a time limit; 124 = it hit it.
limited() {
	lim_s=$1
	shift
	if [ $have_timeout = 1 ]; then
		timeout -k 10 "$lim_s" "$@"
	else
		"$@"
	fi
}

have_strads=0 have_glmnet=0 have_sklearn=0
if [ -x "$strads" ]; then
	have_strads=1
else
	echo "note: $strads not built: strads skipped"
fi
peer() { case ",$peers," in *",$1,"*) return 0 ;; esac; return 1; }
if ! peer glmnet; then
	echo "note: glmnet not in --peers: skipped"
elif command -v Rscript >/dev/null 2>&1 &&
	Rscript -e 'suppressMessages(library(glmnet))' >/dev/null 2>&1; then
	have_glmnet=1
else
	echo "note: Rscript with glmnet missing (r-cran-glmnet): glmnet skipped"
fi
if ! peer sklearn; then
	echo "note: sklearn not in --peers: skipped"
elif [ -x $py ] && $py -c 'import sklearn, numpy, scipy' 2>/dev/null; then
	have_sklearn=1
else
	echo "note: $py with sklearn missing (python3-sklearn): sklearn skipped"
fi
[ $have_timeout = 1 ] || echo "note: no timeout command: runs are not time limited"

echo "== strads Lasso benchmark: strads vs glmnet vs scikit-learn"
echo "date:    $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "host:    $(uname -srm), $(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?') cpus," \
	"$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)"
echo "load:    $(uptime)"
thp=/sys/kernel/mm/transparent_hugepage/enabled
echo "thp:     $(cat "$thp" 2>/dev/null || echo "no $thp") (huge pages for strads_large_alloc)"
[ $have_strads = 1 ] && echo "strads:  $("$strads" --version 2>&1 | head -1)"
[ $have_glmnet = 1 ] && echo "glmnet:  $(Rscript -e 'cat(as.character(packageVersion("glmnet")))' 2>/dev/null)" \
	"($(Rscript --version 2>&1 | head -1))"
[ $have_sklearn = 1 ] && echo "sklearn: $($py -c 'import sklearn; print(sklearn.__version__)')"
echo "work:    $work"
echo

# ---------------------------------------------------------------- parsing

# refobj FILE [BLOCK]: objective of a reference output (block 1..N).
refval() { # refval KEY FILE [BLOCK]
	awk -v k="$1" -v b="${3:-1}" 'BEGIN { blk = 1 }
	    $1 == "---" { blk++; next }
	    blk == b && $1 == k { print $2; exit }' "$2"
}
# stderr_val KEY FILE: "KEY V" line of a reference script's --time stderr.
stderr_val() { awk -v k="$1" '$1 == k { v = $2 } END { if (v != "") print v }' "$2"; }
# model_obj FILE / model_nnz FILE: strads model file.
model_obj() { awk '$1 == "#" && $2 == "objective" { print $3; exit }' "$1"; }
model_lambda() { awk '$1 == "#" && $2 == "lambda" { print $3; exit }' "$1"; }
model_nnz() { awk '$1 != "#" && NF >= 2 && $2 + 0 != 0 { c++ } END { print c + 0 }' "$1"; }
# rel OBJ REF: (obj - ref) / |ref|
rel() { awk -v o="$1" -v r="$2" 'BEGIN { a = r < 0 ? -r : r; printf "%.3e", (o - r) / a }'; }
# within OBJ REF TOL: exit 0 if obj <= ref + tol |ref|
within() { awk -v o="$1" -v r="$2" -v t="$3" 'BEGIN { a = r < 0 ? -r : r; exit !(o - r <= t * a) }'; }
minof() { awk -v a="$1" -v b="$2" 'BEGIN { print (b != "" && b + 0 < a + 0) ? b : a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0) printf "%.3f", a / b; else print "-" }'; }

# record CASE SOLVER SETTING LOAD SOLVE OBJ NNZ STATUS
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$results"; }

# ---------------------------------------------------------------- runners

# glmnet_run OUT THRESH ARGS...: one glmnet_lasso.R call; status in $rc.
glmnet_run() {
	out=$1 thr=$2
	shift 2
	rc=0
	[ -s "$out" ] && return 0
	limited "$lim" Rscript "$ref/glmnet_lasso.R" --data "$data" --format libsvm \
		--thresh "$thr" --time --out "$out.tmp" "$@" 2>"$out.err" || rc=$?
	[ $rc = 0 ] && mv "$out.tmp" "$out"
	return 0
}
sklearn_run() {
	out=$1 thr=$2
	shift 2
	rc=0
	[ -s "$out" ] && return 0
	limited "$lim" $py "$ref/sklearn_lasso.py" --data "$data" --format libsvm \
		--thresh "$thr" --time --out "$out.tmp" "$@" 2>"$out.err" || rc=$?
	[ $rc = 0 ] && mv "$out.tmp" "$out"
	return 0
}
failmsg() { # failmsg RC LIMIT
	if [ "$1" = 124 ] || [ "$1" = 137 ]; then
		echo "TIMEOUT (limit $2 s)"
	else
		echo "FAILED (exit $1)"
	fi
}

ladder="1e-4 1e-5 1e-6 1e-7 1e-8"
# strads' path: its --tol (a duality gap bound) from loose to its default
sladder="1e-3 1e-4 1e-5 1e-6"
# path: on, if need be, to glmnet's reference tolerance (always all 100)
pladder="$ladder 1e-9 1e-10 1e-11 1e-12"

# single_ladder TOOL: run TOOL (glmnet|sklearn) loosest tolerance first
# until one is within 1e-4 of $refopt (files already there are reused, so
# calling again after the reference moved only runs what is missing).
# Sets ${TOOL}_pick to the chosen tolerance ("" if none), ${TOOL}_fail.
single_ladder() {
	tool=$1 pick="" fail=""
	for thr in $ladder; do
		f="$cw/$tool.$thr"
		"${tool}_run" "$f" "$thr" --lambda-ratio 0.1 --no-path-warm
		if [ ! -s "$f" ]; then
			fail="thresh $thr: $(failmsg "$rc" "$lim")"
			break
		fi
		o=$(refval objective "$f")
		if within "$o" "$refopt" 1e-4; then
			pick=$thr
			break
		fi
	done
	eval "${tool}_pick=\$pick ${tool}_fail=\$fail"
}

# ---------------------------------------------------------------- data

data_dir=
for d in "${STRADS_SHARED_DATA:-}" "$top_srcdir/../shared/data" /work/shared/data; do
	if [ -n "$d" ] && [ -f "$d/logreg/rcv1_small.svm" ]; then
		data_dir=$d
		break
	fi
done

# gen_problem VAR ARGS: generate (or reuse from the cache) the problem of
# strads gen lasso ARGS; its path goes into VAR ("" if none).
gen_problem() {
	var=$1 args=$2 file=""
	key=$(echo "$args" | sed 's/--//g; s/ /_/g')
	gdir="$cache/gen_$key"
	if [ $regen = 0 ] && [ -s "$gdir/data.svm" ] && [ -f "$gdir/params" ] &&
		[ "$(cat "$gdir/params")" = "$args" ]; then
		echo "generated problem: reusing $gdir/data.svm"
		file="$gdir/data.svm"
	elif [ $have_strads = 1 ]; then
		mkdir -p "$gdir"
		rm -f "$gdir/params"
		echo "generating: strads gen lasso $args"
		# shellcheck disable=SC2086
		"$strads" gen lasso --out "$gdir/data.svm.tmp" $args 2>"$gdir/gen.log" ||
			{ cat "$gdir/gen.log" >&2; exit 1; }
		mv "$gdir/data.svm.tmp" "$gdir/data.svm"
		echo "$args" >"$gdir/params"
		file="$gdir/data.svm"
	else
		echo "note: no strads binary to generate the problem: its cases are skipped"
	fi
	[ -f "$gdir/gen.log" ] && sed 's/^/  /' "$gdir/gen.log"
	echo
	eval "$var=\$file"
}

gen_data= large_data=
if want single || want path; then
	gen_problem gen_data "$gen_args"
fi
if want large; then
	gen_problem large_data "$large_args"
fi

# ---------------------------------------------------------------- repeats

# rep_row CASE I S G K: one repeat's solve times (- where none).
rep_row() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$repeats"; }

# peer_repeat TOOL FILE ARGS...: one timed run of TOOL (glmnet|sklearn)
# at the tolerance its ladder picked (${TOOL}_pick; none: "-"); its
# solve time in $rep_t.
peer_repeat() {
	tool=$1 f=$2
	shift 2
	rep_t=-
	eval "have=\$have_$tool pick=\${${tool}_pick:-}"
	[ "$have" = 1 ] && [ -n "$pick" ] || return 0
	"${tool}_run" "$f" "$pick" "$@"
	[ -s "$f" ] && rep_t=$(refval time_s "$f")
	return 0
}

# first_within METRICS: time_s of the first check within 1e-4 relative
# of $refopt, or "-".
first_within() {
	awk -F'"time_s": ' -v r="$refopt" 'NF > 1 { split($2, a, ","); t = a[1];
	    split($0, b, /"objective": /); split(b[2], c, /[,}]/); o = c[1];
	    if (o - r <= 1e-4 * (r < 0 ? -r : r)) { print t; f = 1; exit } }
	    END { if (!f) print "-" }' "$1" 2>/dev/null || echo -
}

# single_repeats NAME DATA: after single_case's ladders, $repeat runs of
# strads (--tol 1e-4, timed to its first check within 1e-4), glmnet and
# sklearn (at their picks), alternating.
single_repeats() {
	i=1
	while [ "$i" -le "$repeat" ]; do
		ts=-
		if [ "$s_rc" != none ]; then
			m="$cw/rep$i.strads.metrics"
			rm -f "$m"
			# The coordinator's debug lines time each check (sent to
			# done), for the first check's cost beside later ones.
			# shellcheck disable=SC2086
			STRADS_LOG=debug limited "$t_single" "$strads" run lasso --data "$data" \
				--lambda-ratio 0.1 --tol 1e-4 ${threads:+--threads $threads} --quiet \
				--metrics "$m" --out "$cw/rep$i.strads.model" \
				2>"$cw/rep$i.strads.err" || true
			ts=$(first_within "$m")
			# "first_ms later_ms ..." of this run's checks
			awk '/coordinator: .*check [0-9]+ sent/ { s[$6] = $4 + 0 }
			    /coordinator: .*check [0-9]+ done/ { if ($6 in s) printf "%.3f ", ($4 - s[$6]) * 1000 }
			    END { print "" }' "$cw/rep$i.strads.err" >>"$cw/checks.txt"
		fi
		lim=$t_single
		peer_repeat glmnet "$cw/rep$i.glmnet" --lambda-ratio 0.1 --no-path-warm
		tg=$rep_t
		peer_repeat sklearn "$cw/rep$i.sklearn" --lambda-ratio 0.1 --no-path-warm
		rep_row "$name" "$i" "$ts" "$tg" "$rep_t"
		i=$((i + 1))
	done
	# The first check (fresh memory) beside the later ones: medians over
	# the repeats, and of each run's first / its later checks' median.
	[ -s "$cw/checks.txt" ] && awk -v c="$name" '
	    function med(a, n,   i, j, x) {
	        for (i = 1; i < n; i++) { x = a[i]; for (j = i - 1; j >= 0 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
	        return n % 2 ? a[(n - 1) / 2] : (a[n / 2 - 1] + a[n / 2]) / 2 }
	    NF >= 2 { f[nf++] = $1; k = 0; for (i = 2; i <= NF; i++) { l[nl++] = $i; r[k++] = $i }
	        q[nq++] = $1 / med(r, k) }
	    END { if (nf == 0) exit
	        n = nq; for (i = 0; i < n; i++) rr[i] = q[i]
	        lo = hi = q[0]; for (i = 1; i < nq; i++) { if (q[i] < lo) lo = q[i]; if (q[i] > hi) hi = q[i] }
	        printf "  strads checks over %d runs: first %.1f ms, later %.1f ms (medians); first / later: median %.2f, range %.2f-%.2f (the target on the large case: <= 1.25)\n",
	            nf, med(f, nf), med(l, nl), med(rr, n), lo, hi }' "$cw/checks.txt"
	return 0
}

# ---------------------------------------------------------------- single

# single_case NAME DATA: single lambda 0.1 x lambda_max, cold start.
single_case() {
	name=$1 data=$2
	cw="$work/$name"
	mkdir -p "$cw"
	lim=$t_single
	echo "== $name: single lambda = 0.1 x lambda_max, cold start ($data)"

	# the reference optimum
	refopt="" refsrc=""
	if [ $have_glmnet = 1 ]; then
		glmnet_run "$cw/glmnet.ref" 1e-12 --lambda-ratio 0.1 --no-path-warm
		if [ -s "$cw/glmnet.ref" ]; then
			refopt=$(refval objective "$cw/glmnet.ref")
			refsrc="glmnet thresh 1e-12"
			echo "  glmnet thresh 1e-12 (reference): objective $refopt," \
				"solve $(refval time_s "$cw/glmnet.ref") s"
		else
			echo "  glmnet thresh 1e-12 (reference): $(failmsg "$rc" "$lim")"
		fi
	fi

	# strads: stops at gap <= 1e-4; its metrics give the time to 1e-4.
	s_rc=none
	if [ $have_strads = 1 ]; then
		s_rc=0
		# Not --quiet: its "loaded ... in Xs" line is the load time (the
		# progress lines cost nothing measurable: one a check).
		# shellcheck disable=SC2086
		limited "$lim" "$strads" run lasso --data "$data" --lambda-ratio 0.1 \
			--tol 1e-4 ${threads:+--threads $threads} --metrics "$cw/strads.metrics" \
			--out "$cw/strads.model" 2>"$cw/strads.err" || s_rc=$?
		if [ -s "$cw/strads.metrics" ]; then
			best=$(awk -F'"objective": ' 'NF > 1 { split($2, a, /[,}]/); v = a[1] + 0;
			    if (m == "" || v < m) m = v } END { printf "%.17g", m }' "$cw/strads.metrics")
			refopt=$(minof "${refopt:-$best}" "$best")
			[ -n "$refsrc" ] || refsrc="strads (no glmnet)"
		fi
	fi

	# glmnet / sklearn ladders; again if the reference moved.
	for _ in 1 2 3; do
		[ -n "$refopt" ] || break
		prev=$refopt
		for tool in glmnet sklearn; do
			eval "have=\$have_$tool"
			[ "$have" = 1 ] || continue
			single_ladder $tool
			for f in "$cw/$tool".1e-*; do
				[ -s "$f" ] || continue
				refopt=$(minof "$refopt" "$(refval objective "$f")")
			done
		done
		[ "$refopt" = "$prev" ] && break
	done
	if [ -z "$refopt" ]; then
		echo "  no reference optimum (no solver ran): case skipped"
		echo
		return 0
	fi
	if [ -s "$cw/glmnet.ref" ]; then
		[ "$refopt" = "$(refval objective "$cw/glmnet.ref")" ] ||
			refsrc="lowest objective any run reached, below glmnet thresh 1e-12's"
	else
		refsrc="lowest objective any run reached; no glmnet reference"
	fi
	echo "  reference optimum: $refopt ($refsrc)"

	# report the ladders
	for tool in glmnet sklearn; do
		eval "have=\$have_$tool pick=\${${tool}_pick:-} fail=\${${tool}_fail:-}"
		[ "$have" = 1 ] || { record "$name" $tool - - - - - skipped; continue; }
		for thr in $ladder; do
			f="$cw/$tool.$thr"
			[ -s "$f" ] || continue
			o=$(refval objective "$f")
			echo "  $tool tol $thr: solve $(refval time_s "$f") s, objective $o," \
				"rel $(rel "$o" "$refopt")$([ "$thr" = "$pick" ] && echo ' <- loosest within 1e-4')"
		done
		[ -n "$fail" ] && echo "  $tool $fail"
		if [ -n "$pick" ]; then
			f="$cw/$tool.$pick"
			record "$name" $tool "tol $pick" "$(stderr_val time_read_s "$f.err")" \
				"$(refval time_s "$f")" "$(refval objective "$f")" "$(refval nnz "$f")" ok
		else
			record "$name" $tool "-" - - - - "${fail:-no tolerance reached 1e-4}"
		fi
	done

	# report strads
	if [ "$s_rc" = none ]; then
		record "$name" strads - - - - - skipped
	else
		load=$(sed -n 's/^loaded .* in \([0-9.]*\)s;.*/\1/p' "$cw/strads.err")
		: "${load:=-}"
		nchk=$(grep -c . "$cw/strads.metrics" 2>/dev/null || true)
		fin_t=$(awk -F'"time_s": ' 'NF > 1 { split($2, a, ","); t = a[1] } END { print t }' "$cw/strads.metrics" 2>/dev/null || true)
		fin_o=$(awk -F'"objective": ' 'NF > 1 { split($2, a, /[,}]/); o = a[1] } END { print o }' "$cw/strads.metrics" 2>/dev/null || true)
		fin_g=$(awk -F'"gap": ' 'NF > 1 { split($2, a, /[,}]/); g = a[1] } END { print g }' "$cw/strads.metrics" 2>/dev/null || true)
		line=$(awk -F'"time_s": ' -v r="$refopt" 'NF > 1 { split($2, a, ","); t = a[1];
		    split($0, b, /"objective": /); split(b[2], c, /[,}]/); o = c[1];
		    split($0, d, /"nnz": /); split(d[2], e, /[,}]/);
		    if (o - r <= 1e-4 * (r < 0 ? -r : r)) { print t, o, e[1]; exit } }' "$cw/strads.metrics" 2>/dev/null || true)
		if [ "$s_rc" = 0 ]; then
			stop="ok"
			echo "  strads --tol 1e-4: stopped at gap $fin_g after $nchk checks: solve $fin_t s," \
				"objective $fin_o, rel $(rel "$fin_o" "$refopt")"
		else
			stop=$(failmsg "$s_rc" "$lim")
			echo "  strads --tol 1e-4: DID NOT STOP: $stop; last of $nchk checks: solve ${fin_t:--} s," \
				"objective ${fin_o:--}, gap ${fin_g:--}$([ -n "$fin_o" ] && echo ", rel $(rel "$fin_o" "$refopt")")"
		fi
		if [ -n "$line" ]; then
			# shellcheck disable=SC2086
			set -- $line
			echo "  strads first check within 1e-4 of the optimum: time_s $1, objective $2"
			if [ "$s_rc" = 0 ]; then st=ok; else st="reached 1e-4, but the run: $stop"; fi
			record "$name" strads "to 1e-4" "$load" "$1" "$2" "$3" "$st"
		else
			echo "  strads: NO check within 1e-4 relative of the reference optimum"
			record "$name" strads "to 1e-4" "$load" - - - "never within 1e-4 ($stop)"
		fi
		if [ "$s_rc" = 0 ]; then
			record "$name" strads "final gap<=1e-4" "$load" "$fin_t" \
				"$(model_obj "$cw/strads.model")" "$(model_nnz "$cw/strads.model")" ok
		elif [ -n "$fin_t" ]; then
			record "$name" strads "last check" "$load" "$fin_t" "$fin_o" - "$stop"
		fi
	fi
	echo "$name	$refopt" >>"$work/refopt.tsv"
	if [ "$repeat" -gt 0 ]; then
		echo "  $repeat timed repeats (strads, glmnet, sklearn alternating) ..."
		single_repeats
	fi
	echo
}

# ---------------------------------------------------------------- path

# strads_path SP TOL LIMIT [ARGS...]: a strads path of $N penalties at
# --tol TOL into SP.model.k (stderr SP.err); its status in $rc and SP.rc,
# the objectives of the lambdas it finished, one a line, in SP.obj.
strads_path() {
	sp=$1 stol=$2 slim=$3
	shift 3
	rc=0
	# shellcheck disable=SC2086
	limited "$slim" "$strads" run lasso --data "$data" --path $N --min-ratio 0.01 \
		--tol "$stol" ${threads:+--threads $threads} "$@" --out "$sp.model" \
		2>"$sp.err" || rc=$?
	echo "$rc" >"$sp.rc"
	k=1
	: >"$sp.obj"
	# the step files are zero-padded to the digits of N
	while [ $k -le $N ] && [ -s "$sp.model.$(printf '%0*d' ${#N} $k)" ]; do
		model_obj "$sp.model.$(printf '%0*d' ${#N} $k)" >>"$sp.obj"
		k=$((k + 1))
	done
}

path_case() {
	name=$1 data=$2
	cw="$work/$name"
	mkdir -p "$cw"
	N=100
	echo "== $name: path of $N lambdas, lambda_max .. lambda_max/100 ($data)"

	# per-lambda reference: glmnet thresh 1e-12, lowered by any run below it
	: >"$cw/ref.txt"
	# (its file is also the last rung of glmnet's ladder below)
	lim=$t_refpath
	if [ $have_glmnet = 1 ]; then
		glmnet_run "$cw/glmnet.1e-12" 1e-12 --path $N --min-ratio 0.01
		if [ -s "$cw/glmnet.1e-12" ]; then
			awk '$1 == "objective" { print $2 }' "$cw/glmnet.1e-12" >"$cw/ref.txt"
			cp "$cw/ref.txt" "$cw/glmnet.1e-12.obj"
			echo "  glmnet thresh 1e-12 path (reference): solve $(refval time_s "$cw/glmnet.1e-12") s"
		else
			echo "  glmnet thresh 1e-12 path (reference): $(failmsg "$rc" "$lim")"
		fi
	fi

	# strads: a run per --tol of its ladder (each with the time budget of
	# a whole path); the loosest with every lambda within 1e-6 counts,
	# as for glmnet and sklearn.
	s_ran=0
	if [ $have_strads = 1 ]; then
		s_ran=1
		lim=$t_path
		for tol in $sladder; do
			strads_path "$cw/strads.$tol" "$tol" "$lim"
		done
	fi

	# path_objs TOOL THR: the tool's per-lambda objectives at THR.
	path_objs() { awk '$1 == "objective" { print $2 }' "$cw/$1.$2"; }
	# lower the reference by every run's objectives
	lower_ref() {
		awk 'NR == FNR { r[FNR] = $1; n = FNR; next }
		     { if (FNR > n) { r[FNR] = $1; n = FNR } else if ($1 + 0 < r[FNR] + 0) r[FNR] = $1 }
		     END { for (i = 1; i <= n; i++) print r[i] }' "$cw/ref.txt" "$1" >"$cw/ref.tmp"
		mv "$cw/ref.tmp" "$cw/ref.txt"
	}
	# count_within FILE: how many lines of FILE are within 1e-6 of ref.txt
	count_within() {
		awk 'NR == FNR { r[FNR] = $1; next }
		     { a = r[FNR] < 0 ? -r[FNR] : r[FNR]; if ($1 - r[FNR] <= 1e-6 * a) c++ }
		     END { print c + 0 }' "$cw/ref.txt" "$1"
	}
	worst() {
		awk 'NR == FNR { r[FNR] = $1; next }
		     { a = r[FNR] < 0 ? -r[FNR] : r[FNR]; v = ($1 - r[FNR]) / a; if (v > m) m = v }
		     END { printf "%.2e", m }' "$cw/ref.txt" "$1"
	}
	for tol in $sladder; do
		[ -s "$cw/strads.$tol.obj" ] && lower_ref "$cw/strads.$tol.obj"
	done

	path_ladder() {
		tool=$1 pick="" fail=""
		lim=$t_refpath
		for thr in $pladder; do
			f="$cw/$tool.$thr"
			"${tool}_run" "$f" "$thr" --path $N --min-ratio 0.01
			if [ ! -s "$f" ]; then
				fail="thresh $thr: $(failmsg "$rc" "$lim")"
				break
			fi
			path_objs "$tool" "$thr" >"$f.obj"
			lower_ref "$f.obj"
			if [ "$(count_within "$f.obj")" = $N ]; then
				pick=$thr
				break
			fi
		done
		eval "${tool}_pick=\$pick ${tool}_fail=\$fail"
	}
	for tool in glmnet sklearn; do
		eval "have=\$have_$tool"
		[ "$have" = 1 ] && path_ladder $tool
	done
	# the reference may have moved below an earlier pick: re-check
	for tool in glmnet sklearn; do
		eval "have=\$have_$tool pick=\${${tool}_pick:-}"
		[ "$have" = 1 ] && [ -n "$pick" ] || continue
		[ "$(count_within "$cw/$tool.$pick.obj")" = $N ] || path_ladder $tool
	done
	if [ ! -s "$cw/ref.txt" ]; then
		echo "  no reference (no solver finished): case skipped"
		echo
		return 0
	fi
	echo "  reference: per lambda, glmnet thresh 1e-12 or the lowest objective any run reached"
	echo "$name	$(sed -n ${N}p "$cw/ref.txt")" >>"$work/refopt.tsv"

	for tool in glmnet sklearn; do
		eval "have=\$have_$tool pick=\${${tool}_pick:-} fail=\${${tool}_fail:-}"
		[ "$have" = 1 ] || { record "$name" $tool - - - - - skipped; continue; }
		for thr in $pladder; do
			f="$cw/$tool.$thr"
			[ -s "$f" ] || continue
			echo "  $tool tol $thr: solve $(refval time_s "$f") s," \
				"$(count_within "$f.obj")/$N lambdas within 1e-6 (worst rel $(worst "$f.obj"))$([ "$thr" = "$pick" ] && echo ' <- loosest with all')"
		done
		[ -n "$fail" ] && echo "  $tool $fail"
		if [ -n "$pick" ]; then
			f="$cw/$tool.$pick"
			record "$name" $tool "tol $pick" "$(stderr_val time_read_s "$f.err")" \
				"$(refval time_s "$f")" "$(refval objective "$f" $N)" "$(refval nnz "$f" $N)" "$N/$N within 1e-6"
		else
			# the tightest attempt that finished, for what it is worth
			last=
			for thr in $pladder; do [ -s "$cw/$tool.$thr" ] && last=$thr; done
			if [ -n "$last" ]; then
				f="$cw/$tool.$last"
				record "$name" $tool "tol $last" "$(stderr_val time_read_s "$f.err")" \
					"$(refval time_s "$f")" "$(refval objective "$f" $N)" "$(refval nnz "$f" $N)" \
					"$(count_within "$f.obj")/$N within 1e-6; ${fail:-none had all}"
			else
				record "$name" $tool - - - - - "${fail:-no run}"
			fi
		fi
	done

	if [ "$s_ran" = 0 ]; then
		record "$name" strads - - - - - skipped
	else
		# each rung; the loosest with all counts (else the tightest run)
		spick= srow= slast=
		for tol in $sladder; do
			sp="$cw/strads.$tol"
			s_rc=$(cat "$sp.rc")
			load=$(sed -n 's/^loaded .* in \([0-9.]*\)s;.*/\1/p' "$sp.err")
			done_n=$(grep -c . "$sp.obj" || true)
			# "lambda L: objective O, gap G, nnz K, R rounds, U updates, Ts[ (not converged...)]"
			# the jobs' time of the whole path ("path: N penalties in Ts"),
			# else (cut short) the sum of the lambdas' solve times
			tot=$(awk '/^path: [0-9]+ penalties in / { p = $5; sub(/s$/, "", p) }
			    /^lambda [^ ]*: objective / { s = $0; sub(/ \(not converged.*/, "", s);
			    n = split(s, a, ", "); t = a[n]; sub(/s$/, "", t); sum += t }
			    END { printf "%.3f", p != "" ? p : sum }' "$sp.err")
			nconv=$(grep -c '^lambda .*not converged' "$sp.err" || true)
			within_n=$(count_within "$sp.obj")
			# the lambdas must be the ones of the reference
			if [ "$done_n" -gt 0 ] && [ -s "$cw/glmnet.1e-12" ]; then
				l1=$(model_lambda "$sp.model.$done_n")
				l2=$(refval lambda "$cw/glmnet.1e-12" "$done_n")
				within "$l1" "$l2" 1e-9 && within "$l2" "$l1" 1e-9 ||
					echo "  WARNING: strads lambda $done_n is $l1, glmnet's $l2"
			fi
			if [ "$s_rc" = 0 ]; then
				st="$within_n/$N within 1e-6"
				[ "$nconv" = 0 ] || st="$st; $nconv not converged"
				mark=
				if [ -z "$spick" ] && [ "$within_n" = $N ] && [ "$nconv" = 0 ]; then
					spick=$tol
					mark=' <- loosest with all'
				fi
				echo "  strads --tol $tol: $tot s ($done_n lambdas' jobs)," \
					"$within_n/$N lambdas within 1e-6 (worst rel $(worst "$sp.obj"))$mark"
				# A penalty's cost: its job from set-up to result, and
				# the part of it outside the solve (spawning the roles,
				# building the workers' state, gathering the result).
				awk -v n="$done_n" '/^path: [0-9]+ penalties in / {
				    t = $5; sub(/s$/, "", t); s = ""
				    if (match($0, /[0-9.]+s of it solving/)) s = substr($0, RSTART, RLENGTH - 15)
				    if (n > 0 && s ~ /^[0-9.]+$/) printf "    a penalty: %.1f ms (%.1f ms of it outside the solve; the slowest chain'"'"'s time / %d)\n", 1000 * t / n, 1000 * (t - s) / n, n }' "$sp.err"
				row="$name	strads	tol $tol	$load	$tot	$(model_obj "$sp.model.$N")	$(model_nnz "$sp.model.$N")	$st"
			else
				msg=$(failmsg "$s_rc" "$t_path")
				echo "  strads --tol $tol: NOT FINISHED: $msg; $done_n/$N lambdas done" \
					"in $tot s of solve time, $within_n of them within 1e-6"
				row="$name	strads	tol $tol	$load	>$tot	-	-	NOT FINISHED: $msg, $done_n/$N lambdas done, $within_n within 1e-6"
			fi
			[ "$tol" = "$spick" ] && srow=$row
			slast=$row
		done
		printf '%s\n' "${srow:-$slast}" >>"$results"
		if [ -n "$spick" ]; then
			# the same tolerance as one chain, for comparison
			sp="$cw/strads1.$spick"
			strads_path "$sp" "$spick" "$t_path" --path-jobs 1
			tot1=$(sed -n 's/^path: [0-9]* penalties in \([0-9.]*\)s.*/\1/p' "$sp.err")
			if [ "$rc" = 0 ] && [ -n "$tot1" ]; then
				echo "  strads --tol $spick --path-jobs 1 (one chain): $tot1 s," \
					"$(count_within "$sp.obj")/$N lambdas within 1e-6 (worst rel $(worst "$sp.obj"))"
				record "$name" strads "1 chain, tol $spick" "$load" "$tot1" \
					"$(model_obj "$sp.model.$N")" "$(model_nnz "$sp.model.$N")" \
					"$(count_within "$sp.obj")/$N within 1e-6 (--path-jobs 1, for comparison)"
			else
				echo "  strads --tol $spick --path-jobs 1: $(failmsg "$rc" "$t_path")"
			fi
		fi
	fi
	if [ "$repeat" -gt 0 ]; then
		echo "  $repeat timed repeats (strads, glmnet, sklearn alternating) ..."
		i=1
		while [ "$i" -le "$repeat" ]; do
			ts=-
			if [ "$s_ran" = 1 ] && [ -n "${spick:-}" ]; then
				sp="$cw/rep$i.strads"
				strads_path "$sp" "$spick" "$t_path"
				if [ "$rc" = 0 ] && [ "$(count_within "$sp.obj")" = $N ]; then
					ts=$(sed -n 's/^path: [0-9]* penalties in \([0-9.]*\)s.*/\1/p' "$sp.err")
					: "${ts:=-}"
				fi
				rm -f "$sp".model.*
			fi
			lim=$t_refpath
			peer_repeat glmnet "$cw/rep$i.glmnet" --path $N --min-ratio 0.01
			tg=$rep_t
			peer_repeat sklearn "$cw/rep$i.sklearn" --path $N --min-ratio 0.01
			rep_row "$name" "$i" "$ts" "$tg" "$rep_t"
			i=$((i + 1))
		done
	fi
	echo
}

# ---------------------------------------------------------------- run

if want single; then
	if [ -n "$gen_data" ]; then
		single_case gen "$gen_data"
	fi
fi
if want large && [ -n "$large_data" ]; then
	single_case large "$large_data"
fi
if want rcv1; then
	if [ -n "$data_dir" ]; then
		single_case rcv1_small "$data_dir/logreg/rcv1_small.svm"
	else
		echo "note: rcv1_small.svm not found (STRADS_SHARED_DATA, $top_srcdir/../shared/data," \
			"/work/shared/data): rcv1_small case skipped"
		echo
	fi
fi
if want path && [ -n "$gen_data" ]; then
	path_case gen_path "$gen_data"
fi

# ---------------------------------------------------------------- table

echo "== results (solve s excludes loading; rel = relative sub-optimality)"
printf '%-11s %-8s %-16s %7s %9s %-22s %10s %6s %9s %9s  %s\n' \
	case solver setting "load s" "solve s" objective rel nnz "strads/g" "strads/s" status
awk -F'\t' -v reff="$work/refopt.tsv" '
	BEGIN { while ((getline l < reff) > 0) { split(l, x, "\t"); ref[x[1]] = x[2] } }
	{ row[NR] = $0; c[NR] = $1; s[NR] = $2; set[NR] = $3
	  if ($2 == "strads" && ($3 == "to 1e-4" || $3 ~ /^tol /) && $5 ~ /^[0-9.]+$/) st[$1] = $5
	  if ($2 != "strads" && $5 ~ /^[0-9.]+$/ && ($8 == "ok" || $8 ~ /^100\/100 /)) t[$1, $2] = $5 }
	END {
	  for (i = 1; i <= NR; i++) {
	    split(row[i], f, "\t")
	    r = "-"
	    if ((f[1] in ref) && f[6] ~ /^-?[0-9]/) { q = ref[f[1]]; aq = q < 0 ? -q : q; r = sprintf("%.2e", (f[6] - q) / aq) }
	    rg = "-"; rs = "-"
	    if (f[2] == "glmnet" && (f[1] in st) && t[f[1], "glmnet"] > 0) rg = sprintf("%.3f", st[f[1]] / t[f[1], "glmnet"])
	    if (f[2] == "sklearn" && (f[1] in st) && t[f[1], "sklearn"] > 0) rs = sprintf("%.3f", st[f[1]] / t[f[1], "sklearn"])
	    o = f[6]; if (o ~ /^-?[0-9]/) o = sprintf("%.15g", o)
	    printf "%-11s %-8s %-16s %7s %9s %-22s %10s %6s %9s %9s  %s\n", f[1], f[2], f[3], f[4], f[5], o, r, f[7], rg, rs, f[8]
	  }
	}' "$results"
echo "(strads/g, strads/s: strads' solve time over glmnet's / sklearn's on the same case;"
echo " single lambda: strads to 1e-4 of the optimum; path: objectives at lambda_max/100)"
echo

# rep_stats CASE COL [BY]: "median min max n" of column COL (3 strads,
# 4 glmnet, 5 sklearn) of the repeats of CASE, or of COL / BY per repeat
# (a ratio), over the repeats where both are numbers; "" if none.
rep_stats() {
	awk -F'\t' -v c="$1" -v a="$2" -v b="${3:-0}" '
	    $1 == c && $a ~ /^[0-9.]+$/ && (b == 0 || ($b ~ /^[0-9.]+$/ && $b > 0)) {
	        v[n++] = b ? $a / $b : $a }
	    END {
	        if (n == 0) exit
	        for (i = 1; i < n; i++) { x = v[i]; for (j = i - 1; j >= 0 && v[j] > x; j--) v[j + 1] = v[j]; v[j + 1] = x }
	        m = n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2
	        printf "%.4g %.4g %.4g %d\n", m, v[0], v[n - 1], n
	    }' "$repeats"
}
if [ -s "$repeats" ]; then
	echo "== repeated runs: medians (min-max) of $repeat alternating repeats"
	printf '%-11s %-24s %-24s %-24s %-22s %-22s\n' case "strads s" "glmnet s" "sklearn s" \
		"strads/glmnet" "strads/sklearn"
	for c in $(cut -f1 "$repeats" | uniq); do
		line=$(printf '%-11s' "$c")
		for spec in 3 4 5 "3 4" "3 5"; do
			# shellcheck disable=SC2086
			set -- $(rep_stats "$c" $spec)
			if [ $# = 4 ]; then
				cell=$(printf '%s (%s-%s) n%s' "$1" "$2" "$3" "$4")
			else
				cell=-
			fi
			case $spec in
			"3 "*) line="$line $(printf '%-22s' "$cell")" ;;
			*) line="$line $(printf '%-24s' "$cell")" ;;
			esac
		done
		echo "$line"
	done
	echo "(single lambda: strads to its first check within 1e-4 of the optimum; path: its jobs'"
	echo " time with every lambda within 1e-6; n: the repeats that count)"
	echo
fi

# targets
echo "== targets"
# strads_time CASE SETTING / tool_time CASE TOOL: solve time or "".
# get CASE SOLVER [SETTING]: solve time of a row that counts (ok or all
# lambdas within 1e-6), else "".
get() { awk -F'\t' -v c="$1" -v s="$2" -v st="$3" '$1 == c && $2 == s && (st == "" || $3 == st) &&
    $5 ~ /^[0-9.]+$/ && ($8 == "ok" || $8 ~ /^100\/100 within 1e-6$/ || $8 ~ /^reached 1e-4/) { print $5; exit }' "$results"; }
target() { # target LABEL CASE STRADS_SETTING TOOL FACTOR
	label=$1 c=$2 sset=$3 tool=$4 fac=$5
	ts=$(get "$c" strads "$sset")
	tt=$(get "$c" "$tool" "")
	if [ -z "$tt" ]; then
		if grep -q "^$c	$tool	" "$results"; then
			echo "  $label: n/a ($tool has no time: $(awk -F'\t' -v c="$c" -v s="$tool" '$1 == c && $2 == s { print $8; exit }' "$results"))"
		else
			echo "  $label: n/a (case not run)"
		fi
		return 0
	fi
	if [ -z "$ts" ]; then
		if grep -q "^$c	strads	-	.*	skipped\$" "$results"; then
			echo "  $label: n/a (strads skipped)"
			return 0
		fi
		st=$(awk -F'\t' -v c="$c" -v s="$sset" '$1 == c && $2 == "strads" && $3 == s { print $8; exit }' "$results")
		echo "  $label: NOT met (strads: ${st:-no time})"
		return 0
	fi
	r=$(ratio "$ts" "$tt")
	col=4
	[ "$tool" = sklearn ] && col=5
	# shellcheck disable=SC2046
	set -- $(rep_stats "$c" 3 $col)
	if [ $# = 4 ]; then
		# judged on the median of the repeats' ratios
		if awk -v m="$1" -v f="$fac" 'BEGIN { exit !(m <= f) }'; then v=met; else v="NOT met"; fi
		echo "  $label: $v (median strads/$tool $1, range $2-$3, $4 repeats)"
		return 0
	fi
	note=$(awk -F'\t' -v c="$c" -v s="$sset" '$1 == c && $2 == "strads" && $3 == s && $8 != "ok" && $8 !~ /^100\// { print "; strads " $8; exit }' "$results")
	if awk -v a="$ts" -v b="$tt" -v f="$fac" 'BEGIN { exit !(a <= f * b) }'; then
		echo "  $label: met (strads $ts s / $tool $tt s = $r$note)"
	else
		echo "  $label: NOT met (strads $ts s / $tool $tt s = $r$note)"
	fi
}
size="full size"
[ $quick = 1 ] && size="quick size, not the issue's problem"
target "single lambda, generated ($size): strads <= 0.15 x glmnet" gen "to 1e-4" glmnet 0.15
target "single lambda, generated ($size): strads <= 0.2 x sklearn" gen "to 1e-4" sklearn 0.2
target "single lambda, large ($size): strads <= 0.15 x glmnet" large "to 1e-4" glmnet 0.15
target "single lambda, large ($size): strads <= 0.2 x sklearn" large "to 1e-4" sklearn 0.2
target "single lambda, rcv1_small: strads no slower than glmnet" rcv1_small "to 1e-4" glmnet 1
# the path target also needs strads accurate at every lambda
pst=$(awk -F'\t' '$1 == "gen_path" && $2 == "strads" { print $8; exit }' "$results")
case $pst in
"100/100 within 1e-6") target "path, generated ($size): strads <= 0.3 x glmnet" gen_path \
	"$(awk -F'\t' '$1 == "gen_path" && $2 == "strads" { print $3; exit }' "$results")" glmnet 0.3 ;;
"") echo "  path, generated ($size): strads <= 0.3 x glmnet: n/a (case not run)" ;;
*) echo "  path, generated ($size): strads <= 0.3 x glmnet: NOT met (strads: $pst)" ;;
esac
echo
echo "load at the end: $(uptime)"
echo "total wall time: $(elapsed "$t_start") s"
