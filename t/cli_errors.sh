#!/bin/sh
# cli_errors.sh -- bad input to the strads program, as a new user gives
# it: every case must end within a time limit (no hang), with the exit
# status strads(1) gives (2 bad usage, 1 a failure, 5 a model refused)
# and a message on stderr naming what was wrong (the option and its
# value; the file and line for data). The helpers are t/clitest.sh's.
set -u

. "${top_srcdir:-.}/t/clitest.sh"

printf '1 1:1 2:0.5\n-1 1:0.2 3:1\n0.5 2:1 3:0.3\n2 1:1 3:2\n1.5 1:0.7 2:0.1\n' >d.svm
: >empty.svm
printf '1 1:2\n2 2:3 x\n' >bad.svm
printf '1 1:2\n2 146' >cut.svm
printf 'id,a,y\n1,2,3\n2,3\n' >short.csv

# commands and apps
check 2 "unknown command 'foo'" foo
check 2 "unknown app 'lass' (available: lasso" run lass
check 2 "unknown app 'foo'" gen foo
check 2 "unknown demo 'foo'" demo foo
check 2 "unknown app 'lass'" coordinator --listen tcp://127.0.0.1:0 --app lass

# the program's own options
check 2 "strads: --log-level: expected error, warn, info or debug, got 'loud'" \
	--log-level loud run lasso --data d.svm
check 2 "strads: a value is needed after '--log-level'" --log-level
n=$((n + 1))
if STRADS_LOG=verbose timeout 60 "$strads" --help >/dev/null 2>err.txt; then
	echo "FAIL: STRADS_LOG=verbose was accepted"; fail=1
elif ! grep -qF "STRADS_LOG: expected error, warn, info or debug, got 'verbose'" err.txt; then
	echo "FAIL: STRADS_LOG=verbose: $(cat err.txt)"; fail=1
fi
check 0 "" --log-level=error run lasso --data d.svm --threads 1 --quiet --out ll.model

# options of strads run lasso
check 2 "--data FILE is required" run lasso
check 2 "strads run: a value is needed after '--data'" run lasso --data
check 2 "strads run: unknown option '--bogus'" run lasso --data d.svm --bogus
check 2 "unexpected argument 'extra'" run lasso --data d.svm extra
check 2 "--lambda: expected a number, got 'abc'" run lasso --data d.svm --lambda abc
check 2 "--lambda: expected a number >= 0, got '-1'" run lasso --data d.svm --lambda -1
check 2 "--lambda-ratio: expected a number >= 0, got '-1'" run lasso --data d.svm --lambda-ratio -1
check 2 "--tol: expected a number > 0, got '-1'" run lasso --data d.svm --tol -1
check 2 "--path-jobs is how many penalties of a --path are solved at once" \
	run lasso --data d.svm --path-jobs 2
check 2 "--path-jobs belongs to a --path" run logreg --data d.svm --path-jobs 2
check 2 "--lambda-ratio would be ignored" run lasso --data d.svm --path 5 --lambda-ratio 0.5
printf 'a,a,y\n1,2,3\n4,5,6\n7,8,9\n' >dup.csv
check 1 "dup.csv:1: expected distinct column names, found 'a' twice (columns 1 and 2)" \
	run lasso --data dup.csv --target y
check 2 "--workers: expected an integer from 1 to 4096" run lasso --data d.svm --workers 100000
check 1 "/proc/m.json: cannot write into /proc" run lasso --data d.svm --metrics /proc/m.json
check 2 "--min-ratio belongs to a --path" run logreg --data d.svm --min-ratio 0.1
check 2 "--seed: expected an integer from 0 to" run lasso --data d.svm --seed 99999999999999999999
check 2 "strads gen lda: --seed: expected a whole number" gen lda --out x --seed x
check 2 "--tol: expected a number > 0, got '0'" run lasso --data d.svm --tol 0
check 2 "--time-limit: expected a number > 0, got '0'" run lasso --data d.svm --time-limit 0
check 2 "--min-ratio: expected a number in (0, 1], got '2'" run lasso --data d.svm --path 3 --min-ratio 2
check 2 "--rho: expected a number >= 0, got '-0.5'" run lasso --data d.svm --rho -0.5
check 2 "--threads: expected an integer from 1 to 256, got '0'" run lasso --data d.svm --threads 0
check 2 "--threads: expected an integer from 1 to 256, got '100000'" run lasso --data d.svm --threads 100000
check 2 "--threads: expected an integer from 1 to 256, got '99999999999999999999'" \
	run lasso --data d.svm --threads 99999999999999999999
