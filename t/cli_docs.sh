#!/bin/sh
# cli_docs.sh -- the documentation stays true to the program: every
# option a command's --help lists is described in strads(1), every
# command `strads --help` lists and every app of the registry has a
# section there, and --help exits 0.
set -eu

top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
strads="$top_builddir/strads"
man="$top_srcdir/doc/strads.1"
fail=0

[ -x "$strads" ] || { echo "no $strads: build first"; exit 99; }

# list_after HEADING: the first words of the indented lines after the
# line HEADING: in the --help output on stdin (the apps or commands it
# lists).
list_after() {
	awk -v h="$1:" '$0 == h { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }'
}

# The apps come from the program's registry (strads run --help, strads
# gen --help), so a new app's options are checked as it is added.
run_apps=$("$strads" run --help | list_after apps)
gen_apps=$("$strads" gen --help | list_after apps)
[ -n "$run_apps" ] || { echo "strads run --help lists no apps"; fail=1; }
cmds="coordinator
node
predict
demo"
for app in $run_apps; do
	cmds="$cmds
run $app"
	grep -q "^\.SS strads run $app\$" "$man" ||
		{ echo "strads run $app: no section in doc/strads.1"; fail=1; }
done
for app in $gen_apps; do
	cmds="$cmds
gen $app"
	grep -q "^\.SS strads gen $app\$" "$man" ||
		{ echo "strads gen $app: no section in doc/strads.1"; fail=1; }
done
# the apps' own commands (after the built-in ones in strads --help)
for cmd in $("$strads" --help | list_after commands); do
	case $cmd in run|coordinator|node|predict|gen|demo) ;;
	*) cmds="$cmds
$cmd" ;;
	esac
done

for cmd in $(printf '%s\n' "$cmds" | tr ' ' '+'); do
	cmd=$(printf '%s' "$cmd" | tr '+' ' ')
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
for cmd in $("$strads" --help 2>&1 | list_after commands); do
	if ! grep -q "^\.SS strads $cmd" "$man"; then
		echo "strads $cmd: no section in doc/strads.1"
		fail=1
	fi
done

[ $fail = 0 ] && echo "strads --help and doc/strads.1 agree"
exit $fail
