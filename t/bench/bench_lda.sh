#!/bin/sh
# bench_lda.sh -- strads run lda against gensim's LdaModel and
# LdaMulticore on AP (../shared/data/lda/ap), side by side in one run:
# every 10th document held out (the same split for all), REPEATS
# alternating repeats of each tool, medians of the training time and of
# tokens a second (training tokens x sweeps or passes / training time),
# strads' log-likelihood per token against time (its median run), and the
# held-out perplexity of each tool's topics by the same document-completion
# estimator (t/ref/lda_score.py), with ratios.
#
# Settings, from the environment or as NAME=VALUE arguments
# (make bench BENCH_LDA_ARGS='REPEATS=3 ITERS=500'): REPEATS (5), TOPICS
# (100), ITERS (strads sweeps, 200), PASSES (gensim passes, 2), THREADS
# (2), LDA_DATA (the AP directory), STALE (staleness values of the sweep
# at the end, "0 1 2 4 inf"; empty: none), ONLY (strads-vs-gensim,
# stale or all).
set -u

for a in "$@"; do
	case $a in
	REPEATS=* | TOPICS=* | ITERS=* | PASSES=* | THREADS=* | LDA_DATA=* | STALE=* | ONLY=*)
		export "${a?}" ;;
	*) echo "bench_lda: unknown argument '$a'"; exit 2 ;;
	esac
done

top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
strads="$top_builddir/strads"
py=/usr/bin/python3
data=${LDA_DATA:-$top_srcdir/../shared/data/lda/ap}
[ -d "$data" ] || data=/work/shared/data/lda/ap
REPEATS=${REPEATS:-5}
TOPICS=${TOPICS:-100}
ITERS=${ITERS:-200}
PASSES=${PASSES:-2}
THREADS=${THREADS:-2}
STALE=${STALE-0 1 2 4 inf}
ONLY=${ONLY:-all}

if [ ! -f "$data/ap.dat" ] || [ ! -f "$data/vocab.txt" ]; then
	echo "bench_lda: no AP corpus at $data: skipped"
	exit 0
fi
have_gensim=1
"$py" -c 'import gensim, numpy' 2>/dev/null || {
	echo "bench_lda: no gensim for $py: strads alone"
	have_gensim=0
}
dir=$(mktemp -d "${TMPDIR:-/tmp}/bench_lda.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
awk 'NR % 10 != 1' "$data/ap.dat" >"$dir/train.dat"
awk 'NR % 10 == 1' "$data/ap.dat" >"$dir/test.dat"
V=$(wc -l <"$data/vocab.txt")
tokens=$(awk '{ for (i = 2; i <= NF; i++) { split($i, p, ":"); n += p[2] } } END { print n }' \
    "$dir/train.dat")
echo "bench_lda: AP, $(wc -l <"$dir/train.dat") training documents ($tokens tokens)," \
    "$(wc -l <"$dir/test.dat") held out; K $TOPICS, alpha 0.1, beta 0.01;" \
    "strads $ITERS sweeps on $THREADS threads, gensim $PASSES passes;" \
    "load $(cut -d' ' -f1-3 /proc/loadavg)"

run_strads() {
	"$strads" run lda --data "$dir/train.dat" --vocab "$data/vocab.txt" --topics "$TOPICS" \
	    --iters "$ITERS" --threads "$THREADS" --seed "$1" --top 0 --quiet \
	    --out "$dir/strads.$1.model" --metrics "$dir/strads.$1.jsonl" || return 1
	# The solve's time: the last record's (loading excluded).
	t=$(tail -1 "$dir/strads.$1.jsonl" | sed 's/.*"time_s": \([0-9.e+-]*\).*/\1/')
	echo "$t" >>"$dir/strads.times"
	echo "$1 $t" >>"$dir/strads.runs"
}

run_gensim() {
	"$py" "$top_srcdir/t/ref/lda_gensim.py" "$dir/train.dat" "$V" "$dir/$1.$2.npy" \
	    --model "$1" --topics "$TOPICS" --passes "$PASSES" --seed "$2" >"$dir/$1.out" ||
		return 1
	sed 's/train_s \([0-9.]*\).*/\1/' "$dir/$1.out" >>"$dir/$1.times"
}

versus() {
echo "$REPEATS alternating repeats"
r=1
while [ $r -le "$REPEATS" ]; do
	if [ $((r % 2)) = 1 ]; then order="strads lda multicore"; else order="multicore lda strads"; fi
	for tool in $order; do
		case $tool in
		strads) run_strads $r || { echo "bench_lda: strads failed"; exit 1; } ;;
		*) [ $have_gensim = 1 ] && { run_gensim $tool $r || { echo "bench_lda: gensim $tool failed"; exit 1; }; } ;;
		esac
	done
	r=$((r + 1))
