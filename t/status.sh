#!/bin/sh
# status.sh -- the HTTP status endpoint (--status ADDR) of strads run and
# strads coordinator, fetched with curl during a run: GET /status is
# JSON with the job, the app, the iteration (growing while the run
# goes), the app's values and the members with their updates; GET
# /metrics is Prometheus text that `promtool check metrics` accepts
# (when the prometheus package is installed); other paths are 404; a
# bad ADDR is a usage error before anything loads.
set -u

. "${top_srcdir:-.}/t/clitest.sh"
command -v curl >/dev/null 2>&1 || { echo "skip: no curl (package curl)"; exit 77; }
py=/usr/bin/python3
[ -x "$py" ] || py=

pids=""
cleanup() { for p in $pids; do kill "$p" 2>/dev/null; done; }
trap 'cleanup; rm -rf "$tmp"' EXIT

# wait_for FILE PATTERN SECONDS: FILE holds PATTERN (extended regex).
wait_for() {
	i=0
	while [ $i -lt $(($3 * 10)) ]; do
		grep -qE "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# status_url LOG: the base URL the process named on stderr.
status_url() { sed -n 's/.*status at \(http:[^ ]*\)\/status and .*/\1/p' "$1" | head -1; }

# json_get FILE KEY: a top-level number of the JSON in FILE.
json_get() { sed -n "s/^	\"$2\":	*\([-0-9.e+]*\),*\$/\1/p" "$1" | head -1; }

# json_ok FILE: the body is JSON (checked by Python when there is one).
json_ok() {
	[ -z "$py" ] && return 0
	"$py" -c 'import json, sys; json.load(open(sys.argv[1]))' "$1" 2>/dev/null
}

# prom_ok FILE WHAT: promtool accepts it (skipped without promtool).
prom_ok() {
	if command -v promtool >/dev/null 2>&1; then
		n=$((n + 1))
		promtool check metrics <"$1" >prom.out 2>&1 ||
			{ bad "$2: promtool check metrics:"; sed 's/^/    /' prom.out; }
	else
		echo "skip: /metrics not validated: no promtool (package prometheus)"
	fi
}

# Bad addresses: usage errors, before any data is read.
check 2 "--status: expected PORT or HOST:PORT (a port from 0 to 65535), got 'x:y'" \
	run lasso --data nonexistent.svm --status x:y
check 2 "--status: expected PORT or HOST:PORT" run lasso --data nonexistent.svm --status 70000
check 2 "--status: expected PORT or HOST:PORT" \
	coordinator --listen tcp://127.0.0.1:0 --app lasso --data nonexistent.svm --status :80

"$strads" gen lda --out c --docs 200 --words 300 --topics 4 >/dev/null 2>&1 ||
	{ echo "strads gen lda failed"; exit 99; }

# (1) strads run: a long LDA run (ended by SIGTERM once checked).
"$strads" run lda --data c.docword.txt --format uci --topics 4 --threads 2 \
    --iters 100000000 --out l.model --status 0 >run.out 2>run.err &
rp=$!
pids="$pids $rp"
n=$((n + 1))
if ! wait_for run.err 'status at http://127\.0\.0\.1:[0-9]+/status' 30; then
	bad "strads run --status 0 named no URL:"; head -3 run.err
else
	url=$(status_url run.err)
	# the first check, then a later one: the page follows the run
	it1=0
	i=0
	while [ $i -lt 300 ]; do
		curl -sf "$url/status" >s1.json && it1=$(json_get s1.json iteration)
		[ "${it1:-0}" -gt 0 ] 2>/dev/null && break
		sleep 0.1
		i=$((i + 1))
	done
	[ "${it1:-0}" -gt 0 ] 2>/dev/null || { bad "run: /status never showed an iteration:"; cat s1.json; }
	it2=$it1
	i=0
	while [ $i -lt 300 ] && [ "$it2" -le "$it1" ]; do
		sleep 0.1
		curl -sf "$url/status" >s2.json && it2=$(json_get s2.json iteration)
		i=$((i + 1))
	done
	[ "$it2" -gt "$it1" ] || bad "run: the iteration did not grow ($it1, then $it2)"
	json_ok s2.json || { bad "run: /status is not JSON:"; cat s2.json; }
	for k in '"command":	"run"' '"app":	"lda"' '"state":	"running"' '"job":	1' \
	    '"loglik_per_token":' '"eta_s":' '"members":	\[\]'; do
		grep -q "$k" s2.json || { bad "run: /status lacks $k:"; cat s2.json; break; }
	done
	# A port in use is an error at once, before the data is loaded.
	n=$((n + 1))
	port=${url##*:}
	"$strads" run lda --data c.docword.txt --format uci --topics 4 --threads 1 \
	    --iters 1 --out busy.model --status "127.0.0.1:$port" >busy.out 2>busy.err
	rc=$?
	[ $rc -eq 1 ] && grep -q "cannot serve HTTP there" busy.err &&
	    ! grep -q "^loaded" busy.err ||
	    { bad "run --status on a port in use: exit $rc, expected 1 before loading:"; cat busy.err; }
	curl -sf "$url/metrics" >m.txt || bad "run: GET /metrics failed"
	grep -qE '^strads_iteration [1-9][0-9]*$' m.txt &&
	    grep -q '^strads_info{command="run",app="lda"} 1$' m.txt &&
	    grep -qE '^strads_app_value\{name="loglik_per_token"\} -' m.txt ||
		{ bad "run: /metrics lacks its samples:"; head -20 m.txt; }
	prom_ok m.txt run
	code=$(curl -s -o /dev/null -w '%{http_code}' "$url/nothing")
	[ "$code" = 404 ] || bad "run: GET /nothing answered $code, not 404"
fi
kill -TERM "$rp" 2>/dev/null
i=0
while kill -0 "$rp" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
wait "$rp"
rc=$?
[ "$rc" = 130 ] || bad "run: exit $rc after SIGTERM, want 130"
[ -n "${url:-}" ] && curl -s "$url/status" >/dev/null 2>&1 && bad "run: still served after exit"

# (2) strads coordinator with two nodes: members, then their updates,
# bytes, roles, the epoch and the job's partitions.
printf 'status-test-secret-%s\n' "$$" >secret
chmod 600 secret
"$strads" gen lasso --out p.svm --n 2000 --p 4000 --nnz-per-row 20 --support 40 \
    >/dev/null 2>&1 || { echo "strads gen lasso failed"; exit 99; }
sock=ipc://$tmp/c.sock
"$strads" coordinator --listen "$sock" --app lasso --data p.svm --secret-file secret \
    --min-workers 2 --schedule cyclic --block 400 --tol 1e-300 --time-limit 8 --quiet \
    --out c.model --status 127.0.0.1:0 >coord.out 2>coord.err &
cp_=$!
pids="$pids $cp_"
n=$((n + 1))
if ! wait_for coord.err 'status at http://127\.0\.0\.1:[0-9]+/status' 30; then
	bad "coordinator --status named no URL:"; head -3 coord.err
else
	url=$(status_url coord.err)
	curl -sf "$url/status" >c0.json || bad "coordinator: GET /status failed before nodes joined"
	grep -q '"state":	"starting"' c0.json && grep -q '"members":	\[\]' c0.json ||
		{ bad "coordinator: before any node, /status says:"; cat c0.json; }
	for k in 1 2; do
		"$strads" node --join "$sock" --secret-file secret --threads 1 --quiet \
		    >"node$k.log" 2>&1 &
		pids="$pids $!"
	done
	# both members, each with updates of its own, during the job
	i=0
	ok=0
	# (the two pages fetched together, while the job goes)
	while [ $i -lt 400 ]; do
		if curl -sf "$url/status" >c1.json &&
		    [ "$(grep -cE '"updates":	[1-9]' c1.json)" -ge 3 ] &&
		    [ "$(grep -c '"workers":' c1.json)" = 2 ] &&
		    [ "$(grep -cE '"bytes":	[1-9]' c1.json)" -ge 3 ] &&
		    curl -sf "$url/metrics" >cm.txt &&
		    [ "$(grep -cE '^strads_node_updates_total\{node="[0-9]+"\} [1-9]' cm.txt)" = 2 ] &&
		    [ "$(grep -cE '^strads_node_transferred_bytes_total\{node="[0-9]+"\} [1-9]' cm.txt)" = 2 ]; then
			ok=1
			break
		fi
		sleep 0.1
		i=$((i + 1))
	done
	if [ $ok = 1 ]; then
		json_ok c1.json || { bad "coordinator: /status is not JSON:"; cat c1.json; }
		grep -q '"command":	"coordinator"' c1.json && grep -q '"gap":' c1.json ||
			{ bad "coordinator: /status lacks its command or the app's gap:"; cat c1.json; }
		grep -q '^strads_members 2$' cm.txt ||
			{ bad "coordinator: /metrics lacks the members:"; grep -E 'members|node' cm.txt; }
		# the view: its epoch (two joins: at least 2), the job's row
		# shards on both nodes and its parameter ranges
		grep -qE '"epoch":	([2-9]|[1-9][0-9]+),' c1.json &&
		    [ "$(grep -c '"kind":	"rows"' c1.json)" = 2 ] &&
		    grep -q '"kind":	"params"' c1.json &&
		    grep -qE '"roles":	\["worker"' c1.json ||
			{ bad "coordinator: /status lacks the epoch, partitions or roles:"; cat c1.json; }
		grep -qE '^strads_epoch ([2-9]|[1-9][0-9]+)$' cm.txt &&
		    grep -qE '^strads_partitions [3-9]' cm.txt ||
			{ bad "coordinator: /metrics lacks the epoch or partitions:"; grep -E 'epoch|partitions' cm.txt; }
		prom_ok cm.txt coordinator
	else
		bad "coordinator: /status and /metrics never showed 2 members with updates:"
		cat c1.json
		grep -E 'members|node' cm.txt
	fi
fi
i=0
while kill -0 "$cp_" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
wait "$cp_"
rc=$?
[ "$rc" = 0 ] || { bad "coordinator: exit $rc"; tail -3 coord.err; }

[ $fail = 0 ] && echo "$n cases: /status and /metrics of a run and of a coordinator with two nodes"
exit $fail
