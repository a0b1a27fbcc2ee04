#!/bin/sh
# bench_lda.sh -- strads run lda against gensim's LdaModel and
# LdaMulticore and scikit-learn's LatentDirichletAllocation on AP
# (../shared/data/lda/ap), side by side in one run:
# every 10th document held out (the same split for all), REPEATS
# alternating repeats of each tool, medians of the training time and of
# tokens a second (training tokens x sweeps or passes / training time),
# strads' log-likelihood per token against time (its median run), and the
# held-out perplexity of each tool's topics by the same document-completion
# estimator (t/ref/lda_score.py), with ratios.
#
# Settings, from the environment or as NAME=VALUE arguments
# (make bench BENCH_LDA_ARGS='REPEATS=3 ITERS=500'): REPEATS (5), TOPICS
# (100), ITERS (strads sweeps, 200), PASSES (gensim passes, 2), SK_ITERS
# (scikit-learn's batch iterations, 10, on THREADS jobs), THREADS (2),
# LDA_DATA (the AP directory), STALE (staleness values of the sweep at
# the end, "0 1 2 4 inf"; empty: none), ONLY (strads-vs-gensim, curve,
# stale, rate, procs or all).
#
# The curve part (ONLY=curve, and in all): held-out perplexity against
# training time, one run (seed 1) a point, every tool's topics scored by
# t/ref/lda_score.py: strads after each of CURVE_SWEEPS sweeps ("10 25 50
# 100 200 500"), scikit-learn after CURVE_SK ("1 2 5 10 20") batch
# iterations, gensim's LdaMulticore after CURVE_PASSES ("1 2 5") passes;
# then, for each peer, the time strads took to a perplexity at least as
# good as the peer's best, and the ratio of the two times.
#
# The procs part (ONLY=procs, and in all): the generated corpus of the
# rate part at K 100, PROCS_ITERS sweeps (10), a coordinator and 2 node
# processes of 1 thread each (ipc sockets in a temporary directory)
# against one process of 2 threads, PROCS_REPEATS alternating runs (3):
# medians of the records' tokens_per_s and of the solve's wall time, and
# the ratio (the issue's target: 2 nodes >= 0.8 x one process).
#
# The rate part (ONLY=rate, and in all) prints the issue's targets side
# by side with what WarpLDA's paper quotes for this machine class, with
# ratios: tokens a second at K = 100 and K = 1000 on THREADS threads on
# the generated 10 M-token corpus (strads gen lda --docs 50000 --words
# 50000 --doc-len 200 --topics 100 --seed 1; RATE_ITERS sweeps, 10;
# RATE_REPEATS alternating runs, 3, medians), and the time strads takes
# on all of AP at K = 100 to reach a log-likelihood of -8.53 a token
# (AP_ITERS sweeps at most, 1000), with CPU seconds and the load.
# RATE_DOCS (50000) shrinks the generated corpus for a quick try.
set -u

for a in "$@"; do
	case $a in
	REPEATS=* | TOPICS=* | ITERS=* | PASSES=* | THREADS=* | LDA_DATA=* | STALE=* | ONLY=* | \
	    RATE_ITERS=* | RATE_REPEATS=* | AP_ITERS=* | RATE_DOCS=*)
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
RATE_ITERS=${RATE_ITERS:-10}
RATE_REPEATS=${RATE_REPEATS:-3}
AP_ITERS=${AP_ITERS:-1000}
RATE_DOCS=${RATE_DOCS:-50000}
SK_ITERS=${SK_ITERS:-10}
CURVE_SWEEPS=${CURVE_SWEEPS:-10 25 50 100 200 500}
CURVE_SK=${CURVE_SK:-1 2 5 10 20}
CURVE_PASSES=${CURVE_PASSES:-1 2 5}
PROCS_ITERS=${PROCS_ITERS:-10}
PROCS_REPEATS=${PROCS_REPEATS:-3}

