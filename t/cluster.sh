#!/bin/sh
# Multi-process mode on loopback: a coordinator and nodes as separate
# strads processes (doc/cluster.md).
#  (a) one coordinator and three nodes reach the single-process objective
#      within 1e-6 relative;
#  (p) --path 3 over two nodes gives strads run --path's objectives;
#  (e) a node with a wrong secret is refused (exit 3 at the node; logged
#      by the coordinator at most once a second with a count of the rest,
#      though it sends a hello every 5 ms), as are a hello whose worker
#      count was edited (the proof covers it) and one whose URL would forge
#      a log line (dropped, never logged); the run is unaffected;
#  (i) a coordinator or store that cannot set itself up, or the
#      coordinator's start message that cannot be made (test hook
#      STRADS_TEST_FAIL_INIT) ends the job with an error (coordinator
#      exit 1) instead of leaving it waiting;
#  (t) (a) over tls+tcp:// with certificates (when openssl is there);
#  (b) a node killed with SIGKILL at about 30 % of the run: the job goes on
#      over the others from the last snapshot, ends at the undisturbed
#      objective, and every layout puts each data row in exactly one shard
#      on a live node;
#  (q) a path of three penalties, one job of stages, with a node killed
#      (SIGKILL) in the second: the job is laid out again within the
#      stage and goes on in stages; every penalty's model at strads run
#      --path's objective;
#  (c) a node that joins at about 50 % is given work (updates_by_node);
#  (d) a node asked to leave (SIGTERM) is let go once the job runs without
#      it, exits 0, and the run ends at the same objective;
#  (r) a node stopped past the member timeout is dropped, and joins again
#      with the same id once continued;
#  (f) the coordinator killed and resumed from its checkpoint goes on from
#      the checkpointed round, not from zero; its nodes waited for it;
#  (h) the rotation test app (t/rotapp.c, run by t/helper_rotapp) across
#      processes: its counters still add up at the end; the bytes the
#      nodes sent are those of the parts handed over (not the whole table
#      to every worker each round); a node SIGKILLed while the rotation
#      holds (at check 2) makes the job go on over the others from the
#      last snapshot (worker and rotate tables too: the parts it held come
#      back from it, the rounds since are redone) and the counters add up;
#  (k) the rotation test app's coordinator killed (SIGKILL) while it holds
#      after check 2, with a checkpoint of its worker and rotate tables on
#      disk: a new one resumed from it (the nodes waited) goes on from the
#      checkpoint's tables and sweep, the counters add up, and the tables
#      at the end are those of the undisturbed run of (h) (across
#      processes the rotation is deterministic: the cut stays, each part's
#      holders follow the ring); the same checkpoint with a table the app
#      does not declare is refused, naming its manifest.
#  (s) the rotation test app with its ssp table (ROTAPP_SSP=1: staleness
#      1), whose shards the coordinator makes and both nodes' workers
#      share: at the end each column's counts plus the ssp table's net
#      moves of it are what the column started with, and the ssp rows add
#      up to the worker tables (the single-process invariant of
#      check_homes); no worker read a value that is not a sum of moves. A
#      node SIGKILLed at check 2: the job is laid out again from the last
#      snapshot, the ssp table with it (a table started from zeros, or
#      one that kept the increments of the rounds redone, breaks the
#      invariant), and the invariant holds. The coordinator SIGKILLed at
#      check 2 with a checkpoint on disk: resumed from it, its three
#      tables (ssp included) come back and the tables at the end, the ssp
#      rows included, are those of the undisturbed run.
#  (g) the straggler rule across processes: the rotation test app with
#      exact moves (ROTAPP_STRAGGLER=1, reshard_any_node) over two nodes
#      of one worker, busy work a data row; one node four times slower
#      (ROTAPP_SLOW=4). Between sweeps its shard shrinks (from half the
#      data rows to fewer than the other node's), its rows of the worker
#      table travelling to the other node, and the tables at the end are
#      those of the same run with no slow node.
# Every wait is on a condition with a deadline, never a fixed sleep.
# CLUSTER_ONLY=bf (say) runs only those scenarios, to chase a flake.
set -u

# How long a silent member stays one (--member-timeout): 1 s, or what
# STRADS_TEST_MEMBER_TIMEOUT says (the sanitizer build's tests set 3: a
# process there can stall past 1 s on a loaded machine, and a member
# dropped for it makes the run lay the job out again).
mt=${STRADS_TEST_MEMBER_TIMEOUT:-1}

top_builddir=${top_builddir:-.}
S=$top_builddir/strads
tmp=$(mktemp -d "${TMPDIR:-/tmp}/strads-cluster.XXXXXX")
pids=""
fail=0

cleanup() {
	for p in $pids; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

say() { printf '%s\n' "$*"; }
bad() { say "FAIL: $*"; fail=1; }

# wait_for FILE PATTERN SECONDS: until FILE holds PATTERN.
wait_for() {
	end=$(( $(date +%s) + $3 ))
	while ! grep -q -- "$2" "$1" 2>/dev/null; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.05
	done
	return 0
}

# wait_pid PID SECONDS: the exit status of PID, or 124 after SECONDS
# (then it is killed).
wait_pid() {
	end=$(( $(date +%s) + $2 ))
	while kill -0 "$1" 2>/dev/null; do
		if [ "$(date +%s)" -ge "$end" ]; then
			kill -9 "$1" 2>/dev/null
			wait "$1" 2>/dev/null
			return 124
		fi
		sleep 0.05
	done
	wait "$1"
}

want() { case ${CLUSTER_ONLY:-apeitbqcdrfhksg} in *"$1"*) return 0 ;; esac; return 1; }

objective() { sed -n 's/^# objective //p' "$1"; }

# ends_ok L COORD NODE...: the coordinator and then its nodes exit 0
# (scenario L's failure otherwise).
ends_ok() {
	l=$1
	wait_pid "$2" 120; rc=$?
	[ $rc -eq 0 ] || bad "($l) coordinator exit $rc"
	shift 2
	for p in "$@"; do
		wait_pid "$p" 30; r=$?
		[ $r -eq 0 ] || bad "($l) node exit $r"
	done
}

# obj_ok L MODEL REF MESSAGE: "ok (L): MESSAGE; objective ..." when
# MODEL's objective is within 1e-6 relative of REF, a failure otherwise.
obj_ok() {
	obj=$(objective "$2" 2>/dev/null)
	if close "$obj" "$3"; then
		say "ok ($1): $4; objective $obj"
	else
		bad "($1) objective '$obj' vs '$3'"
	fi
}

