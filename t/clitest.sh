# clitest.sh -- what the scripts that drive the strads program share
# (sourced, not run): $strads, a temp directory to work in (removed at
# exit), and check/bad, which count cases and failures in n and fail.
# A crash or a hang shows as an exit status of 124 or above, which no
# case expects.

top_builddir=${top_builddir:-.}
strads=$(cd "$top_builddir" && pwd)/strads
[ -x "$strads" ] || { echo "no $strads: build first"; exit 99; }
command -v timeout >/dev/null || { echo "no timeout(1)"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 99
fail=0
n=0

# check STATUS MESSAGE ARGS...: strads ARGS exits STATUS within 60 s and
# its stderr holds MESSAGE (a fixed string; empty: not checked). Its
# stdout is left in out.txt, its stderr in err.txt.
check() {
	want=$1
	msg=$2
	shift 2
	n=$((n + 1))
	timeout 60 "$strads" "$@" </dev/null >out.txt 2>err.txt
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "FAIL: strads $*: exit $rc, expected $want; stderr:"
		sed 's/^/    /' err.txt | head -5
		fail=1
	elif [ -n "$msg" ] && ! grep -qF -- "$msg" err.txt; then
		echo "FAIL: strads $*: stderr lacks \"$msg\"; it was:"
		sed 's/^/    /' err.txt | head -5
		fail=1
	fi
}

bad() { echo "FAIL: $*"; fail=1; }