if [ ! -f "$data/ap.dat" ] || [ ! -f "$data/vocab.txt" ]; then
	echo "bench_lda: no AP corpus at $data: skipped"
	exit 0
fi
have_gensim=1
"$py" -c 'import gensim, numpy' 2>/dev/null || {
	echo "bench_lda: no gensim for $py: without it"
	have_gensim=0
}
have_sklearn=1
"$py" -c 'import sklearn, scipy, numpy' 2>/dev/null || {
	echo "bench_lda: no scikit-learn for $py: without it"
	have_sklearn=0
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
    "strads $ITERS sweeps on $THREADS threads, gensim $PASSES passes," \
    "scikit-learn $SK_ITERS iterations;" \
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

run_sklearn() {
	"$py" "$top_srcdir/t/ref/lda_sklearn.py" "$dir/train.dat" "$V" "$dir/sklearn.$1.npy" \
	    --topics "$TOPICS" --iters "$2" --jobs "$THREADS" --seed "$1" >"$dir/sklearn.out" ||
		return 1
	sed 's/train_s \([0-9.]*\).*/\1/' "$dir/sklearn.out"
}

versus() {
echo "$REPEATS alternating repeats"
r=1
while [ $r -le "$REPEATS" ]; do
	if [ $((r % 2)) = 1 ]; then order="strads lda multicore sklearn"; else order="sklearn multicore lda strads"; fi
	for tool in $order; do
		case $tool in
		strads) run_strads $r || { echo "bench_lda: strads failed"; exit 1; } ;;
		sklearn) [ $have_sklearn = 1 ] && { run_sklearn $r "$SK_ITERS" >>"$dir/sklearn.times" ||
		    { echo "bench_lda: scikit-learn failed"; exit 1; }; } ;;
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
if [ $have_sklearn = 1 ]; then
	k_t=$(median "$dir/sklearn.times")
	k_rate=$(awk -v n="$tokens" -v p="$SK_ITERS" -v t="$k_t" 'BEGIN { printf "%.4g", n * p / t }')
	k_ppl=$("$py" "$top_srcdir/t/ref/lda_score.py" "$dir/test.dat" --npy "$dir/sklearn.1.npy" |
	    sed 's/perplexity //')
	echo "scikit-learn LatentDirichletAllocation(batch, n_jobs=$THREADS): median ${k_t}s for" \
	    "$SK_ITERS iterations, $k_rate tokens/s; held-out perplexity $k_ppl (run 1)"
	awk -v a="$s_rate" -v b="$k_rate" -v ta="$s_t" -v tb="$k_t" -v pa="$s_ppl" -v pb="$k_ppl" 'BEGIN {
		printf "  ratios strads / scikit-learn: tokens/s %.2f, training time %.2f, perplexity %.3f\n",
		    a / b, ta / tb, pa / pb }'
fi
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