# close A B: |A - B| <= 1e-6 |B|
close() {
	awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d;
	    m = b < 0 ? -b : b; exit !(a != "" && b != "" && d <= 1e-6 * m) }'
}

printf 'cluster-test-secret-%s\n' "$$" > "$tmp/secret"
printf 'not-the-secret\n' > "$tmp/wrong"
chmod 600 "$tmp/secret" "$tmp/wrong"
data=$tmp/p.svm
"$S" gen lasso --out "$data" --n 4000 --p 10000 --nnz-per-row 30 --support 40 \
    --seed 7 2>/dev/null || { say "FAIL: gen"; exit 1; }
common="--data $data --lambda-ratio 0.05 --tol 1e-8 --quiet"

"$S" run lasso $common --out "$tmp/run.model" || { say "FAIL: strads run"; exit 1; }
ref=$(objective "$tmp/run.model")
say "single process: objective $ref"

# node NAME [options]: starts a node in the background, pid in $last.
node() {
	name=$1
	shift
	env ${role_env:-STRADS_TEST_NONE=} "$S" node --threads 1 --heartbeat 0.1 --member-timeout $mt "$@" \
	    >"$tmp/$name.log" 2>&1 &
	last=$!
	pids="$pids $last"
}

coordinator() {
	name=$1
	shift
	env ${role_env:-STRADS_TEST_NONE=} "$S" coordinator --heartbeat 0.1 --member-timeout $mt --secret-file "$tmp/secret" \
	    "$@" >"$tmp/$name.log" 2>&1 &
	last=$!
	pids="$pids $last"
}

# (a) one coordinator, three nodes.
if want a; then
	url=ipc://$tmp/a.sock
	coordinator coord-a --listen "$url" --app lasso $common --min-workers 3 \
	    --out "$tmp/a.model"
	ca=$last
	node a1 --join "$url" --secret-file "$tmp/secret"; n1=$last
	node a2 --join "$url" --secret-file "$tmp/secret"; n2=$last
	node a3 --join "$url" --secret-file "$tmp/secret"; n3=$last
	ends_ok a "$ca" $n1 $n2 $n3
	obj_ok a "$tmp/a.model" "$ref" "3 nodes (single process: $ref)"
fi

# (p) a path of three penalties, run as one job of stages (one layout):
# each model at strads run --path's objective within 1e-6 relative.
if want p; then
	before=$fail
	fail=0
	pcommon="--data $data --path 3 --min-ratio 0.05 --tol 1e-8 --quiet"
	"$S" run lasso $pcommon --out "$tmp/prun.model" || bad "(p) strads run --path"
	url=ipc://$tmp/p.sock
	role_env=STRADS_LOG=info
	coordinator coord-p --listen "$url" --app lasso $pcommon --min-workers 2 \
	    --out "$tmp/p.model"
	cp_=$last
	role_env=""
	node p1 --join "$url" --secret-file "$tmp/secret"; n1=$last
	node p2 --join "$url" --secret-file "$tmp/secret"; n2=$last
	ends_ok p "$cp_" $n1 $n2
	objs=""
	for k in 1 2 3; do
		want_=$(objective "$tmp/prun.model.$k" 2>/dev/null)
		got=$(objective "$tmp/p.model.$k" 2>/dev/null)
		close "$got" "$want_" || bad "(p) penalty $k: objective '$got' vs '$want_'"
		objs="$objs $got"
	done
	# the path's table: a header and the three penalties, each with its
	# model's objective
	[ "$(wc -l <"$tmp/p.model.path" 2>/dev/null)" = 4 ] &&
	    [ "$(awk -F '\t' 'NR == 4 { print $2 }' "$tmp/p.model.path")" = "$(objective "$tmp/p.model.3")" ] ||
		bad "(p) the path's table: $(cat "$tmp/p.model.path" 2>&1)"
	# one job of stages: its second and third penalties stages of it
	# (a job per penalty made three layouts and logs no stage); one
	# layout, but for a member dropped on a loaded machine (each
	# such layout says the view changed)
	nj=$(sed -n 's/.*cluster: job \([0-9]*\) epoch.*/\1/p' "$tmp/coord-p.log" | sort -u | wc -l)
	nv=$(grep -c "the view changed: laying the job out again" "$tmp/coord-p.log")
	[ "$nj" -le $((nv + 1)) ] && grep -q "cluster: job [0-9]* epoch [0-9]*: stage 2$" "$tmp/coord-p.log" ||
	    bad "(p) not one job of stages ($nj layouts, $nv changes of view)"
	[ $fail -eq 0 ] && say "ok (p): a path of 3 penalties over 2 nodes, one job of stages, objectives$objs"
	fail=$((fail | before))
fi

# (e) a wrong secret: refused before the good nodes join, run unaffected.
if want e; then
	url=ipc://$tmp/e.sock
	coordinator coord-e --listen "$url" --app lasso $common --min-workers 2 \
	    --out "$tmp/e.model"
	ce=$last
	# The wrong secret, a hello every 5 ms (test hook): refusals are
	# logged at most once a second, with a count of the others.
	export STRADS_TEST_HELLO_EVERY_MS=5
	node wrong --join "$url" --secret-file "$tmp/wrong" --wait 3; nw=$last
	unset STRADS_TEST_HELLO_EVERY_MS
	# A hello whose URL would forge a log line: dropped, never logged.
	STRADS_TEST_HELLO_URL=$(printf 'tcp://127.0.0.1:9\nstrads: warning: FORGED line')
	export STRADS_TEST_HELLO_URL
	node forger --join "$url" --secret-file "$tmp/wrong" --wait 3; nf=$last
	unset STRADS_TEST_HELLO_URL
	# The right secret, but a hello edited to 4096 workers (a captured
	# hello changed on the way): its proof no longer holds.
	export STRADS_TEST_HELLO_WORKERS=4096
	node edited --join "$url" --secret-file "$tmp/secret" --wait 3; ned=$last
	unset STRADS_TEST_HELLO_WORKERS
	wait_for "$tmp/coord-e.log" "wrong cluster secret" 30 ||
	    bad "(e) the coordinator did not report the wrong secret"
	if grep -q "not-the-secret" "$tmp/coord-e.log" "$tmp/wrong.log"; then
		bad "(e) a secret was echoed in a log"
	fi
	wait_pid "$nw" 30; r=$?
	[ $r -eq 3 ] || bad "(e) the wrong-secret node exited $r, want 3"
	wait_pid "$nf" 30
	wait_pid "$ned" 30; red=$?
	[ $red -ne 0 ] || bad "(e) the node with an edited hello joined (exit 0)"
	node e1 --join "$url" --secret-file "$tmp/secret"; n1=$last
	node e2 --join "$url" --secret-file "$tmp/secret"; n2=$last
	ends_ok e "$ce" $n1 $n2
	grep -q "FORGED" "$tmp/coord-e.log" && bad "(e) a hello's URL forged a log line"
	nref=$(grep -c "wrong cluster secret" "$tmp/coord-e.log")
	[ "$nref" -le 12 ] || bad "(e) $nref refusal lines for about 600 hellos in 3 s"
	grep -q "more refused hellos not logged" "$tmp/coord-e.log" ||
	    bad "(e) no count of the refusals not logged"
	obj_ok e "$tmp/e.model" "$ref" "wrong secret refused (node exit 3), $nref refusal lines logged, an edited hello refused (exit $red), a forging URL dropped"
