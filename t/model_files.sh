#!/bin/sh
# model_files.sh -- models that refuse to lie. A model file carries its
# app, format, parameter count, data schema, how training ended and a
# checksum; `strads predict` refuses (exit 5, with a message naming the
# file) a model cut short, edited or damaged, of an older format or of
# an app it does not have, and data that does not fit the model: feature
# indices past its p, CSV columns it was not trained on, or missing. CSV
# columns are matched by name, so their order does not matter. Also the
# input limits (--max-features), the options that would contradict each
# other, and runs that did not converge: stopped by a limit (the model
# and the metrics say so; --strict exits 6) or by SIGINT (exit 130, the
# last consistent round's model with --save-on-interrupt), in strads run
# and in strads coordinator.
set -u

. "${top_srcdir:-.}/t/clitest.sh"

# --- LIBSVM: a model, then copies of it that must not read -----------
"$strads" gen lasso --out d.svm --n 300 --p 40 --nnz-per-row 10 --support 5 --seed 3 2>/dev/null ||
	{ echo "strads gen failed"; exit 99; }
check 0 "" run lasso --data d.svm --threads 1 --quiet --out m.model
check 0 "rows 300" predict m.model d.svm
cp out.txt full.pred
grep -q '^# end crc32 [0-9a-f]\{8\}$' m.model || bad "m.model has no end line"
grep -q '^# converged 1$' m.model || bad "m.model does not say it converged"
grep -q '^# data_format libsvm$' m.model || bad "m.model has no data format"

head -c 200 m.model >cut.model
check 5 "cut.model: cut short" predict cut.model d.svm
half=$(($(wc -l <m.model) / 2))
head -n "$half" m.model >half.model
check 5 "half.model: cut short or damaged" predict half.model d.svm
# One coefficient changed by one digit: only the checksum can tell.
awk '!done && /^[0-9]+ / { sub(/ -?[0-9]/, " 7"); done = 1 } { print }' m.model >edit.model
cmp -s m.model edit.model && bad "the edit changed nothing"
check 5 "edit.model: damaged: its checksum does not match" predict edit.model d.svm
sed '/^# end /d' m.model >noend.model
check 5 "noend.model: cut short or damaged" predict noend.model d.svm
# CR LF line ends (a Windows editor, git's autocrlf) are a conversion,
# not damage: the model reads and predicts the same.
sed 's/$/\r/' m.model >crlf.model
cmp -s m.model crlf.model && bad "the CR LF copy is the same file"
check 0 "rows 300" predict crlf.model d.svm
cmp -s out.txt full.pred || bad "the CR LF model predicts otherwise"
# A CR LF copy edited by one digit is still damaged.
sed 's/$/\r/' edit.model >crlfedit.model
check 5 "crlfedit.model: damaged: its checksum does not match" predict crlfedit.model d.svm
sed -e '1s/.*/# strads model/' -e '/^# end /d' m.model >old.model
check 5 "old.model: a model in format 1" predict old.model d.svm
sed '1s/.*/# strads model 9/' m.model >new.model
check 5 "new.model: a model in format 9" predict new.model d.svm
check 5 "d.svm: not a strads model" predict d.svm d.svm
printf '# strads lda model\n# app lda\n# topics 2\n' >lda.model
check 5 "lda.model: an LDA model in format 1" predict lda.model d.svm
# A well-formed model of an app this program does not have: the
# checksum recomputed (zlib's CRC-32) after the app line is changed.
if [ -x /usr/bin/python3 ]; then
	sed -e 's/^# app lasso$/# app martian/' -e '/^# end /d' m.model >body.txt
	/usr/bin/python3 -c 'import sys, zlib
b = open("body.txt", "rb").read()
sys.stdout.write("# end crc32 %08x\n" % zlib.crc32(b))' >end.txt
	cat body.txt end.txt >martian.model
	check 5 "a model of app 'martian', which this program does not have" \
		predict martian.model d.svm
fi

# Data of another problem: a feature past the model's 40.
printf '1 3:1 100000:2\n' >wide.svm
check 5 "wide.svm: row 1 has feature 100000, but the model has 40 features" \
	predict m.model wide.svm