done

median() {
	sort -g "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

s_t=$(median "$dir/strads.times")
s_rate=$(awk -v n="$tokens" -v i="$ITERS" -v t="$s_t" 'BEGIN { printf "%.4g", n * i / t }')
# The median run's trajectory and its model for the perplexity.
mid=$(sort -g -k2 "$dir/strads.runs" | awk -v m=$(((REPEATS + 1) / 2)) 'NR == m { print $1 }')
echo
echo "strads: median ${s_t}s for $ITERS sweeps, $s_rate tokens/s (wall, solve only)"
echo "  log-likelihood per token against time (run $mid):"
awk -v n="$ITERS" '{
	it = $0; sub(/.*"iter": /, "", it); sub(/,.*/, "", it)
	t = $0; sub(/.*"time_s": /, "", t); sub(/,.*/, "", t)
	ll = $0; sub(/.*"loglik_per_token": /, "", ll); sub(/,.*/, "", ll)
	if (it == 1 || it == 5 || it == 10 || it == 25 || it == 50 || it == 100 ||
	    it == 200 || it == 500 || it == 1000 || it == n)
		if (!(it in done)) { printf "    sweep %5d  %8.3fs  %s\n", it, t, ll; done[it] = 1 }
}' "$dir/strads.$mid.jsonl"
s_ppl=$("$py" "$top_srcdir/t/ref/lda_score.py" "$dir/test.dat" --strads "$dir/strads.$mid.model" |
    sed 's/perplexity //')
echo "  held-out perplexity (t/ref/lda_score.py) $s_ppl"
[ $have_gensim = 1 ] || return 0
for tool in lda multicore; do
	g_t=$(median "$dir/$tool.times")
	g_rate=$(awk -v n="$tokens" -v p="$PASSES" -v t="$g_t" 'BEGIN { printf "%.4g", n * p / t }')
	g_ppl=$("$py" "$top_srcdir/t/ref/lda_score.py" "$dir/test.dat" --npy "$dir/$tool.1.npy" |
	    sed 's/perplexity //')
	name=LdaModel
	[ $tool = multicore ] && name="LdaMulticore(workers=1)"
	echo "gensim $name: median ${g_t}s for $PASSES passes, $g_rate tokens/s;" \
	    "held-out perplexity $g_ppl (run 1)"
	awk -v a="$s_rate" -v b="$g_rate" -v ta="$s_t" -v tb="$g_t" -v pa="$s_ppl" -v pb="$g_ppl" \
	    -v name="$name" 'BEGIN {
		printf "  ratios strads / %s: tokens/s %.2f, training time %.2f, perplexity %.3f\n",
		    name, a / b, ta / tb, pa / pb }'
done
}

# Staleness: log-likelihood against time at each bound, one run each
# (seed 1), with the totals' measured drift.
stale_sweep() {
	[ -n "$STALE" ] || return 0
	echo
	echo "staleness sweep ($ITERS sweeps, $THREADS threads, seed 1): time_s and loglik_per_token" \
	    "at sweeps 10, 50 and $ITERS; totals_drift at the end"
	for st in $STALE; do
		"$strads" run lda --data "$dir/train.dat" --vocab "$data/vocab.txt" \
		    --topics "$TOPICS" --iters "$ITERS" --threads "$THREADS" --seed 1 \
		    --staleness "$st" --top 0 --quiet --out "$dir/st.model" \
		    --metrics "$dir/st.$st.jsonl" || { echo "bench_lda: staleness $st failed"; return 1; }
		awk -v n="$ITERS" -v st="$st" '{
			it = $0; sub(/.*"iter": /, "", it); sub(/,.*/, "", it)
			t = $0; sub(/.*"time_s": /, "", t); sub(/,.*/, "", t)
			ll = $0; sub(/.*"loglik_per_token": /, "", ll); sub(/,.*/, "", ll)
			d = $0; sub(/.*"totals_drift": /, "", d); sub(/,.*/, "", d)
			if ((it == 10 || it == 50 || it == n) && !(it in done)) {
				line = line sprintf("  sweep %d %.2fs %s", it, t, ll); done[it] = 1
			}
			drift = d
		} END { printf "  s=%-4s%s  drift %s\n", st, line, drift }' "$dir/st.$st.jsonl"
	done
}

case $ONLY in
strads-vs-gensim) versus ;;
stale) stale_sweep ;;
*) versus && stale_sweep ;;
esac
