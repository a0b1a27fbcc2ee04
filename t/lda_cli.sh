#!/bin/sh
# lda_cli.sh -- strads run lda and strads topics end to end: a raw-text
# corpus of three planted topics (disjoint word sets) is learned (each
# topic's top words come from one planted set), the metrics file has one
# record a sweep with count_errors 0, --doc-topics writes a line a
# training document led by one topic, one thread and two give the same
# model twice for a seed, strads predict finds new documents' topics, the held-out perplexity is reported and lies between
# the planted model's (about 8: each topic spreads over 8 words) and the
# vocabulary's size, and a malformed corpus is an error naming its line.
set -u

top_builddir=${top_builddir:-.}
strads="$top_builddir/strads"
[ -x "$strads" ] || { echo "no $strads: build first"; exit 99; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/lda_cli.XXXXXX") || exit 99
trap 'rm -rf "$dir"' EXIT
fail=0

# 300 documents of 30 words; document d draws from topic d mod 3 (words
# aN, bN or cN, N in 1..8), from a fixed linear congruential sequence.
awk 'BEGIN {
	s = 12345
	split("alpha bravo charlie", t, " ")
	for (d = 0; d < 300; d++) {
		line = ""
		for (i = 0; i < 30; i++) {
			s = (s * 1103515245 + 12345) % 2147483648
			line = line " " t[d % 3 + 1] substr("abcdefgh", int(s / 65536) % 8 + 1, 1) "x"
		}
		print line
	}
}' >"$dir/corpus.txt"

run() {
	"$strads" run lda --data "$dir/corpus.txt" --topics 3 --iters 30 --seed 4 \
	    --test-fraction 0.1 --top 8 "$@"
}

if ! run --threads 1 --out "$dir/a.model" --metrics "$dir/a.jsonl" \
    --doc-topics "$dir/a.theta" >"$dir/a.out" 2>"$dir/a.err"; then
	echo "FAIL: strads run lda exited non-zero:"
	sed 's/^/    /' "$dir/a.err"
	exit 1
fi
# Every topic's top words are one planted topic's.
for t in 0 1 2; do
	words=$(sed -n "s/^topic $t: \([^(]*\).*/\1/p" "$dir/a.out")
	n=$(printf '%s\n' $words | cut -c1-5 | sort -u | wc -l)
	if [ -z "$words" ] || [ "$n" -ne 1 ]; then
		echo "FAIL: topic $t mixes planted topics: $words"
		fail=1
	fi
done
recs=$(grep -vc '"end": true' "$dir/a.jsonl")
# 30 sweeps, a check after each, and the engine's final one; then the
# run's end record.
tail -n 1 "$dir/a.jsonl" | grep -q '"end": true' ||
	{ echo "FAIL: metrics: no end record"; fail=1; }
if [ "$recs" -lt 30 ] || grep -v '"end": true' "$dir/a.jsonl" |
    grep -v '"count_errors": 0' | grep -q .; then
	echo "FAIL: metrics: $recs records (expected 30 or 31), or count_errors not 0:"
	head -3 "$dir/a.jsonl"
	fail=1
fi
grep -q '"loglik_per_token": -' "$dir/a.jsonl" || { echo "FAIL: no loglik_per_token"; fail=1; }
# Every record has the sampling's rate a core (its thread CPU time).
[ "$(grep -v '"end": true' "$dir/a.jsonl" | grep -c '"tokens_per_cpu_s": [1-9]')" = "$recs" ] ||
	{ echo "FAIL: a record without tokens_per_cpu_s > 0"; fail=1; }
ppl=$(sed -n 's/.*held-out perplexity \([0-9.]*\).*/\1/p' "$dir/a.err")
if [ -z "$ppl" ] || ! awk -v p="$ppl" 'BEGIN { exit !(p > 7 && p < 12) }'; then
	echo "FAIL: held-out perplexity '$ppl', expected in (7, 12) (planted: 8; vocabulary 24)"
	fail=1
fi
# The training documents' proportions: a line each (270 of 300 kept,
# give or take the held-out draw), each summing to at most 1 and led by
# one topic (a document is drawn from one planted topic).
if ! awk -F'[ :]' 'NF < 2 { exit 1 } { s = 0; m = 0; for (i = 2; i <= NF; i += 2) { s += $i; if ($i > m) m = $i } if (s > 1.000001 || m < 0.9) exit 1 } END { if (NR < 240 || NR > 300) exit 1 }' "$dir/a.theta"; then
	echo "FAIL: --doc-topics: $(wc -l <"$dir/a.theta") lines, or proportions off:"
	head -3 "$dir/a.theta"
	fail=1
