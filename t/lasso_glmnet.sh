#!/bin/sh
# Lasso against glmnet: the objective strads reaches is within 1e-6
# relative of glmnet's (run with thresh 1e-14, the same convention and
# the same imputation), the support is the same, and the objective of the
# saved model, recomputed from the data by t/ref/objective.py, agrees with
# the one strads reports. Skips (77) without Rscript + glmnet or python3.
set -eu
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
strads="$top_builddir/strads"
ref="$top_srcdir/t/ref"
py=/usr/bin/python3
# The shared datasets live beside the repository; STRADS_SHARED_DATA
# overrides. Without them only the generated problem runs.
data=
for d in "${STRADS_SHARED_DATA:-}" "$top_srcdir/../shared/data" /work/shared/data; do
	if [ -n "$d" ] && [ -f "$d/lasso/communities/communities.data" ]; then
		data=$d
		break
	fi
done

command -v Rscript >/dev/null 2>&1 || { echo "skip: no Rscript (package r-cran-glmnet)"; exit 77; }
Rscript -e 'suppressMessages(library(glmnet))' >/dev/null 2>&1 ||
	{ echo "skip: R package glmnet missing (r-cran-glmnet)"; exit 77; }
[ -x $py ] && $py -c 'import numpy, scipy' 2>/dev/null ||
	{ echo "skip: /usr/bin/python3 with numpy and scipy missing (packages python3-numpy python3-scipy)"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# compare NAME REF_OUTPUT MODEL: objective and support.
compare() {
	$py - "$1" "$2" "$3" <<'PY' || fail=1
import sys
name, refp, modp = sys.argv[1:4]
ref = {"coef": {}}
for line in open(refp):
    t = line.split()
    if not t or t[0] == "---":
        continue
    if t[0] == "coef":
        ref["coef"][int(t[1])] = float(t[2])
    elif len(t) == 2:
        try:
            ref[t[0]] = float(t[1])
        except ValueError:
            pass
mod = {"coef": {}}
for line in open(modp):
    t = line.split()
    if not t:
        continue
    if t[0] == "#":
        if len(t) == 3:
            mod[t[1]] = t[2]
    else:
        mod["coef"][int(t[0])] = float(t[1])
po, so = ref["objective"], float(mod["objective"])
rel = abs(so - po) / abs(po)
# Support: coefficients clearly away from zero in either must be non-zero
# in both (tiny ones may sit at zero in one solver and 1e-12 in the other).
big = lambda c: {j for j, v in c.items() if abs(v) > 1e-6}
only_ref = big(ref["coef"]) - set(mod["coef"])
only_mod = big(mod["coef"]) - set(ref["coef"])
ok = rel <= 1e-6 and not only_ref and not only_mod
print("%s: glmnet %.12g  strads %.12g  rel %.2e  nnz %d/%d  %s" % (
    name, po, so, rel, len(ref["coef"]), len(mod["coef"]), "ok" if ok else "FAIL"))
if only_ref or only_mod:
    print("  support differs: only glmnet %s, only strads %s" % (sorted(only_ref), sorted(only_mod)))
sys.exit(0 if ok else 1)
PY
}

# recheck NAME MODEL DATA ARGS...: t/ref/objective.py on the saved model.
recheck() {
	name=$1 model=$2
	shift 2
	got=$($py "$ref/objective.py" --model "$model" "$@" | awk '$1 == "objective" {print $2}')
	want=$(awk '$2 == "objective" {print $3}' "$model")
	$py -c "import sys; g, w = float('$got'), float('$want'); r = abs(g - w) / abs(w); print('$name: recomputed %.12g reported %.12g rel %.2e' % (g, w, r)); sys.exit(0 if r <= 1e-9 else 1)" || fail=1
}

if [ -z "$data" ]; then
	echo "note: ../shared/data absent: communities and rcv1 cases not run"
else
comm="$data/lasso/communities/communities.data"
for variant in "intercept" "standardize" "no-intercept"; do
	case $variant in
	intercept) sflags="" rflags="--intercept 1 --standardize 0" ;;
	standardize) sflags="--standardize" rflags="--intercept 1 --standardize 1" ;;
	no-intercept) sflags="--no-intercept" rflags="--intercept 0 --standardize 0" ;;
	esac
	Rscript "$ref/glmnet_lasso.R" --data "$comm" --format csv --target 128 \
	    --ignore 1-5 --missing mean --lambda-ratio 0.05 --thresh 1e-14 \
	    $rflags --out "$tmp/g.$variant"
	"$strads" run lasso --data "$comm" --format csv --target 128 --ignore 1-5 \
	    --missing mean --lambda-ratio 0.05 --tol 1e-9 $sflags --quiet \
	    --out "$tmp/s.$variant"
	compare "communities/$variant" "$tmp/g.$variant" "$tmp/s.$variant"
	recheck "communities/$variant" "$tmp/s.$variant" --data "$comm" --format csv \
	    --target 128 --ignore 1-5 --missing mean \
	    --standardize $([ $variant = standardize ] && echo 1 || echo 0)
