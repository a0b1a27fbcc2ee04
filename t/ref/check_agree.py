#!/usr/bin/python3
"""Compare the objectives of two outputs of glmnet_lasso.R / sklearn_lasso.py.

  /usr/bin/python3 t/ref/check_agree.py A.txt B.txt [--rtol 1e-6]

Block by block (blocks separated by `---`), checks that the lambdas agree
to 1e-12 relative and |objA - objB| <= rtol * max(|objA|, |objB|).
Prints one line per block; exit status 1 if any block disagrees.
"""
import argparse
import sys


def blocks(path):
    out, cur = [], {}
    with open(path) as f:
        for line in f:
            t = line.split()
            if not t:
                continue
            if t[0] == "---":
                out.append(cur)
                cur = {}
            elif t[0] in ("lambda", "objective", "nnz") and len(t) >= 2:
                cur[t[0]] = float(t[1])
    out.append(cur)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--rtol", type=float, default=1e-6)
    args = ap.parse_args()
    A, B = blocks(args.a), blocks(args.b)
    if len(A) != len(B):
        sys.exit("check_agree.py: %d vs %d blocks" % (len(A), len(B)))
    bad = 0
    worst = 0.0
    for k, (a, b) in enumerate(zip(A, B), 1):
        la, lb = a["lambda"], b["lambda"]
        oa, ob = a["objective"], b["objective"]
        rl = abs(la - lb) / max(abs(la), abs(lb))
        ro = abs(oa - ob) / max(abs(oa), abs(ob), 1e-300)
        worst = max(worst, ro)
        ok = rl <= 1e-12 and ro <= args.rtol
        bad += not ok
        print("block %d lambda %.10g obj %.17g %.17g rel %.3g nnz %d %d %s"
              % (k, la, oa, ob, ro, a.get("nnz", -1), b.get("nnz", -1), "ok" if ok else "DIFFER"))
    print("worst_rel %.3g %s" % (worst, "ok" if not bad else "FAIL"))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
