#!/bin/sh
# cli_progress.sh -- the progress line on stderr (strads(1)): in a pipe
# a plain line per check with the round, the elapsed time, the
# objective, its change since the last check, the app's values and the
# rate; the time left when the run has an end fixed in advance ("eta"
# for LDA's planned sweeps, "limit in" for a --time-limit or --max-iter
# that convergence may beat), none without one; on a terminal one line
# redrawn in place; nothing with --quiet. The load's progress on a
# terminal only, erased when it ends.
set -u

. "${top_srcdir:-.}/t/clitest.sh"

"$strads" gen lasso --out d.svm --n 300 --p 80 --support 10 >/dev/null 2>&1 ||
	{ echo "strads gen lasso failed"; exit 99; }
"$strads" gen lda --out c --docs 100 --words 200 --topics 4 >/dev/null 2>&1 ||
	{ echo "strads gen lda failed"; exit 99; }
lasso="--data d.svm --threads 1 --schedule cyclic --tol 1e-10"

# line_ok FILE WHAT: every line of FILE that starts with "round" has the
# fields, and there are at least two (so "change" is there).
line_ok() {
	n=$((n + 1))
	rounds=$(grep -c '^round ' "$1")
	if [ "$rounds" -lt 2 ]; then
		bad "$2: $rounds progress lines"; sed 's/^/    /' "$1" | head -5; return
	fi
	if grep '^round ' "$1" | grep -v -E '^round [0-9]+  [0-9.]+s  .*objective [-0-9.e+]+' | grep -q .; then
		bad "$2: a line without its round, time or objective:"; grep '^round' "$1" | head -3
	fi
	if ! grep '^round ' "$1" | sed -n 2p | grep -q '  change [-0-9.e+]*  '; then
		bad "$2: the second line has no change:"; grep '^round' "$1" | sed -n 2p
	fi
}

# no end fixed in advance: no estimate
# shellcheck disable=SC2086
check 0 "" run lasso $lasso --out a.model
cp err.txt plain.txt
line_ok plain.txt "lasso, no limit"
grep -q 'rounds/s' plain.txt || bad "lasso: no rate: $(grep '^round' plain.txt | head -1)"
grep -q -E 'eta|limit in' plain.txt && bad "lasso without a limit shows an estimate"

# a time limit: what is left of it
# shellcheck disable=SC2086
check 0 "" run lasso $lasso --time-limit 600 --out b.model
line_ok err.txt "lasso --time-limit 600"
grep '^round' err.txt | grep -q -E '  limit in (9m[0-9][0-9]s|10m00s)  ' ||
	bad "--time-limit 600: no 'limit in' near 10 minutes: $(grep '^round' err.txt | head -1)"

# LDA's planned sweeps: an eta, 0 at the last sweep
check 0 "" run lda --data c.docword.txt --format uci --iters 6 --topics 4 --threads 2 \
	--out l.model
line_ok err.txt "lda --iters 6"
[ "$(grep -c '^round .*  eta ' err.txt)" = "$(grep -c '^round ' err.txt)" ] ||
	bad "lda: a sweep line without its eta: $(grep '^round' err.txt | head -2)"
grep '^round 6 ' err.txt | grep -q '  eta 0.0s  ' ||
	bad "lda: the last sweep's eta is not 0: $(grep '^round 6 ' err.txt)"
grep -q 'sweeps/s' err.txt || bad "lda: no rate in sweeps"

# --quiet: no progress
# shellcheck disable=SC2086
check 0 "" run lasso $lasso --quiet --out q.model
grep -q '^round' err.txt && bad "--quiet printed progress lines"

# a terminal (script(1) gives one): one line, redrawn in place with \r
if command -v script >/dev/null 2>&1; then
	n=$((n + 1))
	timeout 60 script -qec "'$strads' run lasso $lasso --time-limit 600 --out t.model" \
	    /dev/null </dev/null >tty.txt 2>&1
	# the checks' lines share one row (\n ends a row; the terminal
	# writes \r\n for it): the row holds every redraw
	most=$(awk '{ n = gsub(/\rround /, ""); if (n > m) m = n } END { print m + 0 }' tty.txt)
	if [ "$most" -lt 2 ]; then
		bad "a terminal's row holds $most progress lines, not all of them redrawn in place"
	fi
	tr '\r' '\n' <tty.txt | grep -q 'limit in' || bad "no estimate on a terminal"
	# The load's progress on a terminal (shown at once with the test
	# hook; a second in otherwise), erased when the load ends; none in a
	# pipe or with --quiet.
	n=$((n + 1))
	awk 'BEGIN { for (i = 0; i < 40000; i++) printf "%d 1:%d 2:%d 3:1\n", i % 2, i % 7, i % 13 }' >big.svm
	STRADS_TEST_LOAD_NOTE_MS=0 timeout 60 script -qec "'$strads' run lasso --data big.svm \
	    --threads 1 --out big.model" /dev/null </dev/null >load.txt 2>&1
	tr '\r' '\n' <load.txt | grep -qE '^loading big\.svm: [0-9]+% of [0-9.]+ MB, [0-9]+ MB/s' ||
		{ bad "no load progress on a terminal:"; tr '\r' '\n' <load.txt | head -5; }
	# erased before the loader says "loaded" (not after it)
	grep -q "$(printf '\r\033\\[Kloaded big')" load.txt ||
		bad "the load's line was not erased before the 'loaded' line"
	STRADS_TEST_LOAD_NOTE_MS=0 "$strads" run lasso --data big.svm --threads 1 \
	    --out big.model >/dev/null 2>pipe.txt
	! grep -q 'loading' pipe.txt || bad "load progress in a pipe: $(grep loading pipe.txt | head -1)"
	STRADS_TEST_LOAD_NOTE_MS=0 timeout 60 script -qec "'$strads' run lasso --data big.svm \
	    --threads 1 --quiet --out big.model" /dev/null </dev/null >quiet.txt 2>&1
	! grep -q 'loading' quiet.txt || bad "load progress with --quiet"
else
	echo "skip: the terminal's line is not checked: no script(1) (package bsdutils)"
fi

[ $fail = 0 ] && echo "$n cases: the progress line in a pipe, on a terminal and quiet"
exit $fail
