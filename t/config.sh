#!/bin/sh
# config.sh -- --config FILE and strads config --dump (strads.conf(5)):
# a file gives the same run as the command line, the command line
# overrides it, the dump read back gives the same run from anywhere,
# every option of every app (from the registry's --help) is a key, the
# JSON form gives the same run as KEY = VALUE lines, one file serves the coordinator and the nodes, and each bad line is
# refused with the file and line.
set -u

. "${top_srcdir:-.}/t/clitest.sh"

# coefficient lines of a model file (its # lines hold paths and times)
coefs() { grep -v '^#' "$1"; }

"$strads" gen lasso --out d.svm --n 300 --p 80 --support 10 >/dev/null 2>&1 ||
	{ echo "strads gen lasso failed"; exit 99; }
mkdir sub
# deterministic: one thread, cyclic schedule
set -- --threads 1 --schedule cyclic --lambda-ratio 0.2 --tol 1e-8 --quiet
check 0 "" run lasso --data d.svm "$@" --out cl.model

# 1. A file (relative names taken from its directory) gives the same model.
cat >sub/a.conf <<'CONF'
# a comment, then a blank line

app = lasso
data = ../d.svm
threads = 1
schedule = cyclic
lambda-ratio   =   0.2
tol = 1e-8
quiet = true
out = ../file.model
CONF
check 0 "" run --config sub/a.conf
coefs file.model >file.model.coefs
[ -s file.model.coefs ] && coefs cl.model | cmp -s - file.model.coefs ||
	bad "the file's run differs from the command line's"
n=$((n + 1))

# 1b. --config -: the same settings from the standard input (relative
# names from the working directory); the data cannot come from it too.
n=$((n + 1))
sed -e 's|\.\./||' sub/a.conf | sed -e 's|^out = .*|out = stdin.model|' |
	timeout 60 "$strads" run --config - >out.txt 2>err.txt ||
	bad "run --config - failed: $(cat err.txt)"
coefs stdin.model 2>/dev/null | cmp -s - file.model.coefs ||
	bad "the run from --config - differs from the file's"
n=$((n + 1))
printf 'app = lasso\ndata = -\nformat = libsvm\n' |
	timeout 60 "$strads" run --config - --out x.model >out.txt 2>err.txt
rc=$?
[ $rc -eq 2 ] && grep -qF -- "--data - and --config - both name the standard input" err.txt ||
	bad "--config - with --data -: exit $rc: $(cat err.txt)"

# 2. The command line overrides the file; a no- twin overrides too.
check 0 "" config --dump run --config sub/a.conf --tol 1e-3 --lambda-ratio=0.5
[ "$(grep -c '^tol = ' out.txt)" = 1 ] && grep -q '^tol = 1e-3$' out.txt &&
    grep -q '^lambda-ratio = 0.5$' out.txt ||
	{ bad "--tol on the command line did not replace the file's:"; cat out.txt; }
printf 'app = lasso\ndata = d.svm\nno-intercept = true\nquiet = false\n' >b.conf
check 0 "" config --dump run --config b.conf --intercept
grep -q '^intercept = true$' out.txt && ! grep -q 'no-intercept' out.txt &&
    ! grep -q 'quiet' out.txt || { bad "--intercept did not override no-intercept:"; cat out.txt; }

# 3. The dump read back: the same settings and the same model, from
# another directory.
check 0 "" config --dump run lasso --data d.svm "$@" --out dump.model
cp out.txt sub/dump.conf
(cd sub && "$strads" config --dump run --config dump.conf) >redump.conf 2>&1 ||
	bad "the dump was refused: $(cat redump.conf)"
cmp -s sub/dump.conf redump.conf || { bad "a dump read back dumps differently:"; diff sub/dump.conf redump.conf; }
(cd sub && "$strads" run --config dump.conf) >/dev/null 2>&1 || bad "the dump did not run"
[ -f dump.model ] && coefs dump.model | cmp -s - file.model.coefs ||
	bad "the dump's run gave another model"
grep -q "^data = $(pwd)/d.svm\$" sub/dump.conf || { bad "the dump's data is not absolute:"; cat sub/dump.conf; }