fi

# (i) a role that cannot set itself up (the test hook
# STRADS_TEST_FAIL_INIT) ends the job with an error instead of leaving it
# waiting: the coordinator's own role, then the nodes' stores; and
# (start) the coordinator's start message that cannot be made.
if want i; then
	for kind in coordinator store start; do
		url=ipc://$tmp/i-$kind.sock
		if [ $kind != store ]; then
			role_env=STRADS_TEST_FAIL_INIT=$kind
			coordinator coord-i-$kind \
			    --listen "$url" --app lasso $common --min-workers 2 \
			    --checkpoint-every 0 --out "$tmp/i.model"
			ci=$last
			role_env=
			node i1-$kind --join "$url" --secret-file "$tmp/secret"; n1=$last
			node i2-$kind --join "$url" --secret-file "$tmp/secret"; n2=$last
		else
			coordinator coord-i-$kind --listen "$url" --app lasso $common \
			    --min-workers 2 --checkpoint-every 0 --out "$tmp/i.model"
			ci=$last
			role_env=STRADS_TEST_FAIL_INIT=$kind
			node i1-$kind --join "$url" --secret-file "$tmp/secret"; n1=$last
			node i2-$kind --join "$url" --secret-file "$tmp/secret"; n2=$last
			role_env=
		fi
		wait_pid "$ci" 60; rc=$?
		[ $rc -eq 1 ] || bad "(i) $kind: coordinator exit $rc, want 1"
		grep -q "the job failed" "$tmp/coord-i-$kind.log" ||
		    bad "(i) $kind: the coordinator did not report the failed job"
		if [ $kind = start ]; then
			grep -q "failed: spawning roles here: out of memory" "$tmp/coord-i-$kind.log" ||
			    bad "(i) $kind: the coordinator did not report its lost start"
		else
			grep -q "$kind [0-9]*: cannot set up" "$tmp"/*i*-$kind.log ||
			    bad "(i) $kind: no role reported it could not set up"
		fi
		for p in $n1 $n2; do
			wait_pid "$p" 30; r=$?
			[ $r -ne 124 ] || bad "(i) $kind: a node did not exit"
		done
	done
	[ $fail -eq 0 ] && say "ok (i): a coordinator or store that cannot set up, or a lost start, ends the job (coordinator exit 1)"
fi

# (t) the same over tls+tcp:// (certificate from openssl, when present).
if want t; then
	if command -v openssl >/dev/null 2>&1 &&
	    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" \
	        -out "$tmp/cert.pem" -days 2 -subj /CN=localhost \
	        -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" >/dev/null 2>&1; then
		tls="--tls-cert $tmp/cert.pem --tls-key $tmp/key.pem --tls-ca $tmp/cert.pem"
		STRADS_LOG=info "$S" coordinator --secret-file "$tmp/secret" \
		    --listen tls+tcp://127.0.0.1:0 $tls --app lasso $common --min-workers 2 \
		    --out "$tmp/t.model" >"$tmp/coord-t.log" 2>&1 &
		ct=$!
		pids="$pids $ct"
		if wait_for "$tmp/coord-t.log" "listening on tls" 30; then
			turl=$(sed -n 's/.*listening on \(tls+tcp:[^ ]*\).*/\1/p' "$tmp/coord-t.log")
			node t1 --join "$turl" --listen tls+tcp://127.0.0.1:0 $tls --secret-file "$tmp/secret"
			n1=$last
			node t2 --join "$turl" --listen tls+tcp://127.0.0.1:0 $tls --secret-file "$tmp/secret"
			n2=$last
			ends_ok t "$ct" $n1 $n2
			obj_ok t "$tmp/t.model" "$ref" "over tls+tcp://"
		else
			bad "(t) the coordinator did not listen on tls+tcp://"
		fi
	else
		say "skip: (t) no openssl to make a certificate (package openssl)"
	fi
fi

# The fault runs: a problem that takes seconds over processes (about ten
# checks); each fault lands while the coordinator holds after a given
# check (STRADS_TEST_HOLD_AT, a test hook), so timing decides nothing.
slow="--data $data --lambda-ratio 0.05 --tol 1e-8 --schedule cyclic --block 16 --quiet"
"$S" run lasso $slow --out "$tmp/slow.model" || { say "FAIL: strads run (slow)"; exit 1; }
sref=$(objective "$tmp/slow.model")
nrows=4000

node_id() { sed -n 's/^node \([0-9]*\): listening.*/\1/p' "$1"; }

# layouts LOG DEAD: every job's shards cover rows [0, nrows) exactly once,
# in order, and after the first the dead node hosts none.
layouts_ok() {
	awk -v n="$nrows" -v dead="$2" '
	/cluster: job [0-9]+ epoch [0-9]+: shard/ {
		job = $5
		lo = $0; sub(/.*rows \[/, "", lo); sub(/,.*/, "", lo)
		hi = $0; sub(/.*, /, "", hi); sub(/\).*/, "", hi)
		node = $NF
		if (!(job in next_row)) { next_row[job] = 0; jobs[++nj] = job }
		if (lo + 0 != next_row[job]) bad = 1
		next_row[job] = hi + 0
		if (dead != "" && node == dead && nj > 1) bad = 1
	}
	END {
		if (nj < 2) bad = 1
		for (i = 1; i <= nj; i++) if (next_row[jobs[i]] != n) bad = 1
		exit bad
	}' "$1"
}

