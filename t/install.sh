#!/bin/sh
# install.sh -- what `make install` gives a user. The built tree is
# installed under a temporary DESTDIR; the test checks that the program,
# the shared and static libraries, the header, strads.pc and the man
# pages are there, that the installed strads runs, and that the example
# app doc/examples/lsq.c (public API only) builds against the installed
# files with nothing but `pkg-config --cflags --libs strads` and solves
# its problem: once linked with the shared library (run with
# LD_LIBRARY_PATH, as DESTDIR is not where the run path points) and once
# with the static one (`pkg-config --static`, which needs the .pc's
# private dependencies right). Skips without pkg-config or a C compiler.
# Writes nothing in the build tree: `make install` of a built tree only
# copies.
set -u

top_builddir=${top_builddir:-.}
top_srcdir=${top_srcdir:-.}
top_builddir=$(cd "$top_builddir" && pwd)
top_srcdir=$(cd "$top_srcdir" && pwd)
[ -x "$top_builddir/strads" ] || { echo "no $top_builddir/strads: build first"; exit 99; }
for v in STRADS_PREFIX STRADS_BINDIR STRADS_LIBDIR STRADS_INCLUDEDIR STRADS_MANDIR; do
	eval "val=\${$v:-}"
	[ -n "$val" ] || { echo "$v is not set (run from make check)"; exit 99; }
done
PKG_CONFIG=${PKG_CONFIG:-pkg-config}
command -v "$PKG_CONFIG" >/dev/null 2>&1 || { echo "skip: no pkg-config (package pkg-config)"; exit 77; }
CC=${CC:-cc}
command -v "${CC%% *}" >/dev/null 2>&1 || { echo "skip: no C compiler ($CC; package gcc)"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/dest
fail=0

# Installing must not rebuild anything, nor join the jobserver of a
# parallel `make check` that runs this test.
unset MAKEFLAGS MFLAGS MAKELEVEL
if ! ${MAKE:-make} -s -C "$top_builddir" install DESTDIR="$dest" \
	>"$tmp/install.log" 2>&1; then
	echo "FAIL: make install DESTDIR=$dest:"
	sed 's/^/    /' "$tmp/install.log" | tail -20
	exit 1
fi

bindir=$dest$STRADS_BINDIR
libdir=$dest$STRADS_LIBDIR
includedir=$dest$STRADS_INCLUDEDIR
mandir=$dest$STRADS_MANDIR

# exists PATH...: each is a file in the installed tree.
exists() {
	for f in "$@"; do
		if [ -f "$f" ]; then
			echo "ok: installed ${f#"$dest"}"
		else
			echo "FAIL: not installed: ${f#"$dest"}"
			fail=1
		fi
	done
}
exists "$bindir/strads" "$libdir/libstrads.a" "$libdir/libstrads.la" \
	"$includedir/strads.h" "$libdir/pkgconfig/strads.pc" \
	"$mandir/man1/strads.1" "$mandir/man5/strads.conf.5" "$mandir/man3/strads.3"
set -- "$libdir"/libstrads.so.*
if [ -f "$1" ] && [ -L "$libdir/libstrads.so" ]; then
	echo "ok: installed ${1#"$dest"} and its libstrads.so link"
else
	echo "FAIL: no libstrads.so.N (or no libstrads.so link) in ${libdir#"$dest"}"
	fail=1
fi
[ -x "$bindir/strads" ] || { echo "FAIL: bin/strads is not executable"; fail=1; }
[ "$fail" = 0 ] || exit 1

# The installed program, with the installed library.
if LD_LIBRARY_PATH=$libdir "$bindir/strads" --help >"$tmp/help.txt" 2>&1 &&
	grep -q 'strads' "$tmp/help.txt"; then
	echo "ok: installed strads --help runs"
else
	echo "FAIL: installed strads --help:"
	sed 's/^/    /' "$tmp/help.txt" | head -10
	fail=1
fi

# pkg-config finds the installed .pc; the sysroot maps its -I and -L
# into DESTDIR.
export PKG_CONFIG_PATH="$libdir/pkgconfig"
export PKG_CONFIG_SYSROOT_DIR="$dest"
if ! "$PKG_CONFIG" --exists strads; then
	echo "FAIL: $PKG_CONFIG does not find strads in $PKG_CONFIG_PATH"
	exit 1
fi
cflags=$("$PKG_CONFIG" --cflags strads)
libs=$("$PKG_CONFIG" --libs strads)
echo "pkg-config --cflags --libs strads: $cflags $libs"
case " $cflags " in
*" -I$includedir "*) ;;
*) echo "FAIL: --cflags does not name the installed include dir"; fail=1 ;;
esac

# build NAME LIBS...: compile the example against the installed files.
# The sanitizer build's library needs the same runtime in the program.
build() {
	name=$1
	shift
	# shellcheck disable=SC2086 # flags are lists of words
	if $CC ${STRADS_EXAMPLE_CFLAGS:-} $cflags -o "$tmp/$name" \
		"$top_srcdir/doc/examples/lsq.c" ${STRADS_EXAMPLE_LDFLAGS:-} "$@" -lm \
		>"$tmp/$name.cc.txt" 2>&1; then
		echo "ok: built the example ($name)"
		return 0
	fi
	echo "FAIL: building the example ($name):"
	sed 's/^/    /' "$tmp/$name.cc.txt" | head -20
	fail=1
	return 1
}

# run NAME ENV...: the example solves its problem (exit 0, "ok").
run() {
	name=$1
	shift
	if env "$@" "$tmp/$name" >"$tmp/$name.out" 2>&1 &&
		grep -q 'largest error .*: ok$' "$tmp/$name.out"; then
		echo "ok: the example ($name) ran: $(tail -n 1 "$tmp/$name.out")"
	else
		echo "FAIL: the example ($name):"
		sed 's/^/    /' "$tmp/$name.out" | head -20
		fail=1
	fi
}

# shellcheck disable=SC2086
if build shared $libs; then
	run shared LD_LIBRARY_PATH="$libdir"
fi
# The static library alone: no LD_LIBRARY_PATH, and no libstrads.so
# needed at run time.
slibs=$(echo " $("$PKG_CONFIG" --static --libs strads) " |
	sed 's/ -lstrads / -Wl,-Bstatic -lstrads -Wl,-Bdynamic /')
case $slibs in
*-Bstatic*) ;;
*) echo "FAIL: pkg-config --static --libs strads lacks -lstrads: $slibs"; exit 1 ;;
esac
# shellcheck disable=SC2086
if build static $slibs; then
	run static -u LD_LIBRARY_PATH
fi
exit "$fail"
