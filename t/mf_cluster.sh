#!/bin/sh
# mf_cluster.sh -- the MF app over a coordinator and nodes on loopback
# (doc/mf.md, "Across processes"), on a generated rank-3 problem with
# biases; every test RMSE below is `strads predict`'s, computed from the
# model file's factors:
#  (a) SGD on the rotation's blocks over two nodes of one thread ends at
#      the test RMSE of one process of two workers with the same parts
#      (within 0.5 %; the blocks and their order are the same);
#  (c) CCD++ over two nodes: within 0.5 % of one process's CCD++;
#  (s) SGD on the SSP table (--staleness 2) over two nodes, the table
#      the cluster's: within 3 % of one process's at the same staleness
#      (which rounds a read sees depends on timing: 0.0 to 1.3 % apart in
#      9 runs at loads of 15 to 45; lost or doubled increments are far
#      worse);
#  (k) of three nodes running SGD, one killed with SIGKILL while the
#      coordinator holds after its third check (test hook
#      STRADS_TEST_HOLD_AT), with snapshots as often as can be: the job
#      goes on over the other two from its last snapshot and ends within
#      0.5 % of the undisturbed run's test RMSE ((a)'s).
set -u

mt=${STRADS_TEST_MEMBER_TIMEOUT:-1}
top_builddir=${top_builddir:-.}
S="$top_builddir/strads"
[ -x "$S" ] || { echo "no $S: build first"; exit 99; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mf_cluster.XXXXXX") || exit 99
pids=
trap 'for p in $pids; do kill -9 $p 2>/dev/null; done; rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL $*"; fail=1; }

wait_for() {
	end=$(( $(date +%s) + $3 ))
	while ! grep -q -- "$2" "$1" 2>/dev/null; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.05
	done
	return 0
}

# wait_rc PID SECONDS: PID's exit status, or 124 (killed) after SECONDS.
wait_rc() {
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

# rmse MODEL: the test RMSE of the model's factors.
rmse() {
	"$S" predict "$1" "$tmp/g.test" 2>&1 >/dev/null | sed -n 's/^rmse \([0-9.]*\).*/\1/p'
}

# near TAG GOT WANT REL: GOT within REL (relative) of WANT.
near() {
	if awk -v a="$2" -v b="$3" -v r="$4" 'BEGIN { d = a - b; if (d < 0) d = -d;
	    exit !(a != "" && b != "" && a > 0 && d <= r * b) }'; then
		echo "ok   ($1) test RMSE $2 (against $3)"
	else
		bad "($1) test RMSE '$2', expected within $4 of $3"
	fi
}

"$S" gen mf --out "$tmp/g" --users 400 --items 200 --ratings 24000 --rank 3 --seed 5 \
    >/dev/null || { echo "FAIL strads gen mf"; exit 1; }
printf 'mf-cluster-secret-%s\n' "$$" >"$tmp/secret"
chmod 600 "$tmp/secret"
common="--data $tmp/g.train --test $tmp/g.test --rank 3 --biases --weighted-lambda --lambda 0.05 --eta 0.03 --eta-decay 0.05 --iters 30 --parts 8 --seed 3"

# (a), (c) and (s) lose no node: a member timeout 5 x longer keeps a
# process descheduled on a loaded machine from being dropped, which
# would lay the job out again (and fail CCD++'s, which cannot go on from
# a snapshot: doc/mf.md).
mtl=$((mt * 5))

node() {
	name=$1
	"$S" node --threads 1 --heartbeat 0.1 --member-timeout ${2:-$mtl} --join "$url" \
	    --secret-file "$tmp/secret" >"$tmp/$name.log" 2>&1 &
	last=$!
	pids="$pids $last"
}

# cluster TAG NODES OPTIONS...: a coordinator and NODES nodes; the
# model is $tmp/TAG.model.
cluster() {
	tag=$1
	nn=$2
	shift 2
	url=ipc://$tmp/$tag.sock
	"$S" coordinator --heartbeat 0.1 --member-timeout $mtl --secret-file "$tmp/secret" \
	    --listen "$url" --app mf $common "$@" --min-workers $nn --out "$tmp/$tag.model" \
	    --quiet >"$tmp/$tag.out" 2>"$tmp/coord-$tag.log" &
	c=$!
	pids="$pids $c"
	ns=
	i=0
	while [ $i -lt $nn ]; do
		i=$((i + 1))
		node $tag$i
		ns="$ns $last"
	done
	wait_rc $c 120
	rc=$?
	if [ $rc != 0 ]; then
		bad "($tag) coordinator exit $rc"
		tail -5 "$tmp/coord-$tag.log"
		return 1
	fi
	for n in $ns; do
		wait_rc $n 30 || bad "($tag) a node's exit $?"
	done
	return 0
}

one() {
	tag=$1
	shift
	"$S" run mf $common "$@" --threads 2 --quiet --out "$tmp/$tag.model" >"$tmp/$tag.log" 2>&1 ||
		{ tail -3 "$tmp/$tag.log"; return 1; }
}

# (a) SGD on the blocks.
one ra || bad "strads run (sgd)"
if cluster a 2; then
	near a "$(rmse "$tmp/a.model")" "$(rmse "$tmp/ra.model")" 0.005
fi

# (c) CCD++.
one rc --solver ccd || bad "strads run (ccd)"
if cluster c 2 --solver ccd; then
	near c "$(rmse "$tmp/c.model")" "$(rmse "$tmp/rc.model")" 0.005
fi

# (s) SGD on the SSP table.
one rs --staleness 2 || bad "strads run (ssp)"
if cluster s 2 --staleness 2; then
	near s "$(rmse "$tmp/s.model")" "$(rmse "$tmp/rs.model")" 0.03
fi

# (k) a node killed while the coordinator holds after its third check.
url=ipc://$tmp/k.sock
STRADS_TEST_HOLD_AT=3 STRADS_LOG=info "$S" coordinator --heartbeat 0.1 --member-timeout $mt \
    --secret-file "$tmp/secret" --listen "$url" --app mf $common --min-workers 3 \
    --snapshot-every 0.001 --out "$tmp/k.model" --quiet >"$tmp/k.out" 2>"$tmp/coord-k.log" &
ck=$!
pids="$pids $ck"
node k1 $mt; n1=$last
node k2 $mt; n2=$last
node k3 $mt; n3=$last
if wait_for "$tmp/coord-k.log" "holding after check 3" 120; then
	kill -9 $n2
	if wait_rc $ck 120; then
		grep -q "stopped answering" "$tmp/coord-k.log" || bad "(k) the loss was not logged"
		grep -q "laying the job out again from round [1-9].*the last snapshot" \
		    "$tmp/coord-k.log" || bad "(k) not laid out again from a snapshot"
		near k "$(rmse "$tmp/k.model")" "$(rmse "$tmp/a.model")" 0.005
	else
		bad "(k) coordinator exit $?"
		tail -5 "$tmp/coord-k.log"
	fi
	wait_rc $n1 30 || bad "(k) node 1 exit $?"
	wait_rc $n3 30 || bad "(k) node 3 exit $?"
else
	bad "(k) the run never reached its third check"
	tail -5 "$tmp/coord-k.log"
fi
[ $fail = 0 ] && echo "mf cluster: SGD, CCD++ and SGD on the SSP table over 2 nodes as in one process; a node killed at check 3, the job went on from its snapshot"
exit $fail