fi
# strads topics reads the model back: the same lines.
"$strads" topics "$dir/a.model" --top 8 >"$dir/t.out" || { echo "FAIL: strads topics"; fail=1; }
grep '^topic' "$dir/a.out" | cmp -s - "$dir/t.out" ||
	{ echo "FAIL: strads topics differs from the run's lines"; fail=1; }
# One thread, the same seed: the same model file; two threads (two
# workers at staleness 0), the same seed: the same model file too.
run --threads 1 --out "$dir/b.model" --quiet >/dev/null 2>&1
cmp -s "$dir/a.model" "$dir/b.model" || { echo "FAIL: two runs of one seed differ"; fail=1; }
run --threads 2 --out "$dir/t2a.model" --quiet >/dev/null 2>&1
run --threads 2 --out "$dir/t2b.model" --quiet >/dev/null 2>&1
if ! [ -s "$dir/t2a.model" ] || ! cmp -s "$dir/t2a.model" "$dir/t2b.model"; then
	echo "FAIL: two runs of one seed on two threads differ"
	fail=1
fi

# strads predict: new documents' topic proportions by fold-in. Document
# i draws from planted set i (one word out of the vocabulary in the
# second); the fourth is empty. The largest proportion of each of the
# first three must be the topic whose top words are that set's.
printf '%s\n' 'alphaax alphabx alphacx alphadx alphaex alphafx' \
    'bravoax bravobx bravocx unknownword bravodx bravoex' \
    'charlieax charliebx charliecx charliedx charlieex charliefx' '' >"$dir/new.txt"
if ! "$strads" predict "$dir/a.model" "$dir/new.txt" --out "$dir/new.theta" 2>"$dir/pred.err"; then
	echo "FAIL: strads predict on an LDA model exited non-zero:"
	sed 's/^/    /' "$dir/pred.err"
	fail=1
fi
grep -q '4 documents, 18 tokens, 1 of them not in' "$dir/pred.err" ||
	{ echo "FAIL: predict's summary: $(cat "$dir/pred.err")"; fail=1; }
[ "$(wc -l <"$dir/new.theta")" -eq 4 ] || { echo "FAIL: predict wrote $(wc -l <"$dir/new.theta") lines for 4 documents"; fail=1; }
i=0
for set in alpha bravo charl; do
	i=$((i + 1))
	want=$(sed -n "s/^topic \([0-9]*\): $set.*/\1/p" "$dir/a.out" | head -1)
	got=$(sed -n "${i}p" "$dir/new.theta" | tr ' ' '\n' | sort -t: -k2 -g -r | head -1 | cut -d: -f1)
	if [ -z "$want" ] || [ "$got" != "$want" ]; then
		echo "FAIL: predicted document $i ($set): largest topic '$got', expected '$want'"
		fail=1
	fi
done
[ -z "$(sed -n 4p "$dir/new.theta")" ] || { echo "FAIL: an empty document's line is not empty"; fail=1; }
printf '2 0:1 999:1\n' >"$dir/far.dat"
"$strads" predict "$dir/a.model" "$dir/far.dat" >/dev/null 2>"$dir/far.err"
rc=$?
if [ $rc -ne 5 ] || ! grep -qF "far.dat: document 1 has word id 999, past the model's" "$dir/far.err"; then
	echo "FAIL: a word id past the model's: exit $rc, $(cat "$dir/far.err")"
	fail=1
fi

# A model file cut short or edited is refused (exit 5), never read as a
# smaller or other model.
head -c 200 "$dir/a.model" >"$dir/cut.model"
sed 's/^\(# alpha\) .*/\1 0.5/' "$dir/a.model" >"$dir/edit.model"
for m in cut.model:"cut short" edit.model:"damaged: its checksum does not match"; do
	"$strads" predict "$dir/${m%%:*}" "$dir/new.txt" >/dev/null 2>"$dir/m.err"
	rc=$?
	if [ $rc -ne 5 ] || ! grep -qF "${m%%:*}: ${m#*:}" "$dir/m.err"; then
		echo "FAIL: predict with ${m%%:*}: exit $rc, $(cat "$dir/m.err")"
		fail=1
	fi
done
cmp -s "$dir/a.model" "$dir/edit.model" && { echo "FAIL: the edit changed nothing"; fail=1; }

# Malformed input: exit 1, the file and line named.
printf '2 0:1 1:1\n2 0:1 1\n' >"$dir/bad.dat"
"$strads" run lda --data "$dir/bad.dat" --topics 2 --out "$dir/c.model" >/dev/null 2>"$dir/bad.err"
rc=$?
if [ $rc -ne 1 ] || ! grep -qF "bad.dat:2: expected 'id:count' (pair 2 of 2)" "$dir/bad.err"; then
	echo "FAIL: malformed lda-c: exit $rc, stderr:"
	sed 's/^/    /' "$dir/bad.err"
	fail=1