check 2 "--block: expected an integer from 1 to 4294967295, got '4294967297'" \
	run lasso --data d.svm --block 4294967297
check 2 "--path: expected an integer from 1 to 100000, got '-3'" run lasso --data d.svm --path -3
check 2 "--data given twice" run lasso --data d.svm --data d.svm
check 2 "--lambda given twice" run lasso --data d.svm --lambda 0.1 --lambda 0.2
check 2 "--intercept and --no-intercept" run lasso --data d.svm --intercept --no-intercept
check 2 "--schedule: expected workset, priority, cyclic, random or shotgun, got 'fast'" \
	run lasso --data d.svm --schedule fast
check 2 "--missing: expected error, drop or mean, got 'foo'" \
	run lasso --data short.csv --target y --missing foo
check 2 "unexpected argument '--data'" run lasso -- --data d.svm

# logreg's data options are Lasso's
printf '1 0:1 1:2\n-1 0:0.5 2:1\n1 1:1 2:3\n-1 0:2 2:0.1\n' >zero.svm
check 1 "pass --index-base 0" run logreg --data zero.svm --threads 1 --quiet --out z.model
check 0 "" run logreg --data zero.svm --index-base 0 --threads 1 --quiet --out z.model
printf '1 1:1\n-1 2000000000:1\n' >huge.svm
check 1 "huge.svm:2: index 2000000000 implies 2000000000 features" \
	run logreg --data huge.svm --threads 1 --quiet --out h.model
check 1 "implies" run logreg --data huge.svm --max-features 100 --threads 1 --quiet --out h.model

# output files: refused before the data is loaded and solved, and never
# written over the data or each other
cp d.svm own.svm
check 2 "--out names the training data (own.svm): it would be written over" \
	run lasso --data own.svm --out own.svm
check 2 "--metrics names the training data" run lasso --data own.svm --metrics ./own.svm
check 2 "--out and --metrics name one file" run lasso --data d.svm --out x.out --metrics x.out
cmp -s d.svm own.svm || { echo "FAIL: own.svm was written over"; fail=1; }
check 1 "/nonexistent/m.model: cannot write into /nonexistent" \
	run lasso --data d.svm --out /nonexistent/m.model
check 1 "/nonexistent/m.json: cannot write into /nonexistent" \
	run lasso --data d.svm --metrics /nonexistent/m.json
mkdir adir
check 1 "adir: is a directory" run lasso --data d.svm --metrics adir

# data files: the file, and the line where it is known
check 1 "nofile.svm: cannot open" run lasso --data nofile.svm
check 1 "empty.svm: no data" run lasso --data empty.svm
check 1 "bad.svm:2: expected index:value, found 'x'" run lasso --data bad.svm
check 1 "cut.svm:2:" run lasso --data cut.svm
check 1 "short.csv:3: expected 3 fields" run lasso --data short.csv --target y
check 1 "--target: expected a column name" run lasso --data short.csv --target z

# strads predict
check 0 "" run lasso --data d.svm --threads 1 --quiet --out m.model
check 2 "expected MODEL and DATA, got 1 argument" predict m.model
check 2 "strads predict: unknown option '--bogus'" predict --bogus m.model d.svm
check 5 "nomodel: No such file" predict nomodel d.svm
sed 's/^# app lasso$/# app nosuchapp/' m.model >other.model
check 5 "damaged: its checksum does not match" predict other.model d.svm
check 5 "not a strads model" predict empty.svm d.svm
check 2 "--missing mean would fill gaps with this file's column means" \
	predict m.model short.csv --missing mean
# (t/model_files.sh: models cut short, of other apps, data of another shape)