# moves_ok LOG: from each layout to the next, the rows that changed owner
# are at most those of the nodes gone plus those the new nodes hold (the
# re-layout moves as little as possible); prints "moved gone fresh" of
# the last change.
moves_ok() {
	awk '
	/cluster: job [0-9]+ epoch [0-9]+: shard/ {
		job = $5
		lo = $0; sub(/.*rows \[/, "", lo); sub(/,.*/, "", lo)
		hi = $0; sub(/.*, /, "", hi); sub(/\).*/, "", hi)
		if (!(job in cnt)) { jobs[++nj] = job; cnt[job] = 0 }
		k = ++cnt[job]
		L[job, k] = lo + 0; H[job, k] = hi + 0; N[job, k] = $NF
	}
	END {
		bad = (nj < 2)
		for (t = 2; t <= nj; t++) {
			a = jobs[t - 1]; b = jobs[t]; moved = 0; gone = 0; fresh = 0
			for (i = 1; i <= cnt[a]; i++) {
				kept = 0; there = 0
				for (j = 1; j <= cnt[b]; j++) {
					if (N[b, j] != N[a, i]) continue
					there = 1
					x = L[a, i] > L[b, j] ? L[a, i] : L[b, j]
					y = H[a, i] < H[b, j] ? H[a, i] : H[b, j]
					if (y > x) kept += y - x
				}
				moved += H[a, i] - L[a, i] - kept
				if (!there) gone += H[a, i] - L[a, i]
			}
			for (j = 1; j <= cnt[b]; j++) {
				there = 0
				for (i = 1; i <= cnt[a]; i++) if (N[a, i] == N[b, j]) there = 1
				if (!there) fresh += H[b, j] - L[b, j]
			}
			if (moved > gone + fresh) bad = 1
		}
		print moved, gone, fresh
		exit bad
	}' "$1"
}

# coord_fault NAME K [options]: a coordinator that holds after its Kth
# check (test hook) until the view changes: the fault lands there.
coord_fault() {
	name=$1
	hold=$2
	shift 2
	STRADS_TEST_HOLD_AT=$hold STRADS_LOG=info "$S" coordinator --heartbeat 0.1 --member-timeout $mt \
	    --secret-file "$tmp/secret" --app lasso $slow "$@" \
	    >"$tmp/$name.log" 2>&1 &
	last=$!
	pids="$pids $last"
}

# (b) a node (worker, store, scheduler) killed at about 30 %: the job
# goes on from the last snapshot over the others, same objective.
if want b; then
	url=ipc://$tmp/b.sock
	coord_fault coord-b 3 --listen "$url" --min-workers 3 --snapshot-every 0.2 \
	    --metrics "$tmp/b.json" --out "$tmp/b.model"
	cb=$last
	node b1 --join "$url" --secret-file "$tmp/secret"; n1=$last
	node b2 --join "$url" --secret-file "$tmp/secret"; n2=$last
	node b3 --join "$url" --secret-file "$tmp/secret"; n3=$last
	if wait_for "$tmp/coord-b.log" "holding after check 3" 120; then
		dead=$(node_id "$tmp/b3.log")
		kill -9 "$n3"
		ends_ok b "$cb" $n1 $n2
		grep -q "stopped answering" "$tmp/coord-b.log" || bad "(b) the loss was not logged"
		grep -q "again from round [1-9][0-9]* (the snapshot)" "$tmp/coord-b.log" ||
		    bad "(b) no roll-back to a snapshot"
		layouts_ok "$tmp/coord-b.log" "$dead" || bad "(b) a layout lost or doubled rows"
		mv=$(moves_ok "$tmp/coord-b.log") || bad "(b) the re-layout moved more than it must: $mv"
		obj_ok b "$tmp/b.model" "$sref" "node killed at check 3, the run went on (undisturbed: $sref); rows moved, lost, new: $mv"
	else
		bad "(b) the run never reached its third check"
	fi
fi

# (q) a path of three penalties over three nodes, one job of stages, one
# node killed (SIGKILL) once the second penalty's stage is set up: the path goes on
# over the other two, and every penalty's model is at strads run --path's
# objective (within 1e-6 relative, as (p)). The kill is made to land in
# the second penalty's job, which takes seconds (cyclic, --tol 1e-8);
# the log must show a penalty laid out again, else the test says the
# kill came late instead of passing.
if want q; then
	before=$fail
	fail=0
	qcommon="--data $data --path 3 --min-ratio 0.05 --tol 1e-8 --schedule cyclic --block 4 --quiet"
	"$S" run lasso $qcommon --out "$tmp/qrun.model" || bad "(q) strads run --path"
	url=ipc://$tmp/q.sock
	STRADS_LOG=info "$S" coordinator --heartbeat 0.1 --member-timeout $mt \
	    --secret-file "$tmp/secret" --app lasso $qcommon --listen "$url" \
	    --min-workers 3 --snapshot-every 0.2 --out "$tmp/q.model" \
	    >"$tmp/coord-q.log" 2>&1 &
	cq=$!
	pids="$pids $cq"
	node q1 --join "$url" --secret-file "$tmp/secret"; n1=$last
	node q2 --join "$url" --secret-file "$tmp/secret"; n2=$last
	node q3 --join "$url" --secret-file "$tmp/secret"; n3=$last
	if wait_for "$tmp/coord-q.log" "cluster: job [0-9]* epoch [0-9]*: stage 1$" 120; then
		kill -9 "$n3"
		ends_ok q "$cq" $n1 $n2
		# The path is one job of stages (only that logs stages): the
		# kill lays the job out again within the second penalty's
		# stage, and the third penalty is a stage of a later layout,
		# not a job of its own. (A member dropped on a loaded machine
		# may add layouts; each says the view changed.)
		s1=$(sed -n 's/.*cluster: job \([0-9]*\) epoch [0-9]*: stage 1$/\1/p' "$tmp/coord-q.log")
		s2=$(sed -n 's/.*cluster: job \([0-9]*\) epoch [0-9]*: stage 2$/\1/p' "$tmp/coord-q.log")
		nj=$(sed -n 's/.*cluster: job \([0-9]*\) epoch.*/\1/p' "$tmp/coord-q.log" | sort -u | wc -l)
		grep -q "the view changed: laying the job out again" "$tmp/coord-q.log" &&
		    [ "$nj" -ge 2 ] || bad "(q) the kill did not land in the path's job ($nj layouts)"
		[ -n "$s1" ] && [ -n "$s2" ] && [ "$s2" -gt "$s1" ] ||
		    bad "(q) the third penalty was not a stage of a later layout (stage 1 in job '$s1', stage 2 in job '$s2')"
		objs=""
		for k in 1 2 3; do
			want_=$(objective "$tmp/qrun.model.$k" 2>/dev/null)
			got=$(objective "$tmp/q.model.$k" 2>/dev/null)
			close "$got" "$want_" || bad "(q) penalty $k: objective '$got' vs '$want_'"
			objs="$objs $got"
		done
		[ $fail -eq 0 ] && say "ok (q): a path of 3 penalties, a node killed in the second ($nj layouts): objectives$objs"
	else
		bad "(q) the path never reached its second penalty"
	fi
	fail=$((fail | before))