median() {
	sort -g "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# A field of a JSON line: field NAME < line.
field() { sed -n "s/.*\"$1\": \([-0-9.e+]*\).*/\1/p"; }

# The targets: tokens a second on the 10 M-token corpus, and the time to
# -8.53 on AP, beside WarpLDA's quoted figures.
rate() {
	echo
	echo "rate: the issue's targets beside WarpLDA's quoted figures (2 threads, quiet machine);" \
	    "load $(cut -d' ' -f1-3 /proc/loadavg)"
	"$strads" gen lda --out "$dir/big" --docs "$RATE_DOCS" --words 50000 --doc-len 200 --topics 100 \
	    --seed 1 >/dev/null || { echo "bench_lda: gen lda failed"; return 1; }
	big_tokens=$(awk '{ for (i = 2; i <= NF; i++) { split($i, p, ":"); n += p[2] } } END { print n }' \
	    "$dir/big.dat")
	: >"$dir/rate.rows"
	r=1
	while [ $r -le "$RATE_REPEATS" ]; do
		if [ $((r % 2)) = 1 ]; then ks="100 1000"; else ks="1000 100"; fi
		for k in $ks; do
			/usr/bin/time -f '%U %S' -o "$dir/rate.time" "$strads" run lda \
			    --data "$dir/big.dat" --vocab "$dir/big.vocab" --topics "$k" \
			    --iters "$RATE_ITERS" --threads "$THREADS" --seed "$r" --top 0 --quiet \
			    --out "$dir/rate.model" --metrics "$dir/rate.jsonl" ||
				{ echo "bench_lda: strads at K $k failed"; return 1; }
			last=$(grep -v '"end": true' "$dir/rate.jsonl" | tail -n 1)
			# tokens_per_s: sampling time only (the issue's measure);
			# wall: tokens x sweeps over the solve's time, checks in.
			echo "$k $(echo "$last" | field tokens_per_s)" \
			    "$(echo "$last" | field time_s) $(cat "$dir/rate.time")" >>"$dir/rate.rows"
		done
		r=$((r + 1))
	done
	printf '\n| corpus | K | strads tokens/s (sampling) | strads tokens/s (wall, checks in) |' 
	printf ' CPU s a run (user+sys) | WarpLDA quoted | ratio strads / WarpLDA |\n'
	printf '| --- | --- | --- | --- | --- | --- | --- |\n'
	for k in 100 1000; do
		awk -v k="$k" '$1 == k { print $2 }' "$dir/rate.rows" >"$dir/r1"
		awk -v k="$k" -v n="$big_tokens" -v i="$RATE_ITERS" '$1 == k { print n * i / $3 }' \
		    "$dir/rate.rows" >"$dir/r2"
		awk -v k="$k" '$1 == k { print $4 + $5 }' "$dir/rate.rows" >"$dir/r3"
		awk -v k="$k" -v a="$(median "$dir/r1")" -v b="$(median "$dir/r2")" \
		    -v c="$(median "$dir/r3")" -v n="$big_tokens" 'BEGIN {
			printf "| gen %.3g M tokens | %d | %.3g M | %.3g M | %.1f | 29-33 M | %.2f-%.2f |\n",
			    n / 1e6, k, a / 1e6, b / 1e6, c, a / 33e6, a / 29e6 }'
	done
	echo "(target: strads >= 30 M tokens/s at K 100 and 1000; medians of $RATE_REPEATS runs of" \
	    "$RATE_ITERS sweeps)"
	/usr/bin/time -f '%U %S' -o "$dir/ap.time" "$strads" run lda --data "$data/ap.dat" \
	    --vocab "$data/vocab.txt" --topics 100 --iters "$AP_ITERS" --threads "$THREADS" --seed 1 \
	    --top 0 --quiet --out "$dir/ap.model" --metrics "$dir/ap.jsonl" ||
		{ echo "bench_lda: strads on AP failed"; return 1; }
	hit=$(grep -v '"end": true' "$dir/ap.jsonl" | awk '{
		it = $0; sub(/.*"iter": /, "", it); sub(/,.*/, "", it)
		t = $0; sub(/.*"time_s": /, "", t); sub(/,.*/, "", t)
		ll = $0; sub(/.*"loglik_per_token": /, "", ll); sub(/,.*/, "", ll)
		if (ll + 0 >= -8.53) { printf "%s %s %s", it, t, ll; exit }
	}')
	last=$(grep -v '"end": true' "$dir/ap.jsonl" | tail -n 1)
	printf '\n| AP, K 100 | strads | WarpLDA quoted | Mallet quoted |\n| --- | --- | --- | --- |\n'
	if [ -n "$hit" ]; then
		set -- $hit
		printf '| time to -8.53 a token | %.1f s (sweep %s, %s) | -8.543 after 1000 sweeps in 23.9 s |' \
		    "$2" "$1" "$3"
		printf ' -8.528 after 1000 in 65 s |\n'
		awk -v t="$2" 'BEGIN { printf "(target: -8.53 within 20 s: %s; ratio of time to the target 20 s: %.2f)\n",
		    t <= 20 ? "met" : "not met", t / 20 }'
	else
		printf '| time to -8.53 a token | not reached in %s sweeps (%s at %.1f s) |' "$AP_ITERS" \
		    "$(echo "$last" | field loglik_per_token)" "$(echo "$last" | field time_s)"
		printf ' -8.543 after 1000 sweeps in 23.9 s | -8.528 after 1000 in 65 s |\n'
	fi
	echo "AP run: $(cat "$dir/ap.time" | awk '{ print $1 + $2 }') CPU s; load $(cut -d' ' -f1-3 /proc/loadavg)"
}

