#!/bin/sh
# tutorial.sh -- runs the command blocks of doc/tutorial.md as written, on
# small generated stand-ins for the data sets it reads, so that its
# command lines (commands, options, file names) stay valid. The outputs
# it shows are not compared: they come from the real data sets.
#
# The blocks run in order in one shell with `set -e`, so a command the
# program refuses (an option renamed, a file it cannot read) fails the
# test. Left out: the build block (quickstart, configure), the set-up
# block (PATH, DATA: set here) and the block that fetches the status
# page while the cluster runs (the tiny job may be over by then). The
# cluster block's fixed port and status port are replaced by an ipc
# address and a free port, so parallel test runs do not collide.

doc="$(cd "${top_srcdir:-.}" && pwd)/doc/tutorial.md"
. "${top_srcdir:-.}/t/clitest.sh"

[ -r "$doc" ] || { echo "no $doc"; exit 99; }
command -v awk >/dev/null || { echo "no awk"; exit 77; }

# Stand-ins, with the names, formats and columns of the real sets.
D=$tmp/data
mkdir -p "$D/lasso/california_housing" "$D/logreg" "$D/lda/ap" \
    "$D/mf/ml-latest-small" || exit 99
awk 'BEGIN {
	srand(7)
	print "longitude,latitude,housing_median_age,total_rooms,total_bedrooms,population,households,median_income,median_house_value,ocean_proximity"
	for (i = 1; i <= 400; i++) {
		inc = 1 + 8 * rand(); age = int(50 * rand()); rooms = int(500 + 3000 * rand())
		bed = (i % 23 == 0) ? "" : int(rooms / 5)
		printf "%.2f,%.2f,%d,%d,%s,%d,%d,%.4f,%.1f,%s\n", -124 + 5 * rand(), \
		    33 + 8 * rand(), age, rooms, bed, int(rooms * 1.5), int(rooms / 4), \
		    inc, 40000 * inc + 1000 * age + 20000 * rand(), \
		    (rand() < 0.5) ? "NEAR BAY" : "INLAND"
	}
}' > "$D/lasso/california_housing/housing.csv" || exit 99
"$strads" gen logreg --n 600 --p 123 --nnz-per-row 14 --support 10 \
    --out "$D/logreg/a8a" >/dev/null 2>&1 || { echo "gen logreg failed"; exit 99; }
head -n 200 "$D/logreg/a8a" > "$D/logreg/a9a.t"
"$strads" gen lda --out "$tmp/planted" --docs 200 --words 60 --topics 4 \
    >/dev/null 2>&1 || { echo "gen lda failed"; exit 99; }
cp "$tmp/planted.dat" "$D/lda/ap/ap.dat" || exit 99
# A vocabulary with some of the words of the tutorial's text documents.
{ printf '%s\n' senate voted budget bill president police men shot killed city
  i=11; while [ "$i" -le 60 ]; do echo "word$i"; i=$((i + 1)); done; } \
    > "$D/lda/ap/vocab.txt"
awk 'BEGIN {
	print "userId,movieId,rating,timestamp"
	for (u = 1; u <= 60; u++)
		for (m = 1; m <= 300; m++)
			if ((u + m) % 3 == 0 || m == 1 || m == 50 || m == 296)
				printf "%d,%d,%.1f,%d\n", u, m, 0.5 + ((u * 7 + m * 13) % 10) / 2, 964982703
}' > "$D/mf/ml-latest-small/ratings.csv" || exit 99

# The blocks, as written, with the cluster's addresses replaced.
awk -v sock="ipc://$tmp/coord.sock" '
	/^```sh$/ { inb = 1; b = ""; next }
	inb && /^```$/ {
		inb = 0
		if (b ~ /quickstart|autoreconf|DATA=|curl /)
			next
		gsub(/tcp:\/\/127\.0\.0\.1:7000/, sock, b)
		gsub(/--status 8080/, "--status 0", b)
		# Background processes: keep their ids to wait for each.
		gsub(/ &\n/, " \\&\npids=\"$pids $!\"\n", b)
		printf "%s", b
		next
	}
	inb { b = b $0 "\n" }
' "$doc" > tutorial-cmds.sh || exit 99
grep -q 'strads run lasso' tutorial-cmds.sh &&
    grep -q 'strads coordinator' tutorial-cmds.sh ||
    { echo "FAIL: no commands found in $doc"; sed 's/^/    /' tutorial-cmds.sh; exit 1; }

# Every option the blocks use is spelled out in some command's --help
# (the program also takes unambiguous abbreviations, which a renamed
# option could hide).
for c in "run lasso" "run logreg" "run lda" "run mf" "predict" "topics" \
    "recommend" "plot" "coordinator" "node"; do
	# shellcheck disable=SC2086
	"$strads" $c --help 2>&1
done > help.txt
for opt in $(grep -o -- '--[a-z][a-z-]*' tutorial-cmds.sh | sort -u); do
	n=$((n + 1))
	grep -q -- "$opt\([^a-z-]\|\$\)" help.txt ||
	    bad "the tutorial's $opt is in no command's --help"
done

mkdir work && cd work || exit 99
{
	echo 'set -e'
	echo "DATA='$D'"
	echo "PATH='$(dirname "$strads")':\$PATH"
	cat ../tutorial-cmds.sh
	# The cluster's processes ran in the background: wait for each.
	echo 'for p in $pids; do wait "$p" || { echo "background process $p exited $?" >&2; exit 1; }; done'
} > run.sh
timeout 300 sh run.sh > out.txt 2> err.txt
rc=$?
n=$((n + 1))
if [ "$rc" -ne 0 ]; then
	echo "FAIL: the tutorial's commands exited $rc; the last of stderr:"
	tail -n 15 err.txt | sed 's/^/    /'
	fail=1
fi

# Each section left its files.
for f in housing.model housing-pred.txt housing.json adult.model adult-prob.txt \
    adult-labels.txt ap.model ap.svg ml.model ml.svg ml-sgd.json ap-cluster.model; do
	n=$((n + 1))
	[ -s "$f" ] || bad "the tutorial did not write $f"
done
n=$((n + 1))
grep -q '^topic 0:' out.txt || bad "strads topics printed no topic"
n=$((n + 1))
grep -q 'rows [0-9]*  rmse' err.txt || bad "strads predict printed no RMSE for the housing test set"

echo "$n checks"
exit "$fail"