fi

# (c) a node joins at about 50 %: it is given work (updates_by_node).
if want c; then
	url=ipc://$tmp/c.sock
	coord_fault coord-c 5 --listen "$url" --min-workers 2 --metrics "$tmp/c.json" \
	    --out "$tmp/c.model"
	cc=$last
	node c1 --join "$url" --secret-file "$tmp/secret"; n1=$last
	node c2 --join "$url" --secret-file "$tmp/secret"; n2=$last
	if wait_for "$tmp/coord-c.log" "holding after check 5" 120; then
		node c3 --join "$url" --secret-file "$tmp/secret"; n3=$last
		ends_ok c "$cc" $n1 $n2 $n3
		joined=$(node_id "$tmp/c3.log")
		mv=$(moves_ok "$tmp/coord-c.log") || bad "(c) the re-layout moved more than it must: $mv"
		# The last check's record (the end record after it has no counts).
		last_check=$(grep -v '"end": true' "$tmp/c.json" | tail -n 1)
		got=$(printf '%s\n' "$last_check" | sed -n "s/.*\"$joined\": \([0-9]*\).*/\1/p")
		[ -n "$joined" ] && [ "${got:-0}" -gt 0 ] ||
		    bad "(c) the joined node $joined shows no updates: $last_check"
		obj_ok c "$tmp/c.model" "$sref" "node $joined joined at check 5 and did $got updates; rows moved, lost, new: $mv"
	else
		bad "(c) the run never reached its fifth check"
	fi
fi

# (d) graceful leave (SIGTERM) at about 30 %: handed over, exits 0.
if want d; then
	url=ipc://$tmp/d.sock
	coord_fault coord-d 3 --listen "$url" --min-workers 3 --metrics "$tmp/d.json" \
	    --out "$tmp/d.model"
	cd_=$last
	node d1 --join "$url" --secret-file "$tmp/secret"; n1=$last
	node d2 --join "$url" --secret-file "$tmp/secret"; n2=$last
	node d3 --join "$url" --secret-file "$tmp/secret"; n3=$last
	if wait_for "$tmp/coord-d.log" "holding after check 3" 120; then
		kill -TERM "$n3"
		wait_pid "$n3" 60; r=$?
		[ $r -eq 0 ] || bad "(d) the leaving node exited $r"
		ends_ok d "$cd_" $n1 $n2
		grep -q "asks to leave" "$tmp/coord-d.log" || bad "(d) the leave was not logged"
		grep -q "again from round [1-9][0-9]* (the parameters gathered)" "$tmp/coord-d.log" ||
		    bad "(d) the job did not go on from the gathered parameters"
		obj_ok d "$tmp/d.model" "$sref" "node left at check 3 (exit 0)"
	else
		bad "(d) the run never reached its third check"
	fi
fi

# (r) a node stopped (SIGSTOP) past --member-timeout is dropped as lost;
# continued, it finds the coordinator silent, asks to join with the same
# id and is admitted again; the run ends at the same objective.
if want r; then
	url=ipc://$tmp/r.sock
	coord_fault coord-r 3 --listen "$url" --min-workers 3 --snapshot-every 0.2 \
	    --out "$tmp/r.model"
	cr=$last
	node r1 --join "$url" --secret-file "$tmp/secret"; n1=$last
	node r2 --join "$url" --secret-file "$tmp/secret"; n2=$last
	node r3 --join "$url" --secret-file "$tmp/secret" --roles worker; n3=$last
	if wait_for "$tmp/coord-r.log" "holding after check 3" 120; then
		kill -STOP "$n3"
		wait_for "$tmp/coord-r.log" "stopped answering" 30 ||
		    bad "(r) the stopped node was not dropped"
		kill -CONT "$n3"
		wait_for "$tmp/coord-r.log" "was a member before: joining again" 30 ||
		    bad "(r) the node did not join again"
		ends_ok r "$cr" $n1 $n2 $n3
		obj_ok r "$tmp/r.model" "$sref" "a node dropped while stopped joined again"
	else
		bad "(r) the run never reached its third check"
	fi
fi

# (f) the coordinator killed at check 5 and resumed from its checkpoint:
# the nodes wait for it, and it goes on from the checkpointed round.
if want f; then
	url=ipc://$tmp/f.sock
	fargs="--listen $url --min-workers 2 --checkpoint-dir $tmp/ckpt --checkpoint-every 0.2 \
	    --snapshot-every 0.2 --out $tmp/f.model"
	coord_fault coord-f 5 $fargs --metrics "$tmp/f.json"
	cf=$last
	node f1 --join "$url" --secret-file "$tmp/secret"; n1=$last
	node f2 --join "$url" --secret-file "$tmp/secret"; n2=$last
	if wait_for "$tmp/coord-f.log" "holding after check 5" 120 &&
	    wait_for "$tmp/coord-f.log" "checkpoint of round" 60; then
		kill -9 "$cf"
		wait "$cf" 2>/dev/null
		ck=$(sed -n 's/.*"round":[^"]*"\([0-9]*\)".*/\1/p' "$tmp/ckpt/MANIFEST")
		coord_fault coord-f2 0 $fargs --metrics "$tmp/f2.json" --resume "$tmp/ckpt"
		cf2=$last
		ends_ok f "$cf2" $n1 $n2
		first=$(head -n 1 "$tmp/f2.json" | sed -n 's/^{"iter": \([0-9]*\),.*/\1/p')
		[ -n "$ck" ] && [ "$ck" -gt 0 ] && [ "${first:-0}" -ge "$ck" ] ||
		    bad "(f) resumed at iteration '${first}', the checkpoint was round '$ck'"
		obj_ok f "$tmp/f.model" "$sref" "coordinator killed, resumed from round $ck (first check $first)"
	else
		bad "(f) the run never held at check 5 with a checkpoint"
	fi