fi
"$strads" topics "$dir/bad.dat" >/dev/null 2>"$dir/bad2.err"
rc=$?
if [ $rc -ne 1 ] || ! grep -qF "bad.dat:1: not a strads lda model" "$dir/bad2.err"; then
	echo "FAIL: strads topics on a non-model: exit $rc, stderr:"
	sed 's/^/    /' "$dir/bad2.err"
	fail=1
fi

# strads gen lda: its three forms load to the same documents and tokens.
if ! "$strads" gen lda --out "$dir/g" --docs 50 --words 80 --topics 4 --doc-len 30 \
    --seed 2 2>"$dir/gen.err"; then
	echo "FAIL: strads gen lda:"
	sed 's/^/    /' "$dir/gen.err"
	fail=1
fi
for f in "g.dat --vocab $dir/g.vocab" "g.docword.txt --format uci --vocab $dir/g.vocab" \
    "g.txt --no-stopwords"; do
	# shellcheck disable=SC2086
	"$strads" run lda --data "$dir"/$f --topics 4 --iters 1 --threads 1 --top 0 \
	    --out "$dir/g.model" 2>&1 | sed -n 's/.*: \([0-9]*\) documents.*, \([0-9]*\) tokens (.*/\1 \2/p'
done >"$dir/gen.loaded"
if [ "$(sort -u "$dir/gen.loaded" | wc -l)" -ne 1 ] || [ "$(wc -l <"$dir/gen.loaded")" -ne 3 ] ||
    ! grep -q '^50 ' "$dir/gen.loaded"; then
	echo "FAIL: strads gen lda's forms load differently (documents tokens):"
	sed 's/^/    /' "$dir/gen.loaded"
	fail=1
fi
[ "$(grep -c . "$dir/g.truth")" = 9 ] ||
	{ echo "FAIL: g.truth: expected 5 header lines and 4 topic lines"; fail=1; }

# strads gen lda's PREFIX.docword.txt is read as UCI without --format
# (the name has "docword" in it), and a text corpus whose first line is
# blank as text.
"$strads" gen lda --out "$dir/gl" --docs 40 --words 30 --topics 3 >/dev/null 2>&1
"$strads" run lda --data "$dir/gl.docword.txt" --vocab "$dir/gl.vocab" --topics 3 --iters 2 \
    --threads 1 --quiet --top 0 --out "$dir/gl.model" 2>"$dir/gl.err" ||
	{ echo "FAIL: PREFIX.docword.txt not read as UCI: $(cat "$dir/gl.err")"; fail=1; }
{ echo; head -n 20 "$dir/corpus.txt"; } >"$dir/blank1.txt"
"$strads" run lda --data "$dir/blank1.txt" --topics 2 --iters 2 --threads 1 --quiet --top 0 \
    --out "$dir/b1.model" 2>"$dir/b1.err" ||
	{ echo "FAIL: a text corpus with a blank first line: $(cat "$dir/b1.err")"; fail=1; }

# Words that would break a model line (a '#' first, a '%') are escaped
# in the model and come back whole: the model reads, and topics prints
# them (a '#a' word once made a model nothing could read).
printf '#a\n100%%\nplain\nword\n' >"$dir/w.vocab"
printf '3 0:2 1:1 2:1\n3 1:2 2:1 3:3\n2 0:1 3:2\n' >"$dir/w.dat"
if "$strads" run lda --data "$dir/w.dat" --vocab "$dir/w.vocab" --topics 2 --iters 3 \
    --threads 1 --quiet --top 0 --out "$dir/w.model" 2>"$dir/w.err" &&
    "$strads" topics "$dir/w.model" --top 4 >"$dir/w.top" 2>>"$dir/w.err"; then
	for w in '#a' '100%' plain word; do
		grep -qF -- " $w " "$dir/w.top" || grep -qF -- " $w" "$dir/w.top" ||
			{ echo "FAIL: topics lacks the word '$w': $(cat "$dir/w.top")"; fail=1; }
	done
else
	echo "FAIL: a vocabulary with '#a' and '100%': $(cat "$dir/w.err")"; fail=1
fi

# "-" is the standard input (strads(1), DATA): the same model from a
# pipe as from the file, and the same predictions; without --format it
# is refused (no name nor first line to guess by), naming "-".
head -n 60 "$dir/corpus.txt" >"$dir/s.txt"
"$strads" run lda --data "$dir/s.txt" --topics 3 --iters 3 --threads 1 --quiet --top 0 \
    --out "$dir/sfile.model" 2>"$dir/s.err" || { echo "FAIL: run on s.txt: $(cat "$dir/s.err")"; fail=1; }
"$strads" run lda --data - --format text --topics 3 --iters 3 --threads 1 --quiet --top 0 \
    --out "$dir/spipe.model" <"$dir/s.txt" 2>"$dir/s.err" ||
	{ echo "FAIL: run --data -: $(cat "$dir/s.err")"; fail=1; }