# Fewer features is fine (sparse data leaves the rest at zero).
printf '1 3:1\n' >narrow.svm
check 0 "" predict m.model narrow.svm

# --- CSV: the schema goes with the model ------------------------------
cat >d.csv <<'CSV'
id,a,b,c,y
1,1.0,2.0,0.5,3.1
2,2.0,0.1,1.5,2.2
3,0.5,1.0,2.0,4.0
4,1.5,1.5,0.0,2.9
5,3.0,0.2,1.0,3.3
6,0.2,2.5,1.2,4.4
7,2.2,0.7,0.3,1.9
8,1.1,1.9,2.2,4.8
CSV
check 0 "" run lasso --data d.csv --target y --ignore id --lambda-ratio 0.01 \
	--threads 1 --quiet --out c.model
grep -q '^# column 1 a$' c.model || bad "c.model does not name its columns"
grep -q '^# target y$' c.model || bad "c.model does not name its target"
grep -q '^# ignore id$' c.model || bad "c.model does not record --ignore"
# The model's target and ignored columns apply without being repeated.
check 0 "rows 8" predict c.model d.csv
cp out.txt c.pred
# The same columns in another order: the same predictions.
awk -F, -v OFS=, '{ print $5, $4, $1, $3, $2 }' d.csv >shuffled.csv
check 0 "rows 8" predict c.model shuffled.csv
cmp -s out.txt c.pred || bad "columns in another order changed the predictions"
# New data without the response: predictions, no fit.
cut -d, -f1-4 d.csv >noy.csv
check 0 "" predict c.model noy.csv
[ "$(wc -l <out.txt)" -eq 8 ] || bad "predict without a response printed $(wc -l <out.txt) lines"
# A column the model does not know, and one it needs but is not there.
sed -e '1s/$/,z/' -e '2,$s/$/,1/' d.csv >extra.csv
check 5 "extra.csv: column 'z' is not one the model was trained on" predict c.model extra.csv
cut -d, -f1,2,3,5 d.csv >missing.csv
check 5 "missing.csv: the model's column 'c' is not in the data" predict c.model missing.csv
# CSV model, LIBSVM data and the other way round.
check 5 "d.svm: named like libsvm data, but the model was trained on csv data" predict c.model d.svm
check 5 "the model was trained on CSV columns, matched by name" predict c.model d.svm --format libsvm
check 5 "d.csv: named like csv data, but the model was trained on libsvm" predict m.model d.csv
check 5 "CSV data for a model trained on libsvm data" predict m.model d.csv --format csv --target y

# --- index base and input limits ---------------------------------------
printf '1 0:1 1:2\n2 0:0.5 2:1\n0.5 1:1 2:3\n1.5 0:2 2:0.1\n' >zero.svm
check 1 "pass --index-base 0" run lasso --data zero.svm --threads 1 --quiet --out z.model
check 0 "" run lasso --data zero.svm --index-base 0 --threads 1 --quiet --out z.model
grep -q '^# index_base 0$' z.model || bad "z.model does not record index base 0"
check 0 "rows 4" predict z.model zero.svm
check 2 "--index-base: expected an integer from 0 to 1, got '2'" \
	run lasso --data zero.svm --index-base 2
# A 7-row file with one index of 2e9: refused at its line, before any
# p-sized array is made (the run is held to 1 GiB of address space).
printf '1 1:1\n2 2:1\n1 1:2\n3 3:1\n1 2000000000:1\n2 1:1\n1 2:2\n' >huge.svm
n=$((n + 1))
# (Not under AddressSanitizer, whose shadow memory needs far more address
# space: the sanitizer build's tests set LSAN_OPTIONS.)
case ${LSAN_OPTIONS:-} in
*lsan.supp*) vlimit=unlimited ;;
*) vlimit=1048576 ;;
esac
(ulimit -v $vlimit 2>/dev/null; timeout 60 "$strads" run lasso --data huge.svm \
    --threads 1 --quiet --out h.model) 2>err.txt