fi

if want h; then
	R=$top_builddir/t/helper_rotapp
	# 30 data rows, 40000 rotate rows of 2 int32 (320000 bytes), 4 parts
	# of 80000 bytes, 2 workers (one a node), 6 sweeps of 4 rounds.
	url=ipc://$tmp/h.sock
	"$R" coordinator "$url" "$tmp/secret" 2 30 40000 6 4 "$tmp/h.json" \
	    >"$tmp/rot-c.out" 2>"$tmp/rot-c.log" & hc=$!
	pids="$pids $hc"
	"$R" node "$url" "ipc://$tmp/h1.sock" "$tmp/secret" 1 >"$tmp/rot-1.out" \
	    2>"$tmp/rot-1.log" & h1=$!
	"$R" node "$url" "ipc://$tmp/h2.sock" "$tmp/secret" 1 >"$tmp/rot-2.out" \
	    2>"$tmp/rot-2.log" & h2=$!
	pids="$pids $h1 $h2"
	ends_ok h "$hc" $h1 $h2
	if grep -q '^rotapp: ok' "$tmp/rot-c.out"; then
		# Parts move 2 a round but for their first holding (4), plus
		# the table to the coordinator at the end; whole-table copies
		# to each worker every round would be 24 x 640000 bytes.
		got=$(cat "$tmp/rot-1.out" "$tmp/rot-2.out" | sed -n 's/^node bytes_out //p' |
		    awk '{ s += $1 } END { print s + 0 }')
		want=$(( (24 * 2 - 4) * 80000 + 320000 ))
		if [ "$got" -ge "$want" ] && [ "$got" -le $(( want + want / 5 + 65536 )) ]; then
			say "ok (h): $(cat "$tmp/rot-c.out"); nodes sent $got bytes (parts: $want)"
		else
			bad "(h) nodes sent $got bytes; the parts handed over are $want"
		fi
	else
		bad "(h) $(cat "$tmp/rot-c.out")"
	fi

	# A node killed while the rotation holds: the job starts over.
	url=ipc://$tmp/hk.sock
	ROTAPP_SNAPSHOT_S=0.001 STRADS_TEST_HOLD_AT=2 STRADS_LOG=info "$R" coordinator "$url" "$tmp/secret" 2 30 \
	    40000 6 4 "$tmp/hk.json" >"$tmp/rotk-c.out" 2>"$tmp/rotk-c.log" & hc=$!
	pids="$pids $hc"
	"$R" node "$url" "ipc://$tmp/hk1.sock" "$tmp/secret" 1 >"$tmp/rotk-1.out" \
	    2>"$tmp/rotk-1.log" & h1=$!
	"$R" node "$url" "ipc://$tmp/hk2.sock" "$tmp/secret" 1 >"$tmp/rotk-2.out" \
	    2>"$tmp/rotk-2.log" & h2=$!
	pids="$pids $h1 $h2"
	if wait_for "$tmp/rotk-c.log" "holding after check 2" 120; then
		kill -9 "$h2"
		wait "$h2" 2>/dev/null
		"$R" node "$url" "ipc://$tmp/hk3.sock" "$tmp/secret" 1 >"$tmp/rotk-3.out" \
		    2>"$tmp/rotk-3.log" & h3=$!
		pids="$pids $h3"
		ends_ok h "$hc" $h1 $h3
		if grep -q '^rotapp: ok' "$tmp/rotk-c.out" &&
		    grep -q "laying the job out again from round [1-9][0-9]* (the last snapshot, tables and all)" \
		    "$tmp/rotk-c.log"; then
			say "ok (h): a node killed at check 2, the job went on from the snapshot: $(cat "$tmp/rotk-c.out")"
		else
			bad "(h) after the kill: $(cat "$tmp/rotk-c.out")"
		fi
	else
		bad "(h) the rotation never held at check 2"
	fi
fi

