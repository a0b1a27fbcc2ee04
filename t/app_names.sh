#!/bin/sh
# app_names.sh -- nothing outside apps/ names an app: no file under src/,
# actors/ or include/ mentions the name of an app folder under apps/
# (apps/common is not an app), case-insensitive, not even in a comment.
# The command line finds apps through the registry (apps/registry.h), so
# adding an app never edits the library or the CLI.
#
# Sources only (*.c, *.h: an in-tree build leaves objects there). A name
# of four letters or more is matched anywhere (so "lasso" in lasso_ws_app
# or bench_lasso.sh counts); a shorter one (mf, lda) only as a word of
# its own, not inside an identifier (STRADS__MF_CREDITED is a message
# flag).
set -u

top_srcdir=${top_srcdir:-.}
fail=0
names=""

for d in "$top_srcdir"/apps/*/; do
	name=$(basename "$d")
	[ "$name" = common ] || names="$names $name"
done
# The first app, named here too, so the test cannot pass by losing it.
case " $names " in *" lasso "*) ;; *) names="$names lasso" ;; esac

for name in $names; do
	if [ ${#name} -ge 4 ]; then
		re=$name
	else
		re="(^|[^[:alnum:]_])$name([^[:alnum:]_]|\$)"
	fi
	hits=$(cd "$top_srcdir" && grep -rniE --include='*.c' --include='*.h' -- "$re" \
	    src actors include)
	if [ -n "$hits" ]; then
		printf '%s\n' "$hits" | sed "s/^/names app '$name': /"
		fail=1
	fi
done

[ $fail = 0 ] && echo "no file under src/, actors/ or include/ names an app ($names )"
exit $fail
