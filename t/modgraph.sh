#!/bin/sh
# modgraph.sh -- the module graph of the built tree, and its rules.
#
# A module is a part of the tree with one job. Its objects are found by
# path (first match wins):
#	actors/table_shard.c      table       (the table's shard actor)
#	actors/membership.c       cluster     (the coordinator's membership
#	actors/node.c                          actor, a node's agent actor)
#	actors/*                  engine      (the SchMP roles' actors)
#	src/cluster/checkpoint.c  checkpoint  (checkpoint files)
#	src/cli/cli-util.c        cliutil     (helpers of the commands and
#	                                       the apps' front ends)
#	apps/registry.c           apps/registry (the table of apps)
#	src/DIR/*                 DIR         (core, net, table, engine,
#	                                       cluster, status, cli; engine holds
#	                                       the rotation's plan,
#	                                       src/engine/rotation.c, and
#	                                       the gathers of worker-held
#	                                       tables, src/engine/gather.c,
#	                                       a worker's moves of shards,
#	                                       src/engine/reshard.c)
#	apps/DIR/*                apps/DIR    (common, lasso, ...)
# An edge A -> B means an object of A uses a global symbol (function or
# data) that an object of B defines: nm's undefined symbols of A's
# objects resolved by B's defined ones. Calls inside a module are free.
#
# Which module may call which (the layers, lowest first):
#	core        -                  loops, actors, messages, map, files
#	net         core               transport, authentication
#	table       core               SSP tables
#	checkpoint  core net           checkpoint files (SHA-256 from net)
#	engine      core net table checkpoint
#	cluster     core net table checkpoint engine
#	apps/common core
#	cliutil     core net table checkpoint engine cluster apps/common
#	apps/APP    core net engine table apps/common cliutil
#	apps/registry  every apps/APP
#	status      core engine        the HTTP status endpoint (--status):
#	                               progress records in, JSON and
#	                               Prometheus text out
#	cli         any module
# The core reaches the transport only through the ops table the net
# registers (strads__net_ops_t), never by name.
#
# Fails (exit 1) on a cycle, printing it, or on an edge the rules above
# do not allow, printing the symbols that make it. Run from the top of
# the build tree after the library and the program are built (make check
# does both first). make check names the objects of this build in
# MODGRAPH_OBJECTS (libtool .lo names are read as their .o), so objects
# of files since removed do not count; without it, every object under
# src, actors and apps is read.
set -u
LC_ALL=C
export LC_ALL

top=${1:-.}
cd "$top" || exit 2
tmp=${TMPDIR:-/tmp}/modgraph.$$
mkdir "$tmp" || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