if want k; then
	R=$top_builddir/t/helper_rotapp
	# rotapp_tables OUT: the fingerprint of the tables on an ok line.
	rotapp_tables() { sed -n 's/^rotapp: ok .* tables \([0-9a-f]*\)$/\1/p' "$1"; }
	if [ ! -s "$tmp/rot-c.out" ]; then
		# The undisturbed run of (h), when (h) did not run.
		url=ipc://$tmp/hr.sock
		"$R" coordinator "$url" "$tmp/secret" 2 30 40000 6 4 "$tmp/hr.json" \
		    >"$tmp/rot-c.out" 2>"$tmp/rot-c.log" & hc=$!
		pids="$pids $hc"
		"$R" node "$url" "ipc://$tmp/hr1.sock" "$tmp/secret" 1 >/dev/null \
		    2>"$tmp/rotr-1.log" & h1=$!
		"$R" node "$url" "ipc://$tmp/hr2.sock" "$tmp/secret" 1 >/dev/null \
		    2>"$tmp/rotr-2.log" & h2=$!
		pids="$pids $h1 $h2"
		ends_ok k "$hc" $h1 $h2
	fi
	kref=$(rotapp_tables "$tmp/rot-c.out")
	url=ipc://$tmp/k.sock
	ROTAPP_SNAPSHOT_S=0.001 ROTAPP_CKPT_DIR=$tmp/kckpt STRADS_TEST_HOLD_AT=2 STRADS_LOG=info \
	    "$R" coordinator "$url" "$tmp/secret" 2 30 40000 6 4 "$tmp/k.json" \
	    >"$tmp/rotc-k.out" 2>"$tmp/rotc-k.log" & kc=$!
	pids="$pids $kc"
	"$R" node "$url" "ipc://$tmp/k1.sock" "$tmp/secret" 1 >/dev/null \
	    2>"$tmp/rotk1.log" & k1=$!
	"$R" node "$url" "ipc://$tmp/k2.sock" "$tmp/secret" 1 >/dev/null \
	    2>"$tmp/rotk2.log" & k2=$!
	pids="$pids $k1 $k2"
	if wait_for "$tmp/rotc-k.log" "holding after check 2" 120 &&
	    wait_for "$tmp/rotc-k.log" "checkpoint of round" 60; then
		kill -9 "$kc"
		wait "$kc" 2>/dev/null
		ck=$(sed -n 's/.*"round":[^"]*"\([0-9]*\)".*/\1/p' "$tmp/kckpt/MANIFEST")
		ROTAPP_RESUME=$tmp/kckpt STRADS_LOG=info "$R" coordinator "$url" "$tmp/secret" 2 30 \
		    40000 6 4 "$tmp/k.json" >"$tmp/rotc-k2.out" 2>"$tmp/rotc-k2.log" & kc=$!
		pids="$pids $kc"
		ends_ok k "$kc" $k1 $k2
		got=$(rotapp_tables "$tmp/rotc-k2.out")
		if [ -n "$kref" ] && [ "$got" = "$kref" ] && [ "${ck:-0}" -gt 0 ] &&
		    grep -q "resuming from the checkpoint of round $ck (sweep [1-9][0-9]*, [23] worker, rotate and ssp tables)" \
		    "$tmp/rotc-k2.log"; then
			say "ok (k): the coordinator killed at check 2, resumed from the checkpoint of round $ck: $(cat "$tmp/rotc-k2.out"), the undisturbed run's tables"
		else
			bad "(k) resumed from round '${ck}': $(cat "$tmp/rotc-k2.out"); undisturbed: $(cat "$tmp/rot-c.out")"
		fi
		# The same checkpoint with a table the app does not declare
		# (renamed in the manifest): refused, naming the manifest.
		mkdir "$tmp/kbad"
		cp "$tmp/kckpt"/* "$tmp/kbad/"
		sed 's/"held"/"kept"/' "$tmp/kckpt/MANIFEST" >"$tmp/kbad/MANIFEST"
		url=ipc://$tmp/kb.sock
		ROTAPP_RESUME=$tmp/kbad "$R" coordinator "$url" "$tmp/secret" 2 30 40000 6 4 \
		    "$tmp/kb.json" >"$tmp/rotc-kb.out" 2>"$tmp/rotc-kb.log" & kc=$!
		pids="$pids $kc"
		"$R" node "$url" "ipc://$tmp/kb1.sock" "$tmp/secret" 1 >/dev/null \
		    2>"$tmp/rotkb1.log" & k1=$!
		"$R" node "$url" "ipc://$tmp/kb2.sock" "$tmp/secret" 1 >/dev/null \
		    2>"$tmp/rotkb2.log" & k2=$!
		pids="$pids $k1 $k2"
		wait_pid "$kc" 120; rc=$?
		wait_pid "$k1" 30; wait_pid "$k2" 30
		if [ $rc -eq 1 ] && grep -q '^rotapp: FAIL job' "$tmp/rotc-kb.out" &&
		    grep -q "cannot resume: $tmp/kbad/MANIFEST: its table 0 differs from the app's in its name" \
		    "$tmp/rotc-kb.log"; then
			say "ok (k): a checkpoint whose table is not the app's is refused"
		else
			bad "(k) a checkpoint with another table: exit $rc, $(cat "$tmp/rotc-kb.out")"
		fi
	else
		bad "(k) the rotation never held at check 2 with a checkpoint"
	fi
fi

if want s; then
	R=$top_builddir/t/helper_rotapp
	# ssp_ok L OUT NODE_OUT...: OUT has an ok line with the ssp rows and
	# no node saw a bad read of the ssp table.
	ssp_ok() {
		l=$1
		out=$2
		shift 2
		nb=$(cat "$@" | sed -n 's/^node ssp_bad //p' | awk '{ s += $1 } END { print s + 0 }')
		nn=$(cat "$@" | grep -c '^node ssp_bad ')
		grep -q '^rotapp: ok .* ssp [0-9-]*,[0-9-]*$' "$out" && [ "$nb" -eq 0 ] &&
		    [ "$nn" -eq $# ]
	}
	rotapp_tables() { sed -n 's/^rotapp: ok .* tables \([0-9a-f]*\) ssp .*$/\1/p' "$1"; }

	url=ipc://$tmp/s.sock
	ROTAPP_SSP=1 "$R" coordinator "$url" "$tmp/secret" 2 30 40000 6 4 "$tmp/s.json" \
	    >"$tmp/ssp-c.out" 2>"$tmp/ssp-c.log" & sc=$!
	pids="$pids $sc"
	"$R" node "$url" "ipc://$tmp/s1.sock" "$tmp/secret" 1 >"$tmp/ssp-1.out" \
	    2>"$tmp/ssp-1.log" & s1=$!
	"$R" node "$url" "ipc://$tmp/s2.sock" "$tmp/secret" 1 >"$tmp/ssp-2.out" \
	    2>"$tmp/ssp-2.log" & s2=$!
	pids="$pids $s1 $s2"
	ends_ok s "$sc" $s1 $s2
	if ssp_ok s "$tmp/ssp-c.out" "$tmp/ssp-1.out" "$tmp/ssp-2.out"; then
		say "ok (s): two nodes share the ssp table: $(cat "$tmp/ssp-c.out")"
	else
		bad "(s) $(cat "$tmp/ssp-c.out" "$tmp/ssp-1.out" "$tmp/ssp-2.out")"
	fi
	sref=$(rotapp_tables "$tmp/ssp-c.out")

	# A node killed at check 2: laid out again from the snapshot.
	url=ipc://$tmp/sk.sock
	ROTAPP_SSP=1 ROTAPP_SNAPSHOT_S=0.001 STRADS_TEST_HOLD_AT=2 STRADS_LOG=info "$R" \
	    coordinator "$url" "$tmp/secret" 2 30 40000 6 4 "$tmp/sk.json" \
	    >"$tmp/sspk-c.out" 2>"$tmp/sspk-c.log" & sc=$!
	pids="$pids $sc"
	"$R" node "$url" "ipc://$tmp/sk1.sock" "$tmp/secret" 1 >"$tmp/sspk-1.out" \
	    2>"$tmp/sspk-1.log" & s1=$!
	"$R" node "$url" "ipc://$tmp/sk2.sock" "$tmp/secret" 1 >"$tmp/sspk-2.out" \
	    2>"$tmp/sspk-2.log" & s2=$!
	pids="$pids $s1 $s2"
	if wait_for "$tmp/sspk-c.log" "holding after check 2" 120; then
		kill -9 "$s2"
		wait "$s2" 2>/dev/null
		"$R" node "$url" "ipc://$tmp/sk3.sock" "$tmp/secret" 1 >"$tmp/sspk-3.out" \
		    2>"$tmp/sspk-3.log" & s3=$!
		pids="$pids $s3"
		ends_ok s "$sc" $s1 $s3
		if ssp_ok s "$tmp/sspk-c.out" "$tmp/sspk-1.out" "$tmp/sspk-3.out" &&
		    grep -q "laying the job out again from round [1-9][0-9]* (the last snapshot, tables and all)" \
		    "$tmp/sspk-c.log"; then
			say "ok (s): a node killed at check 2, the ssp table went on from the snapshot: $(cat "$tmp/sspk-c.out")"
		else
			bad "(s) after the kill: $(cat "$tmp/sspk-c.out" "$tmp/sspk-1.out" "$tmp/sspk-3.out")"
		fi
	else
		bad "(s) the rotation never held at check 2"
	fi

	# The coordinator killed at check 2, resumed from its checkpoint.
	url=ipc://$tmp/sr.sock
	ROTAPP_SSP=1 ROTAPP_SNAPSHOT_S=0.001 ROTAPP_CKPT_DIR=$tmp/sckpt STRADS_TEST_HOLD_AT=2 \
	    STRADS_LOG=info "$R" coordinator "$url" "$tmp/secret" 2 30 40000 6 4 "$tmp/sr.json" \
	    >"$tmp/sspr-c.out" 2>"$tmp/sspr-c.log" & sc=$!
	pids="$pids $sc"
	"$R" node "$url" "ipc://$tmp/sr1.sock" "$tmp/secret" 1 >"$tmp/sspr-1.out" \
	    2>"$tmp/sspr-1.log" & s1=$!
	"$R" node "$url" "ipc://$tmp/sr2.sock" "$tmp/secret" 1 >"$tmp/sspr-2.out" \
	    2>"$tmp/sspr-2.log" & s2=$!
	pids="$pids $s1 $s2"
	if wait_for "$tmp/sspr-c.log" "holding after check 2" 120 &&
	    wait_for "$tmp/sspr-c.log" "checkpoint of round" 60; then
		kill -9 "$sc"
		wait "$sc" 2>/dev/null
		ck=$(sed -n 's/.*"round":[^"]*"\([0-9]*\)".*/\1/p' "$tmp/sckpt/MANIFEST")
		ROTAPP_SSP=1 ROTAPP_RESUME=$tmp/sckpt STRADS_LOG=info "$R" coordinator "$url" \
		    "$tmp/secret" 2 30 40000 6 4 "$tmp/sr.json" >"$tmp/sspr-c2.out" \
		    2>"$tmp/sspr-c2.log" & sc=$!
		pids="$pids $sc"
		ends_ok s "$sc" $s1 $s2
		got=$(rotapp_tables "$tmp/sspr-c2.out")
		if [ -n "$sref" ] && [ "$got" = "$sref" ] && [ "${ck:-0}" -gt 0 ] &&
		    grep -q '"home":[[:space:]]*"ssp"' "$tmp/sckpt/MANIFEST" &&
		    grep -q "resuming from the checkpoint of round $ck (sweep [1-9][0-9]*, 3 worker, rotate and ssp tables)" \
		    "$tmp/sspr-c2.log"; then
			say "ok (s): the coordinator killed at check 2, resumed from the checkpoint of round $ck: $(cat "$tmp/sspr-c2.out"), the undisturbed run's tables"
		else
			bad "(s) resumed from round '${ck}': $(cat "$tmp/sspr-c2.out"); undisturbed: $(cat "$tmp/ssp-c.out")"
		fi
	else
		bad "(s) the rotation never held at check 2 with a checkpoint"
	fi
