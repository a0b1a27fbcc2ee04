#!/bin/sh
# plot.sh -- strads plot draws metrics files as one SVG chart: a value
# against time and against iterations, one curve a run. The SVG must
# have two curves a run, and rendered to PNG (rsvg-convert, from
# librsvg2-bin) show every run's colour; a log scale for the gap. Bad
# input is refused with the file and line.
set -u

top_builddir=${top_builddir:-.}
top_srcdir=${top_srcdir:-.}
strads=$(cd "$top_builddir" && pwd)/strads
pngcolors=$(cd "$top_srcdir" && pwd)/t/ref/png_colors.py
[ -x "$strads" ] || { echo "no $strads: build first"; exit 99; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 99
fail=0
bad() { echo "FAIL: $*"; fail=1; }

"$strads" gen lasso --out d.svm --n 2000 --p 4000 --nnz-per-row 20 --seed 4 2>/dev/null ||
	{ echo "strads gen failed"; exit 99; }
for s in cyclic priority random; do
	"$strads" run lasso --data d.svm --threads 1 --schedule $s --lambda-ratio 0.05 \
		--quiet --metrics $s.json --out $s.model || bad "strads run --schedule $s"
done

"$strads" plot cyclic.json priority.json random.json --y gap --out gap.svg ||
	bad "strads plot --y gap"
runs=$(grep -c '<polyline class="run"' gap.svg)
[ "$runs" -eq 6 ] || bad "gap.svg: $runs curves, expected 6 (3 runs x 2 panels)"
grep -q '>1e-' gap.svg || bad "gap.svg: the gap is not on a log scale"
grep -q 'cyclic.json' gap.svg || bad "gap.svg: no legend"
"$strads" plot cyclic.json priority.json --out obj.svg || bad "strads plot (objective)"
runs=$(grep -c '<polyline class="run"' obj.svg)
[ "$runs" -eq 4 ] || bad "obj.svg: $runs curves, expected 4"
grep -q '(log)' obj.svg && bad "obj.svg: the objective on a log scale by default"

# Rendered: each run's colour is drawn (more than a legend's worth of
# pixels), and the chart is not blank.
if command -v rsvg-convert >/dev/null 2>&1 && [ -x /usr/bin/python3 ]; then
	rsvg-convert gap.svg -o gap.png || bad "rsvg-convert gap.svg"
	set -- $(/usr/bin/python3 "$pngcolors" gap.png "#1f77b4" "#d62728" "#2ca02c")
	for k in 1 2 3; do
		eval "c=\${$k}"
		[ "$c" -gt 300 ] || bad "gap.png: run $k's colour on $c pixels only"
	done
	[ "$4" -gt $(($5 / 50)) ] || bad "gap.png: $4 of $5 pixels drawn: blank?"
	echo "gap.png: run colours on $1, $2, $3 pixels; $4 of $5 pixels drawn"
else
	echo "skip: the SVG is not rendered: no rsvg-convert (package librsvg2-bin) or /usr/bin/python3 (package python3)"
fi

# Bad input.
printf '{"iter": 1, "time_s": 0.1, "objective": 2}\nnot json\n' >broken.json
"$strads" plot broken.json --out b.svg 2>err.txt && bad "a broken metrics file was drawn"
grep -q "broken.json:2: expected a JSON object" err.txt || bad "broken.json: $(cat err.txt)"
"$strads" plot cyclic.json --y test_rmse --out b.svg 2>err.txt && bad "a missing key was drawn"
grep -q 'cyclic.json:1: no "test_rmse" in the record' err.txt || bad "no key: $(cat err.txt)"
"$strads" plot cyclic.json 2>err.txt; [ $? -eq 2 ] || bad "no --out: not a usage error"
"$strads" plot --out x.svg --bogus cyclic.json 2>err.txt; [ $? -eq 2 ] || bad "--bogus accepted"
"$strads" plot nofile.json --out x.svg 2>err.txt && bad "a missing file was drawn"
[ -e b.svg ] || [ -e x.svg ] && bad "a failed plot left a file"

[ $fail = 0 ] && echo "strads plot: curves, scales, rendering and bad input as expected"
exit $fail