rc=$?
if [ $rc -ne 1 ] || ! grep -qF "huge.svm:5: index 2000000000 implies 2000000000 features" err.txt; then
	echo "FAIL: huge.svm: exit $rc, expected 1 and the line and features named:"
	sed 's/^/    /' err.txt | head -3
	fail=1
fi
grep -qF -- "--max-features 2000000000" err.txt || bad "huge.svm: no hint of --max-features"
check 1 "huge.svm:5: index 2000000000 implies" run lasso --data huge.svm --max-features 1000
check 2 "--max-features: expected an integer >= 1" run lasso --data d.svm --max-features 0

# --- options that contradict each other -------------------------------
check 2 "--lambda sets the penalty; --lambda-ratio sets it too" \
	run lasso --data d.svm --lambda 0.1 --lambda-ratio 0.5
check 2 "--lambda sets the penalty; --path sets it too" \
	run lasso --data d.svm --lambda 0.1 --path 5
check 2 "--min-ratio is the end of a --path" run lasso --data d.svm --min-ratio 0.1

# A CSV without the column the model ignored (id) is matched by name, and
# one with columns the model never saw is refused as not fitting (exit 5).
printf 'id,x1,x2,y\n1,1,2,3\n2,2,1,4\n3,3,3,5\n4,1,1,2\n5,2,2,4\n' >h.csv
check 0 "" run lasso --data h.csv --target y --ignore id --threads 1 --quiet --out h.model
printf 'x2,x1\n1,2\n' >h2.csv
check 0 "" predict h.model h2.csv
printf 'a,b\n1,2\n' >h3.csv
check 5 "h3.csv: column 'a' is not one the model was trained on" predict h.model h3.csv

# --- a run a limit stopped: said in the model, the metrics and (with
# --strict) the exit status --------------------------------------------
"$strads" gen lasso --out slow.svm --n 2000 --p 3000 --nnz-per-row 30 --support 50 \
	--seed 5 2>/dev/null || bad "strads gen slow.svm"
check 0 "not converged" run lasso --data slow.svm --threads 1 --schedule cyclic \
	--lambda-ratio 0.01 --tol 1e-12 --max-iter 2 --out lim.model --metrics lim.json
grep -q '^# converged 0$' lim.model || bad "lim.model does not say it did not converge"
tail -n 1 lim.json | grep -q '"end": true.*"converged": false, "stopped_by": "limit"' ||
	bad "lim.json does not end with a not-converged end record: $(tail -n 1 lim.json)"
check 6 "--strict: a limit stopped 1 of 1 step before it converged" run lasso \
	--data slow.svm --threads 1 --schedule cyclic --lambda-ratio 0.01 --tol 1e-12 \
	--max-iter 2 --out lim.model --strict
# --max-iter N makes N rounds whatever the schedule (rounds planned ahead
# made one more before).
for sch in random shotgun priority cyclic; do
	check 0 "" run lasso --data slow.svm --threads 2 --schedule $sch \
		--lambda-ratio 0.01 --tol 1e-12 --max-iter 7 --quiet --out mi.model
	grep -q '^# rounds 7$' mi.model || bad "--schedule $sch --max-iter 7: $(grep '^# rounds' mi.model)"
done
check 0 "" run lasso --data d.svm --threads 1 --quiet --out m2.model --strict \
	--metrics ok.json
tail -n 1 ok.json | grep -q '"converged": true, "stopped_by": "tolerance"' ||
	bad "ok.json does not end with a converged end record: $(tail -n 1 ok.json)"

# --- SIGINT: the last consistent round's model, when asked ------------
"$strads" gen lasso --out int.svm --n 4000 --p 20000 --nnz-per-row 30 --seed 9 \
	2>/dev/null || bad "strads gen int.svm"
