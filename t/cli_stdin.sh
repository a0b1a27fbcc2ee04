#!/bin/sh
# cli_stdin.sh -- "-" as a data file is the standard input (strads(1),
# DATA): strads run and strads predict read a pipe as they read the
# file (the same model, the same predictions), --format is required
# (there is no name to guess it from), a bad line is named as "-:LINE",
# and the coordinator refuses it (its nodes cannot read this stdin).
set -u

. "${top_srcdir:-.}/t/clitest.sh"

coefs() { grep -v '^#' "$1"; }

"$strads" gen lasso --out d.svm --test t.svm --n 300 --p 60 --support 8 >/dev/null 2>&1 ||
	{ echo "strads gen lasso failed"; exit 99; }
"$strads" gen logreg --out g.svm --n 300 --p 60 --nnz-per-row 10 --support 5 >/dev/null 2>&1 ||
	{ echo "strads gen logreg failed"; exit 99; }
opts="--threads 1 --tol 1e-8 --quiet"

# shellcheck disable=SC2086
{
	check 0 "" run lasso --data d.svm $opts --schedule cyclic --out file.model
	n=$((n + 1))
	cat d.svm | "$strads" run lasso --data - --format libsvm $opts --schedule cyclic \
	    --out pipe.model 2>err.txt ||
		bad "run lasso --data - failed: $(cat err.txt)"
	coefs file.model >a.txt
	[ -s a.txt ] && coefs pipe.model | cmp -s - a.txt || bad "lasso: the pipe's model differs from the file's"

	check 0 "" run logreg --data g.svm $opts --out gfile.model
	n=$((n + 1))
	cat g.svm | "$strads" run logreg --data - --format libsvm $opts --out gpipe.model 2>err.txt ||
		bad "run logreg --data - failed: $(cat err.txt)"
	coefs gfile.model >b.txt
	[ -s b.txt ] && coefs gpipe.model | cmp -s - b.txt || bad "logreg: the pipe's model differs from the file's"
}

# predict: the same predictions from a pipe
n=$((n + 1))
"$strads" predict file.model t.svm >p1.txt 2>/dev/null || bad "predict from the file failed"
cat t.svm | "$strads" predict file.model - --format libsvm >p2.txt 2>err.txt ||
	bad "predict MODEL - failed: $(cat err.txt)"
[ -s p1.txt ] && cmp -s p1.txt p2.txt || bad "predict: the pipe's predictions differ"

# refusals
n=$((n + 1))
cat d.svm | "$strads" run lasso --data - $opts --out x.model 2>err.txt
rc=$?
[ $rc = 1 ] && grep -qF -- "-: the standard input has no file name to tell its format by; pass --format" err.txt ||
	bad "--data - without --format: exit $rc, $(cat err.txt)"
n=$((n + 1))
printf '1 1:2\n2 2:3 x\n' | "$strads" run lasso --data - --format libsvm $opts --out x.model 2>err.txt
rc=$?
[ $rc = 1 ] && grep -qF -- "-:2: expected index:value, found 'x'" err.txt ||
	bad "a bad line on stdin: exit $rc, $(cat err.txt)"
check 2 "--data -: the nodes cannot read this process's standard input" \
	coordinator --listen tcp://127.0.0.1:0 --app lasso --data -

[ $fail = 0 ] && echo "$n cases: - as the standard input for run and predict"
exit $fail