# 4. Every option an app's --help lists is a key, for every app of the
# registry (strads run --help): a file of all of them (values that need
# not make sense together: the keys are read before the options are
# checked) has no unknown key.
apps=$("$strads" run --help | awk '$0 == "apps:" { on = 1; next } on && /^  [a-z]/ { print $1 }')
[ -n "$apps" ] || bad "strads run --help lists no apps"
for app in $apps; do
	n=$((n + 1))
	"$strads" run "$app" --help >help.txt
	printf 'app = %s\n' "$app" >k.conf
	sed -n 's/^  --\([A-Za-z0-9-]*\) [A-Z][A-Z_]*\( .*\)\{0,1\}$/\1 = 1/p
	    s/^  --\([A-Za-z0-9-]*\)\( [^A-Z].*\)\{0,1\}$/\1 = true/p' help.txt |
	    grep -v -E '^(config|help) ' >>k.conf
	keys=$(($(wc -l <k.conf) - 1))
	[ "$keys" -ge 10 ] || { bad "$app: only $keys keys found in its --help"; continue; }
	"$strads" config --dump run --config k.conf >/dev/null 2>k.err
	if grep -q "unknown key" k.err; then
		bad "$app: an option of --help is refused as a key: $(cat k.err)"
	fi
	# and the check can fail: a key --help does not list is refused
	printf 'no-such-option = 1\n' >>k.conf
	"$strads" config --dump run --config k.conf >/dev/null 2>k.err
	grep -q "k.conf:$((keys + 2)): unknown key 'no-such-option'" k.err ||
		bad "$app: an unknown key was not refused: $(cat k.err)"
done

# 5. One file for a cluster: the top part for both, a section each.
cat >c.conf <<'CONF'
heartbeat = 0.5
[coordinator]
listen = tcp://127.0.0.1:0
app = lasso
data = d.svm
[node]
join = tcp://127.0.0.1:9
threads = 2
[run]
CONF
check 0 "" config --dump coordinator --config c.conf
grep -q '^heartbeat = 0.5$' out.txt && grep -q '^app = lasso$' out.txt &&
    ! grep -q '^join' out.txt || { bad "coordinator's settings:"; cat out.txt; }
check 0 "" config --dump node --config c.conf --threads 3
grep -q '^heartbeat = 0.5$' out.txt && grep -q '^threads = 3$' out.txt &&
    ! grep -q '^threads = 2' out.txt && ! grep -q '^app' out.txt ||
	{ bad "node's settings:"; cat out.txt; }
printf 'threads = 4\n[node]\nthreads = 2\njoin = tcp://127.0.0.1:9\n' >s.conf
check 0 "" config --dump node --config s.conf
grep -q '^threads = 2$' out.txt || bad "a section's key did not replace the top's"

# 6. Quoted values keep their blanks and read back the same.
printf 'app = lasso\ndata = d.csv\ntarget = " y \\"q\\" "\n' >q.conf
check 0 "" config --dump run --config q.conf
grep -qF 'target = " y \"q\" "' out.txt || { bad "a quoted value:"; cat out.txt; }
cp out.txt q2.conf
check 0 "" config --dump run --config q2.conf
grep -qF 'target = " y \"q\" "' out.txt || { bad "a quoted value read back:"; cat out.txt; }

# A UTF-8 byte order mark before the first key is no part of it.
printf '\357\273\277app = lasso\ndata = d.svm\n' >bom.conf
check 0 "" config --dump run --config bom.conf
grep -q '^app = lasso$' out.txt || { bad "a file with a byte order mark:"; cat out.txt; }

# 6b. The JSON form: the same run as the KEY = VALUE file; sections are
# objects; numbers keep the digits written; the dump of either reads back.
mkdir -p sub2
cat >sub2/a.json <<'CONF'
{
  "app": "lasso",
  "data": "../d.svm",
  "threads": 1,
  "schedule": "cyclic",
  "lambda-ratio": 0.2,
  "tol": 1e-8,
  "quiet": true,
  "intercept": false,
  "out": "../json.model",
  "node": { "join": "tcp://127.0.0.1:9", "threads": 2 }
}
CONF
check 0 "" run --config sub2/a.json
[ -f json.model ] && coefs json.model | cmp -s - file.model.coefs ||
	bad "the JSON file's run differs from the command line's"
check 0 "" config --dump run --config sub2/a.json
grep -q '^lambda-ratio = 0.2$' out.txt && grep -q '^tol = 1e-8$' out.txt &&
    ! grep -q '^intercept' out.txt && ! grep -q '^join' out.txt ||
	{ bad "the JSON file's settings:"; cat out.txt; }
cat >c.json <<'CONF'
{ "heartbeat": 0.5,
  "coordinator": { "listen": "tcp://127.0.0.1:0", "app": "lasso", "data": "d.svm" },
  "node": { "join": "tcp://127.0.0.1:9", "threads": 2 } }
CONF
check 0 "" config --dump node --config c.json
grep -q '^heartbeat = 0.5$' out.txt && grep -q '^threads = 2$' out.txt &&
    grep -q '^join = tcp://127.0.0.1:9$' out.txt && ! grep -q '^app' out.txt ||
	{ bad "the JSON file's node section:"; cat out.txt; }
check 0 "" config --dump coordinator --config c.json
grep -q '^app = lasso$' out.txt && ! grep -q '^join' out.txt ||
	{ bad "the JSON file's coordinator section:"; cat out.txt; }
printf '\357\273\277\n  {"app": "lasso", "data": "d.svm", "target": " y \\"q\\" "}' >q.json
check 0 "" config --dump run --config q.json
grep -qF 'target = " y \"q\" "' out.txt || { bad "a JSON string:"; cat out.txt; }

