#!/bin/sh
# logreg_cli.sh -- the logistic regression app through the strads program,
# on generated data (no reference needed): strads gen logreg makes the
# same file twice from one seed; a fit recovers the planted support (most
# of its non-zeros, few others) and predicts the training labels well;
# predict prints one probability in [0, 1] a row, labels with --labels
# (of the kind trained on: 0/1 or -1/+1),
# and accuracy, log-loss and AUC; --path N writes N models from the zero
# one to a dense one, each penalty's objective that of a job of its own; a bad label is an error naming file and line; a
# Lasso model refuses --labels.
set -eu
top_builddir=${top_builddir:-.}
strads="$top_builddir/strads"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
no() { echo "FAIL $*"; fail=1; }

"$strads" gen logreg --n 2000 --p 500 --nnz-per-row 20 --support 10 --scale 3 \
    --bias 0.5 --seed 5 --out "$tmp/a.svm" --truth "$tmp/truth" 2>/dev/null
"$strads" gen logreg --n 2000 --p 500 --nnz-per-row 20 --support 10 --scale 3 \
    --bias 0.5 --seed 5 --out "$tmp/b.svm" 2>/dev/null
cmp -s "$tmp/a.svm" "$tmp/b.svm" || no "gen: one seed, two files"

"$strads" run logreg --data "$tmp/a.svm" --C 0.05 --out "$tmp/m" --quiet
# Support recovery: planted indices found among the model's non-zeros.
planted=$(grep -v '^#' "$tmp/truth" | cut -d' ' -f1 | sort)
found=$(grep -v '^#' "$tmp/m" | cut -d' ' -f1 | sort)

printf '%s\n' "$found" >"$tmp/m.idx"
hit=$(printf '%s\n' "$planted" | grep -cxF -f "$tmp/m.idx" || true)
nf=$(printf '%s\n' "$found" | grep -c . || true)
[ "$hit" -ge 8 ] || no "support: $hit of 10 planted weights found"
[ "$nf" -le 40 ] || no "support: $nf non-zeros for 10 planted"
echo "support: $hit of 10 planted found, $nf non-zeros"

"$strads" predict "$tmp/m" "$tmp/a.svm" >"$tmp/p" 2>"$tmp/fit"
[ "$(wc -l <"$tmp/p")" = 2000 ] || no "predict: $(wc -l <"$tmp/p") lines for 2000 rows"
awk '$1 < 0 || $1 > 1 { bad = 1 } END { exit bad }' "$tmp/p" || no "a probability outside [0, 1]"
acc=$(sed -n 's/.*accuracy \([0-9.]*\).*/\1/p' "$tmp/fit")
auc=$(sed -n 's/.*auc \([0-9.]*\).*/\1/p' "$tmp/fit")
grep -q "logloss" "$tmp/fit" || no "predict: no log-loss"
awk -v a="$acc" -v u="$auc" 'BEGIN { exit !(a > 0.75 && u > 0.8) }' ||
	no "predict: accuracy $acc, auc $auc on the training data"
echo "fit: $(cat "$tmp/fit")"
"$strads" predict "$tmp/m" "$tmp/a.svm" --labels --quiet >"$tmp/l"
[ "$(sort -u "$tmp/l" | tr '\n' ' ')" = "-1 1 " ] || no "--labels: $(sort -u "$tmp/l" | tr '\n' ' ')"
# Trained on 0/1 labels, it predicts 0/1 labels, the same rows as
# the -1/+1 model's.
sed 's/^-1 /0 /' "$tmp/a.svm" >"$tmp/a01.svm"
"$strads" run logreg --data "$tmp/a01.svm" --C 0.05 --out "$tmp/m01" --quiet
grep -qx '# labels 0/1' "$tmp/m01" || no "the 0/1 model does not say its labels"
"$strads" predict "$tmp/m01" "$tmp/a01.svm" --labels --quiet >"$tmp/l01"
[ "$(sort -u "$tmp/l01" | tr '\n' ' ')" = "0 1 " ] || no "--labels of a 0/1 model: $(sort -u "$tmp/l01" | tr '\n' ' ')"
sed 's/^-1$/0/' "$tmp/l" | cmp -s - "$tmp/l01" || no "the 0/1 model's labels differ from the -1/+1 model's"

"$strads" run logreg --data "$tmp/a.svm" --path 4 --out "$tmp/path" --quiet --path-jobs 1
for k in 1 2 3 4; do [ -f "$tmp/path.$k" ] || no "--path 4: no $tmp/path.$k"; done
[ "$(grep -vc '^#' "$tmp/path.1" || true)" = 0 ] || no "--path: the first model is not zero"
[ "$(grep -vc '^#' "$tmp/path.4" || true)" -ge 10 ] || no "--path: the last model is sparse"
# The chain is one job of stages (the roles kept, C changed between
# penalties): each penalty's objective is a job's of its own at its
# lambda, and each meets the tolerance.
for k in 2 3 4; do
	l=$(sed -n 's/^# lambda //p' "$tmp/path.$k")
	"$strads" run logreg --data "$tmp/a.svm" --lambda "$l" --out "$tmp/one" --quiet
	a=$(awk -v k=$k '$1 == k { print $2 }' "$tmp/path.path")
	b=$(sed -n 's/^# objective //p' "$tmp/one")
	awk -v a="$a" -v b="$b" 'BEGIN { d = a - b; exit !(d * d <= 1e-16 * b * b) }' ||
		no "--path step $k: objective $a, alone at lambda $l: $b"
	awk -v k=$k '$1 == k { exit !($3 <= 1e-6) }' "$tmp/path.path" ||
		no "--path step $k: kkt above the tolerance"
done

printf '1 1:1\n# a comment\n\n-1 2:1\n3 1:2\n' >"$tmp/bad.svm"
if "$strads" run logreg --data "$tmp/bad.svm" --out "$tmp/x" 2>"$tmp/err"; then
	no "label 3 accepted"
fi
grep -q "bad.svm:5: expected a label" "$tmp/err" || no "bad label: $(cat "$tmp/err")"

"$strads" gen lasso --n 50 --p 20 --nnz-per-row 5 --support 3 --out "$tmp/l.svm" 2>/dev/null
"$strads" run lasso --data "$tmp/l.svm" --out "$tmp/lasso.model" --quiet
if "$strads" predict "$tmp/lasso.model" "$tmp/l.svm" --labels >/dev/null 2>&1; then
	no "a Lasso model took --labels"
fi
[ $fail = 0 ] && echo "logreg through the strads program: ok"
exit $fail