# Held-out perplexity against training time, every tool scored alike.
curve() {
	echo
	echo "curve: held-out perplexity (t/ref/lda_score.py) against training time, K $TOPICS," \
	    "seed 1, one run a point; load $(cut -d' ' -f1-3 /proc/loadavg)"
	printf '\n| tool | budget | training s | held-out perplexity |\n| --- | --- | --- | --- |\n'
	: >"$dir/curve.rows"
	for n in $CURVE_SWEEPS; do
		"$strads" run lda --data "$dir/train.dat" --vocab "$data/vocab.txt" --topics "$TOPICS" \
		    --iters "$n" --threads "$THREADS" --seed 1 --top 0 --quiet \
		    --out "$dir/c.model" --metrics "$dir/c.jsonl" || { echo "bench_lda: strads failed"; return 1; }
		t=$(tail -1 "$dir/c.jsonl" | field time_s)
		p=$("$py" "$top_srcdir/t/ref/lda_score.py" "$dir/test.dat" --strads "$dir/c.model" |
		    sed 's/perplexity //')
		echo "strads $n $t $p" >>"$dir/curve.rows"
		printf '| strads | %s sweeps | %s | %s |\n' "$n" "$t" "$p"
	done
	if [ $have_sklearn = 1 ]; then
		for n in $CURVE_SK; do
			t=$(run_sklearn 1 "$n") || { echo "bench_lda: scikit-learn failed"; return 1; }
			p=$("$py" "$top_srcdir/t/ref/lda_score.py" "$dir/test.dat" --npy "$dir/sklearn.1.npy" |
			    sed 's/perplexity //')
			echo "scikit-learn $n $t $p" >>"$dir/curve.rows"
			printf '| scikit-learn (batch) | %s iterations | %s | %s |\n' "$n" "$t" "$p"
		done
	fi
	if [ $have_gensim = 1 ]; then
		for n in $CURVE_PASSES; do
			: >"$dir/multicore.times"
			PASSES=$n run_gensim multicore 1 || { echo "bench_lda: gensim failed"; return 1; }
			t=$(cat "$dir/multicore.times")
			p=$("$py" "$top_srcdir/t/ref/lda_score.py" "$dir/test.dat" --npy "$dir/multicore.1.npy" |
			    sed 's/perplexity //')
			echo "gensim $n $t $p" >>"$dir/curve.rows"
			printf '| gensim LdaMulticore | %s passes | %s | %s |\n' "$n" "$t" "$p"
		done
	fi
	echo
	for peer in scikit-learn gensim; do
		awk -v peer="$peer" '
		$1 == peer && (best == "" || $4 < best) { best = $4; bt = $3 }
		$1 == "strads" { st[++n] = $3; sp[n] = $4 }
		END {
			if (best == "")
				exit
			for (i = 1; i <= n; i++)
				if (sp[i] <= best) {
					printf "%s: best perplexity %.1f in %.2f s; strads reached %.1f in %.2f s:" \
					    " time ratio strads / %s %.3f\n", peer, best, bt, sp[i], st[i], peer,
					    st[i] / bt
					exit
				}
			printf "%s: best perplexity %.1f in %.2f s; strads did not reach it (best %.1f)\n",
			    peer, best, bt, sp[n]
		}' "$dir/curve.rows"
	done
}