done

# High-dimensional sparse: RCV1 (1000 x 47k tf-idf), labels as the response.
rcv1="$data/logreg/rcv1_small.svm"
Rscript "$ref/glmnet_lasso.R" --data "$rcv1" --format libsvm --lambda-ratio 0.1 \
    --thresh 1e-14 --out "$tmp/g.rcv1"
"$strads" run lasso --data "$rcv1" --lambda-ratio 0.1 --tol 1e-8 --quiet \
    --out "$tmp/s.rcv1"
compare "rcv1_small" "$tmp/g.rcv1" "$tmp/s.rcv1"
# The SchMP schedule (priority sampling + dependency filter) reaches the
# same optimum as the default working sets.
"$strads" run lasso --data "$rcv1" --lambda-ratio 0.1 --tol 1e-8 --quiet \
    --schedule priority --out "$tmp/s.rcv1.priority"
compare "rcv1_small/priority" "$tmp/g.rcv1" "$tmp/s.rcv1.priority"

# A warm-started path (each penalty's first check reuses the last one's
# gradient), solved as one chain and as 2 and 3 side by side
# (--path-jobs): every penalty's objective within 1e-6 of glmnet's. With
# 3 chains the penalty lines still come in order (lambda falling) and
# each penalty has its metrics file.
Rscript "$ref/glmnet_lasso.R" --data "$rcv1" --format libsvm --path 20 \
    --min-ratio 0.01 --thresh 1e-13 --out "$tmp/g.path"
for j in 1 2 3; do
	# (--threads j: chains are at most one a thread)
	"$strads" run lasso --data "$rcv1" --path 20 --min-ratio 0.01 --path-jobs $j --threads $j \
	    --metrics "$tmp/s.path$j.metrics" --out "$tmp/s.path$j" 2>"$tmp/s.path$j.err" ||
		{ echo "strads run --path-jobs $j failed:"; cat "$tmp/s.path$j.err"; fail=1; }
	k=1
	while [ $k -le 20 ]; do
		awk -v k=$k '$1 == "---" { i++ } $1 == "objective" && i == k - 1 { print $2 }' \
		    "$tmp/g.path" >"$tmp/g.path.obj"
		kk=$(printf '%02d' $k) # the files of 20 steps: .01 ... .20
		s_obj=$(awk '$2 == "objective" { print $3 }' "$tmp/s.path$j.$kk" 2>/dev/null || true)
		$py -c "import sys; g, s = float(open('$tmp/g.path.obj').read()), float('${s_obj:-nan}'); r = abs(s - g) / abs(g); ok = r <= 1e-6; print('rcv1_small/path %d (%d chains): glmnet %.12g  strads %.12g  rel %.2e  %s' % ($k, $j, g, s, r, 'ok' if ok else 'FAIL')); sys.exit(0 if ok else 1)" || fail=1
		[ -s "$tmp/s.path$j.metrics.$kk" ] ||
			{ echo "--path-jobs $j: no metrics file for penalty $k"; fail=1; }
		k=$((k + 1))
	done
	if awk '$1 == "lambda" { sub(/:$/, "", $2); n++; if (n > 1 && $2 + 0 >= last) bad = 1; last = $2 + 0 }
	    END { exit !(n == 20 && !bad) }' "$tmp/s.path$j.err"; then
		echo "rcv1_small/path (--path-jobs $j): 20 penalty lines, in order: ok"
	else
		echo "rcv1_small/path (--path-jobs $j): penalty lines missing or out of order: FAIL"
		fail=1
	fi
done
fi

# A generated problem with a planted truth (strads gen lasso).
"$strads" gen lasso --n 2000 --p 5000 --nnz-per-row 20 --support 20 \
    --values gaussian --noise 0.5 --seed 3 --out "$tmp/gen.svm" 2>/dev/null
Rscript "$ref/glmnet_lasso.R" --data "$tmp/gen.svm" --format libsvm \
    --lambda-ratio 0.1 --thresh 1e-14 --out "$tmp/g.gen"
"$strads" run lasso --data "$tmp/gen.svm" --lambda-ratio 0.1 --tol 1e-9 --quiet \
    --out "$tmp/s.gen"
compare "generated" "$tmp/g.gen" "$tmp/s.gen"
"$strads" run lasso --data "$tmp/gen.svm" --lambda-ratio 0.1 --tol 1e-9 --quiet \
    --schedule priority --out "$tmp/s.gen.priority"
compare "generated/priority" "$tmp/g.gen" "$tmp/s.gen.priority"

exit $fail