cmp -s "$dir/sfile.model" "$dir/spipe.model" ||
	{ echo "FAIL: --data - (text) made another model than the file"; fail=1; }
"$strads" run lda --data "$dir/w.dat" --vocab "$dir/w.vocab" --topics 2 --iters 3 --threads 1 \
    --quiet --top 0 --out "$dir/wfile.model" 2>/dev/null
cat "$dir/w.dat" | "$strads" run lda --data - --format ldac --vocab "$dir/w.vocab" --topics 2 \
    --iters 3 --threads 1 --quiet --top 0 --out "$dir/wpipe.model" 2>"$dir/s.err" ||
	{ echo "FAIL: run --data - --format ldac: $(cat "$dir/s.err")"; fail=1; }
cmp -s "$dir/wfile.model" "$dir/wpipe.model" ||
	{ echo "FAIL: --data - (lda-c) made another model than the file"; fail=1; }
"$strads" predict "$dir/wfile.model" "$dir/w.dat" >"$dir/pf.txt" 2>/dev/null
"$strads" predict "$dir/wfile.model" - --format ldac <"$dir/w.dat" >"$dir/pp.txt" 2>"$dir/s.err" ||
	{ echo "FAIL: predict MODEL -: $(cat "$dir/s.err")"; fail=1; }
[ -s "$dir/pf.txt" ] && cmp -s "$dir/pf.txt" "$dir/pp.txt" ||
	{ echo "FAIL: predict from a pipe differs from the file"; fail=1; }
for cmd in "run lda --data - --topics 2 --out $dir/x.model" "predict $dir/wfile.model -"; do
	# shellcheck disable=SC2086
	"$strads" $cmd <"$dir/w.dat" >/dev/null 2>"$dir/s.err"
	rc=$?
	[ $rc = 1 ] && grep -qF -- "-: the standard input has no file name to tell its format by; pass --format" \
	    "$dir/s.err" || { echo "FAIL: $cmd without --format: exit $rc, $(cat "$dir/s.err")"; fail=1; }
done
printf '1 0:x\n' | "$strads" run lda --data - --format ldac --topics 2 --out "$dir/x.model" \
    2>"$dir/s.err"
grep -qF -- "-:1: expected a count after '0:'" "$dir/s.err" ||
	{ echo "FAIL: a bad line on stdin not named '-:1': $(cat "$dir/s.err")"; fail=1; }

# A document past 2^20 tokens (a count of 2e9 made predict run for
# minutes) is refused at once, naming its line, in every loader.
printf '1 0:1\n1 1:2000000000\n' >"$dir/long.dat"
printf '2\n3\n3\n1 1 1\n2 2 1048577\n2 3 1\n' >"$dir/long.docword.txt"
awk 'BEGIN { print "ab cd"; for (i = 0; i <= 1048576; i++) printf "ab "; print "" }' \
    >"$dir/long.txt"
for args in "predict $dir/wfile.model $dir/long.dat" "run lda --data $dir/long.dat --out $dir/x.model" \
    "run lda --data $dir/long.docword.txt --out $dir/x.model" \
    "run lda --data $dir/long.txt --out $dir/x.model"; do
	# shellcheck disable=SC2086
	timeout 20 "$strads" $args >/dev/null 2>"$dir/l.err"
	rc=$?
	[ $rc = 1 ] && grep -Eq "(dat:2|docword.txt:5|long.txt:2): expected a document of at most 1048576 tokens" \
	    "$dir/l.err" ||
		{ echo "FAIL: $args: exit $rc, $(cat "$dir/l.err")"; fail=1; }
done

# A model saved on interrupt reads back: its perplexity, never computed,
# is written nan (0 made strads topics and predict refuse it).
"$strads" run lda --data "$dir/corpus.txt" --topics 3 --iters 100000000 --seed 4 \
    --metrics "$dir/int.json" --save-on-interrupt --out "$dir/int.model" --quiet \
    2>"$dir/int.err" &
ip=$!
i=0
while [ ! -s "$dir/int.json" ] && [ $i -lt 600 ] && kill -0 $ip 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
kill -INT $ip 2>/dev/null
wait $ip
rc=$?
if [ $rc -ne 130 ] || ! "$strads" topics "$dir/int.model" --top 3 >/dev/null 2>"$dir/int.err2"; then
	echo "FAIL: interrupted run (exit $rc) or its model: $(cat "$dir/int.err" "$dir/int.err2" 2>/dev/null)"
	fail=1
fi

[ $fail = 0 ] && echo "strads run lda: planted topics found, $recs records, perplexity $ppl, reproducible, predict finds topics, errors named"
exit $fail