# 2 node processes of 1 thread against one process of 2 threads.
procs() {
	echo
	echo "procs: a coordinator and 2 nodes of 1 thread against one process of 2 threads," \
	    "K 100, $PROCS_ITERS sweeps; load $(cut -d' ' -f1-3 /proc/loadavg)"
	[ -f "$dir/big.dat" ] || "$strads" gen lda --out "$dir/big" --docs "$RATE_DOCS" --words 50000 \
	    --doc-len 200 --topics 100 --seed 1 >/dev/null || { echo "bench_lda: gen lda failed"; return 1; }
	printf 'lda-bench-%s\n' "$$" >"$dir/secret"
	chmod 600 "$dir/secret"
	common="--data $dir/big.dat --vocab $dir/big.vocab --topics 100 --iters $PROCS_ITERS --top 0 --quiet"
	: >"$dir/procs.rows"
	r=1
	while [ $r -le "$PROCS_REPEATS" ]; do
		if [ $((r % 2)) = 1 ]; then order="one two"; else order="two one"; fi
		for how in $order; do
			if [ $how = one ]; then
				"$strads" run lda $common --threads 2 --seed "$r" --out "$dir/p.model" \
				    --metrics "$dir/p.jsonl" || { echo "bench_lda: strads run failed"; return 1; }
			else
				url="ipc://$dir/coord.sock"
				"$strads" coordinator --listen "$url" --secret-file "$dir/secret" --app lda \
				    $common --seed "$r" --min-workers 2 --out "$dir/p.model" \
				    --metrics "$dir/p.jsonl" 2>"$dir/coord.log" &
				cpid=$!
				npids=
				for i in 1 2; do
					"$strads" node --threads 1 --join "$url" --secret-file "$dir/secret" \
					    >"$dir/node$i.log" 2>&1 &
					npids="$npids $!"
				done
				if ! wait $cpid; then
					echo "bench_lda: the coordinator failed"
					tail -3 "$dir/coord.log"
					kill $npids 2>/dev/null
					wait
					return 1
				fi
				# The nodes leave when the coordinator closes.
				wait
			fi
			last=$(grep -v '"end": true' "$dir/p.jsonl" | tail -n 1)
			echo "$how $(echo "$last" | field tokens_per_s) $(echo "$last" | field time_s)" \
			    "$(echo "$last" | field loglik_per_token)" >>"$dir/procs.rows"
		done
		r=$((r + 1))
	done
	for how in one two; do
		awk -v h=$how '$1 == h { print $2 }' "$dir/procs.rows" >"$dir/q1"
		awk -v h=$how '$1 == h { print $3 }' "$dir/procs.rows" >"$dir/q2"
		echo "$how $(median "$dir/q1") $(median "$dir/q2")"
	done >"$dir/procs.med"
	printf '\n| how | tokens/s (records, sampling) | solve s (wall) | loglik_per_token (last run) |\n'
	printf '| --- | --- | --- | --- |\n'
	awk 'NR == FNR { m[$1] = $2 " " $3; next } { ll[$1] = $4 }
	END {
		split(m["one"], a, " "); split(m["two"], b, " ")
		printf "| one process, 2 threads | %.3g M | %.2f | %s |\n", a[1] / 1e6, a[2], ll["one"]
		printf "| coordinator + 2 nodes of 1 thread | %.3g M | %.2f | %s |\n", b[1] / 1e6, b[2], ll["two"]
		printf "ratio 2 nodes / one process: tokens/s %.2f, solve time %.2f (target: tokens/s >= 0.8)\n",
		    b[1] / a[1], b[2] / a[2]
	}' "$dir/procs.med" "$dir/procs.rows"
	echo "(medians of $PROCS_REPEATS alternating runs; load $(cut -d' ' -f1-3 /proc/loadavg))"
}

case $ONLY in
strads-vs-gensim) versus ;;
curve) curve ;;
stale) stale_sweep ;;
rate) rate ;;
procs) procs ;;
*) versus && curve && stale_sweep && rate && procs ;;
esac