fi

if want g; then
	R=$top_builddir/t/helper_rotapp
	rotapp_tables() { sed -n 's/^rotapp: ok .* tables \([0-9a-f]*\)$/\1/p' "$1"; }
	# 48 data rows, 24 rotate rows, 4 parts, 8 sweeps; node 2 slow in
	# the first run, neither in the second.
	for run in slow even; do
		slow=1
		[ $run = even ] && slow=0
		url=ipc://$tmp/g-$run.sock
		ROTAPP_STRAGGLER=1 STRADS_LOG=debug "$R" coordinator "$url" "$tmp/secret" 2 48 24 \
		    8 4 "$tmp/g-$run.json" >"$tmp/g-$run-c.out" 2>"$tmp/g-$run-c.log" & gc=$!
		pids="$pids $gc"
		ROTAPP_SPIN=40000 "$R" node "$url" "ipc://$tmp/g-${run}1.sock" "$tmp/secret" 1 \
		    >"$tmp/g-$run-1.out" 2>"$tmp/g-$run-1.log" & g1=$!
		pids="$pids $g1"
		env ROTAPP_SPIN=40000 $( [ $slow = 1 ] && echo ROTAPP_SLOW=4 ) "$R" node "$url" \
		    "ipc://$tmp/g-${run}2.sock" "$tmp/secret" 1 \
		    >"$tmp/g-$run-2.out" 2>"$tmp/g-$run-2.log" & g2=$!
		pids="$pids $g2"
		ends_ok g "$gc" $g1 $g2
	done
	# "node rows FIRST LAST": the rows of a node's worker in the first
	# and the last round.
	f1=$(sed -n 's/^node rows \([0-9]*\) [0-9]*$/\1/p' "$tmp/g-slow-2.out")
	l1=$(sed -n 's/^node rows [0-9]* \([0-9]*\)$/\1/p' "$tmp/g-slow-1.out")
	l2=$(sed -n 's/^node rows [0-9]* \([0-9]*\)$/\1/p' "$tmp/g-slow-2.out")
	t1=$(rotapp_tables "$tmp/g-slow-c.out")
	t2=$(rotapp_tables "$tmp/g-even-c.out")
	if [ -n "$t1" ] && [ "$t1" = "$t2" ] && [ "${f1:-0}" -eq 24 ] &&
	    [ "${l2:-99}" -lt 24 ] && [ "${l2:-99}" -lt "${l1:-0}" ] &&
	    grep -q "reshard [0-9]* done" "$tmp/g-slow-c.log"; then
		say "ok (g): the slow node's shard went from $f1 to $l2 rows (the other node's to $l1); tables $t1, the run with no slow node's"
	else
		bad "(g) slow node rows $f1 -> $l2, other node $l1; tables '$t1' against '$t2': $(cat "$tmp/g-slow-c.out")"
	fi
fi

if [ $fail -ne 0 ]; then
	for f in "$tmp"/*.log; do say "--- $f"; cat "$f"; done
	exit 1
fi
exit 0
