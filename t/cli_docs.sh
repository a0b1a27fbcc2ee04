#!/bin/sh
# cli_docs.sh -- the documentation stays true to the program: every
# option a command's --help lists is described in strads(1), every
# command `strads --help` lists has a section there, and --help exits 0.
set -eu

top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
strads="$top_builddir/strads"
man="$top_srcdir/doc/strads.1"
fail=0

[ -x "$strads" ] || { echo "no $strads: build first"; exit 99; }

for cmd in "run lasso" "coordinator" "node" "gen lasso" "predict" "demo"; do
	# shellcheck disable=SC2086
	if ! "$strads" $cmd --help >help.out 2>&1; then
		echo "strads $cmd --help: non-zero exit"
		fail=1
		continue
	fi
	for opt in $(grep -o -- '--[a-z][a-z-]*' help.out | sort -u); do
		# the man page writes each - as \-
		esc=$(printf '%s' "$opt" | sed 's/-/\\\\-/g')
		if ! grep -q -- "$esc" "$man"; then
			echo "strads $cmd: $opt is in --help but not in doc/strads.1"
			fail=1
		fi
	done
done
rm -f help.out

# every command of the program has its section in the man page
for cmd in $("$strads" --help 2>&1 | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }'); do
	if ! grep -q "^\.SS strads $cmd" "$man"; then
		echo "strads $cmd: no section in doc/strads.1"
		fail=1
	fi
done

[ $fail = 0 ] && echo "strads --help and doc/strads.1 agree"
exit $fail