module() {
	case $1 in
	actors/*table_shard.o) echo table ;;
	actors/*membership.o | actors/*node.o) echo cluster ;;
	actors/*) echo engine ;;
	src/cluster/*checkpoint.o) echo checkpoint ;;
	src/cli/*cli-util.o) echo cliutil ;;
	apps/*registry.o) echo apps/registry ;;
	src/*) d=${1#src/}; echo "${d%%/*}" ;;
	apps/*) d=${1#apps/}; echo "apps/${d%%/*}" ;;
	*) echo other ;;
	esac
}

: >"$tmp/defs"
: >"$tmp/uses"
n=0
objects() {
	if [ -n "${MODGRAPH_OBJECTS:-}" ]; then
		for o in $MODGRAPH_OBJECTS; do
			case $o in
			*.lo)
				o=${o%.lo}.o
				[ -f "$o" ] || o=$(dirname "$o")/.libs/$(basename "$o")
				;;
			esac
			echo "$o"
		done
	else
		find src actors apps -name '*.o' ! -path '*/.libs/*'
	fi
}

for o in $(objects | sort -u); do
	if [ ! -f "$o" ]; then
		echo "modgraph: $o is missing: build first" >&2
		exit 2
	fi
	m=$(module "$o")
	nm -g --defined-only "$o" | awk -v m="$m" 'NF == 3 { print $3, m }' >>"$tmp/defs"
	nm -u "$o" | awk -v m="$m" '{ print $NF, m }' >>"$tmp/uses"
	n=$((n + 1))
done
if [ "$n" -eq 0 ]; then
	echo "modgraph: no objects under $(pwd): build first" >&2
	exit 2
fi
sort -u "$tmp/defs" >"$tmp/d"
sort -u "$tmp/uses" >"$tmp/u"
# symbol user definer -> "user definer symbol", across modules only
join "$tmp/u" "$tmp/d" | awk '$2 != $3 { print $2, $3, $1 }' | sort -u >"$tmp/e"
awk '{ print $1, $2 }' "$tmp/e" | sort -u >"$tmp/g"

status=0
# Cycles: an edge A -> B is on a cycle when B reaches A. Each such edge
# is printed with one way back (a shortest path from B to A), and the
# symbols of every edge on it.
awk '
{ n[$1] = 1; n[$2] = 1; adj[$1] = adj[$1] " " $2; e[$1, $2] = 1 }
END {
	for (a in n) {
		# breadth first from a: reach and predecessors
		delete seen; delete pred
		q[0] = a; h = 0; t = 1; seen[a] = 1
		while (h < t) {
			u = q[h++]
			k = split(adj[u], vs, " ")
			for (i = 1; i <= k; i++)
				if (!(vs[i] in seen)) {
					seen[vs[i]] = 1; pred[vs[i]] = u; q[t++] = vs[i]
				}
		}
		for (b in n)
			if ((b, a) in e && (b in seen) && !done[b]) {
				# a reaches b and b calls a: a cycle through a
				path = b; u = b
				while (u != a) { u = pred[u]; path = u " -> " path }
				print path " -> " a
				for (x in n) if (x in seen) done[x] = done[x]
				done[a] = 1
			}
	}
}' "$tmp/g" | sort -u >"$tmp/cycles"
if [ -s "$tmp/cycles" ]; then
	echo "modgraph: cycle of calls between modules:"
	while read -r line; do
		echo "  $line"
		echo "$line" | sed 's/ -> / /g' | awk '{ for (i = 1; i < NF; i++) print $i, $(i + 1) }' |
		    while read -r a b; do
			awk -v a="$a" -v b="$b" '$1 == a && $2 == b { print "      " a " -> " b ": " $3 }' "$tmp/e"
		    done
	done <"$tmp/cycles"
	status=1
fi

# The rules.
allowed() {
	case $1 in
	core) return 1 ;;
	net | table) [ "$2" = core ] ;;
	checkpoint) case $2 in core | net) return 0 ;; esac; return 1 ;;
	engine) case $2 in core | net | table | checkpoint) return 0 ;; esac; return 1 ;;
	cluster) case $2 in core | net | table | checkpoint | engine) return 0 ;; esac; return 1 ;;
	apps/common) [ "$2" = core ] ;;
	cliutil) case $2 in core | net | table | checkpoint | engine | cluster | apps/common) return 0 ;; esac; return 1 ;;
	apps/registry) case $2 in apps/registry | apps/common) return 1 ;; apps/*) return 0 ;; esac; return 1 ;;
	apps/*) case $2 in core | net | engine | table | apps/common | cliutil) return 0 ;; esac; return 1 ;;
	status) case $2 in core | engine) return 0 ;; esac; return 1 ;;
	cli) return 0 ;;
	*) return 1 ;;
	esac
}
while read -r a b; do
	if ! allowed "$a" "$b"; then
		echo "modgraph: $a may not call $b:"
		awk -v a="$a" -v b="$b" '$1 == a && $2 == b { print "    " $3 }' "$tmp/e"
		status=1
	fi
done <"$tmp/g"
if [ "$status" -eq 0 ]; then
	echo "modgraph: $(wc -l <"$tmp/g") edges between modules, no cycle:"
	sed 's/^/  /' "$tmp/g"
fi
exit $status