# 7. Bad files: exit 2, naming the file and line.
bad_file() { # MESSAGE, then the file's lines on stdin
	cat >e.conf
	check 2 "$1" run --config e.conf
}
printf 'app = lasso\ndata = d.svm\nlambda = -1\n' | bad_file "e.conf:3: --lambda: expected a number >= 0, got '-1'"
printf 'app = lasso\ndata = d.svm\n\nlamda = 1\n' | bad_file "e.conf:4: unknown key 'lamda'"
printf 'app = lasso\ndata = d.svm\nquiet = yes\n' | bad_file "e.conf:3: quiet: expected true or false"
printf 'app = lasso\nquiet\n' | bad_file "e.conf:2: expected KEY = VALUE"
printf 'app = lasso\n--tol = 1\n' | bad_file "e.conf:2: expected KEY = VALUE"
printf 'app = lasso\n[server]\n' | bad_file "e.conf:2: expected a section [run], [coordinator] or [node]"
printf 'app = lasso\ntol = 1\ntol = 2\n' | bad_file "e.conf:3: tol is set twice (first on line 2)"
printf 'app = lasso\nout =\n' | bad_file "e.conf:2: out: expected a value"
printf 'app = lasso\nconfig = x.conf\n' | bad_file "e.conf:2: config: a file cannot name another"
printf 'app = lasso\nout = "open\n' | bad_file "e.conf:2: out: a quoted value must end"
printf 'app = lasso\rdata = d.svm\r' | bad_file "e.conf:1: expected text lines (LF or CR LF ends), got a carriage return"
printf 'app = lasso\ndata = d.svm\000junk\n' | bad_file "e.conf:2: expected text lines (LF or CR LF ends), got a NUL byte"
printf 'data = d.svm\n' | bad_file "no app: give it first (strads run APP) or as 'app = APP' in e.conf"
printf 'app = lasso\ndata = d.svm\nschedule = bogus\n' | bad_file "options read from e.conf: data (line 2), schedule (line 3)"
bad_json() { # MESSAGE, then the file on stdin
	cat >e.json
	check 2 "$1" run --config e.json
}
printf '{\n "app": "lasso",\n "data": "d.svm",\n "lambda": -1\n}\n' | bad_json "e.json:4: --lambda: expected a number >= 0, got '-1'"
printf '{\n "app": "lasso",\n "lamda": 1\n}\n' | bad_json "e.json:3: unknown key 'lamda'"
printf '{\n "app": "lasso",\n "tol": [1]\n}\n' | bad_json "e.json:3: tol: expected a string, number, true or false, got an array"
printf '{\n "app": "lasso",\n "tol": null\n}\n' | bad_json "e.json:3: tol: expected a string, number, true or false, got null"
printf '{\n "app": "lasso",\n "data": {"x": 1}\n}\n' | bad_json "e.json:3: data: expected a string, number, true or false, got an object"
printf '{\n "app": "lasso",\n "run": {"x": {}}\n}\n' | bad_json "e.json:3: x: expected a string, number, true or false, got an object (sections do not nest)"
printf '{\n "app": "lasso",\n "quiet": 1\n}\n' | bad_json "e.json:3: quiet: expected true or false"
printf '{\n "app": "lasso",\n "tol": 1,\n "tol": 2\n}\n' | bad_json "e.json:4: tol is set twice (first on line 3)"
printf '{\n "app": "lasso",\n "tol": 1,\n}\n' | bad_json "e.json:4: expected a JSON object of options"
printf '{\n "app": "lasso"\n' | bad_json "expected a JSON object of options (strads.conf(5)), and the JSON is malformed"
printf '{"app": "lasso", "data": "d.svm\000"}' | bad_json "e.json:1: expected JSON text, got a NUL byte"
printf '{"app": "lasso",\n "out": "m\\u0000.model"}' | bad_json "e.json:2: out: expected a string of printable characters on one line"
printf '{"app": "lasso",\n "data": "x\ny"}' | bad_json "e.json:2: data: expected a string of printable characters on one line"
printf '{"app": "lasso"}\n{"tol": 5}\n' | bad_json "e.json:2: expected the end of the file after the JSON object"
mkfifo fifo.conf && check 2 "--config fifo.conf: expected a regular file" run lasso --config fifo.conf
printf 'app = lasso\ndata = d.svm\nlambda = 0.1\n' >e.conf
check 2 "--lambda sets the penalty" run --config e.conf --lambda-ratio 0.5
check 2 "--config nonexistent.conf: No such file or directory" run lasso --config nonexistent.conf
check 2 "--config given twice" run lasso --config e.conf --config e.conf
check 2 "e.conf:1: unknown key 'app'" node --config e.conf
check 2 "expected run, coordinator or node, got 'predict'" config --dump predict

[ $fail = 0 ] && echo "$n cases: files, overrides, dumps, every app's keys and bad lines as strads.conf(5) says"
exit $fail