# interrupted PID NAME: waits for the job's first check (its handler is
# armed by then), sends SIGINT, and gives it 60 s to end; its status.
interrupted() {
	i=0
	while [ ! -s "$2.json" ] && [ $i -lt 600 ] && kill -0 "$1" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -INT "$1" 2>/dev/null
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$1" 2>/dev/null; then
		kill -9 "$1"
		bad "$2: still running 60 s after SIGINT"
	fi
	wait "$1"
}
slow_run="run lasso --data int.svm --threads 1 --schedule priority \
	--lambda-ratio 0.001 --tol 1e-15 --quiet"
n=$((n + 1))
# shellcheck disable=SC2086
"$strads" $slow_run --metrics int.json --out int.model --save-on-interrupt 2>int.err &
interrupted $! int
rc=$?
[ $rc -eq 130 ] || bad "SIGINT with --save-on-interrupt: exit $rc, expected 130"
grep -q "interrupted at iteration [0-9]* (objective .*); that iteration's model is saved in int.model" \
	int.err || bad "SIGINT: no 'interrupted at round' message: $(cat int.err)"
grep -q '^# converged 0$' int.model 2>/dev/null || bad "int.model: missing, or says it converged"
tail -n 1 int.json | grep -q '"stopped_by": "interrupt"' ||
	bad "int.json does not end with an interrupt end record: $(tail -n 1 int.json)"
check 0 "rows 4000" predict int.model int.svm
n=$((n + 1))
# shellcheck disable=SC2086
"$strads" $slow_run --metrics int2.json --out int2.model 2>int2.err &
interrupted $! int2
rc=$?
[ $rc -eq 130 ] || bad "SIGINT: exit $rc, expected 130"
[ ! -e int2.model ] || bad "SIGINT without --save-on-interrupt saved a model"
grep -q "no model saved (--save-on-interrupt" int2.err || bad "SIGINT: $(cat int2.err)"
tail -n 1 int2.json | grep -q '"stopped_by": "interrupt"' ||
	bad "int2.json (no --save-on-interrupt) does not end with an interrupt end record"

# The coordinator: the same, and its node is let go (exit 0).
n=$((n + 1))
STRADS_SECRET=model-files-test-secret-0123456789
export STRADS_SECRET
# shellcheck disable=SC2086
"$strads" coordinator --listen tcp://127.0.0.1:0 --app lasso --data int.svm \
	--schedule priority --lambda-ratio 0.001 --tol 1e-15 \
	--checkpoint-every 0 --metrics cint.json --out cint.model --save-on-interrupt \
	2>cint.err &
cpid=$!
i=0
url=
while [ -z "$url" ] && [ $i -lt 600 ] && kill -0 $cpid 2>/dev/null; do
	url=$(sed -n 's/.*listening on \(tcp:[^;]*\);.*/\1/p' cint.err 2>/dev/null)
	[ -n "$url" ] || sleep 0.1
	i=$((i + 1))
done
if [ -n "$url" ]; then
	"$strads" node --join "$url" --threads 1 --quiet 2>cnode.err &
	npid=$!
	interrupted $cpid cint
	rc=$?
	[ $rc -eq 130 ] || bad "coordinator SIGINT: exit $rc, expected 130: $(cat cint.err)"
	grep -q "strads coordinator: interrupted at iteration [0-9]* (objective .*); that iteration's model is saved in cint.model" \
		cint.err || bad "coordinator SIGINT: no 'interrupted' message: $(cat cint.err)"
	grep -q '^# converged 0$' cint.model 2>/dev/null ||
		bad "cint.model: missing, or says it converged"
	tail -n 1 cint.json | grep -q '"stopped_by": "interrupt"' ||
		bad "cint.json does not end with an interrupt end record"
	i=0
	while kill -0 $npid 2>/dev/null && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 $npid 2>/dev/null; then
		kill -9 $npid
		bad "the node still runs 30 s after its coordinator was interrupted"
	fi
	wait $npid
	rc=$?
	[ $rc -eq 0 ] || bad "the node of an interrupted coordinator: exit $rc: $(cat cnode.err)"
else
	bad "the coordinator never said where it listens: $(cat cint.err)"
	kill -9 $cpid 2>/dev/null
fi

[ $fail = 0 ] && echo "$n cases: models and data refused or accepted as they should be"
exit $fail