# strads gen and demo
check 2 "--n: expected a whole number" gen lasso --out g.svm --n -5
check 2 "--out FILE is required" gen lasso
check 2 "--messages: expected an integer >= 1, got '-5'" demo runtime --messages -5
check 2 "--messages: expected an integer >= 1, got '10x'" demo runtime --messages 10x
check 2 "--loops: expected an integer from 1 to 256, got '0'" demo runtime --loops 0
check 2 "unexpected argument 'extra'" demo runtime --messages 100 extra
check 2 "strads demo: unknown option '--bogus'" demo runtime --bogus
check 2 "unexpected argument '--bogus'" demo lasso --bogus
check 0 "" demo lasso --help
grep -q "^usage: strads demo lasso" out.txt ||
	{ echo "FAIL: strads demo lasso --help printed no usage"; fail=1; }

# strads coordinator and node: refused before any network or secret
check 2 "--join-timeout: expected a number > 0, got '-1'" \
	coordinator --listen tcp://127.0.0.1:0 --app lasso --data d.svm --join-timeout -1
check 2 "--heartbeat: expected a number > 0, got '0'" \
	coordinator --listen tcp://127.0.0.1:0 --app lasso --data d.svm --heartbeat 0
check 2 "strads coordinator: unknown option '--bogus'" \
	coordinator --listen tcp://127.0.0.1:0 --app lasso --data d.svm --bogus
check 2 "--wait: expected a number > 0, got '-1'" node --join tcp://127.0.0.1:1 --wait -1
check 2 "--threads: expected an integer from 1 to 256, got '1000'" \
	node --join tcp://127.0.0.1:1 --threads 1000
check 2 "strads node: unknown option '--bogus'" node --bogus
check 2 "--listen given twice" coordinator --listen tcp://127.0.0.1:0 --app lasso \
	--data d.svm --listen tcp://127.0.0.1:0
check 2 "--join given twice" node --join tcp://127.0.0.1:1 --join tcp://127.0.0.1:2
check 2 "--join: expected tcp://HOST:PORT, tls+tcp://HOST:PORT or ipc://PATH, got 'bogus'" \
	node --join bogus
check 2 "--listen: expected tcp://HOST:PORT" coordinator --listen foo --app lasso --data d.svm

# The progress line on a terminal (script(1) gives one) is redrawn in
# place and never wider than the terminal: a wrapped line would leave a
# row behind at each redraw.
if command -v script >/dev/null 2>&1; then
	n=$((n + 1))
	timeout 60 script -qec "stty cols 40 2>/dev/null; '$strads' run lasso \
	    --data d.svm --threads 1 --schedule cyclic --out tty.model" /dev/null \
	    </dev/null >tty.txt 2>&1
	if ! grep -q "round" tty.txt; then
		echo "FAIL: no progress line on a terminal"
		fail=1
	elif tr '\r' '\n' <tty.txt | tr -d '\033' | sed 's/\[K//g' | grep "^round" |
	    awk 'length($0) > 39 { bad = 1 } END { exit !bad }'; then
		echo "FAIL: a progress line on a 40-column terminal is wider than 39 columns:"
		tr '\r' '\n' <tty.txt | grep "^round" | head -3
		fail=1
	fi
else
	echo "no script(1): the terminal's progress line is not checked"
fi

# A path's step files need a file name to number (--out . wrote ..1).
check 2 "--out: expected a file name (its steps are NAME.1, NAME.2, ...), got '.'" \
    run lasso --data d.svm --out . --path 3
check 2 "--metrics: expected a file name" run lasso --data d.svm --metrics sub/ --path 3

# A penalty so small that the gap cannot reach --tol in floating point:
# the run stops when nothing moves (it ran forever), says why, and
# --strict makes that exit 6 as a limit does.
"$strads" gen lasso --out stall.svm --n 500 --p 200 --support 10 >/dev/null 2>&1
check 0 "have not moved in 1000 checks" run lasso --data stall.svm --lambda-ratio 1e-12 \
    --out stall.model --quiet
check 6 "have not moved in 1000 checks" run lasso --data stall.svm --lambda-ratio 1e-12 \
    --out stall.model --quiet --strict

[ $fail = 0 ] && echo "$n cases of bad input: each refused with its message and status"
exit $fail
