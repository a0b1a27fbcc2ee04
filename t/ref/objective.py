#!/usr/bin/python3
"""Objective of a Lasso model on a data set (run with /usr/bin/python3).

  /usr/bin/python3 t/ref/objective.py --model MODEL --data FILE --format libsvm|csv
      [--target COL] [--ignore COLS] [--missing error|mean|drop] [--header auto|0|1]
      [--nfeatures N] [--index-base 0|1] [--lambda L] [--standardize 0|1] [--block K] [--verbose]

Prints `objective <v>` with v = (1/2n)||y - X b - b0||^2 + lambda ||b||_1
computed in double precision (with --standardize 1, or a `standardize 1`
header, the penalty is lambda * sum_j sd_j |b_j|, sd the population sd, as
in glmnet_lasso.R / sklearn_lasso.py).  Data are loaded with the rules of
refdata.py (same as the solvers), so feature j is the j-th non-target,
non-ignored CSV column, or LIBSVM index j.

Model file (liberal): header lines `# key value`, `# key: value`,
`key value`, `key: value` or `key=value` with keys app, lambda, intercept
(the intercept value b0; `b0`/`bias` accepted too), n, p, index_base (0 or 1,
default 1), standardize; coefficient lines `index value` or
`coef index value`.  Other keys are ignored.  The output of
glmnet_lasso.R / sklearn_lasso.py is accepted (blocks separated by `---`;
--block K picks the K-th, 1-based, default 1).  --lambda overrides the
model's lambda.  With --verbose also prints loss, penalty, nnz, n, p.
"""
import argparse
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import refdata  # noqa: E402


def read_model(path, block):
    hdr, coefs = {}, []
    cur = 1
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            s = line.strip()
            if s == "":
                continue
            if s == "---":
                cur += 1
                continue
            if cur != block:
                continue
            comment = s.startswith("#")
            s = s.lstrip("#").strip()
            if s == "":
                continue
            toks = [t for t in re.split(r"[\s:=,]+", s) if t != ""]
            if not comment and toks and toks[0] == "coef":
                toks = toks[1:]
            if not comment and len(toks) == 2 and re.fullmatch(r"[+-]?\d+", toks[0]):
                try:
                    coefs.append((int(toks[0]), float(toks[1])))
                    continue
                except ValueError:
                    pass
            if len(toks) >= 2 and re.fullmatch(r"[A-Za-z_][\w.-]*", toks[0]):
                hdr[toks[0].lower()] = toks[1]
            elif not comment:
                sys.exit("objective.py: %s:%d: cannot parse %r" % (path, lineno, line.rstrip()))
    if cur < block:
        sys.exit("objective.py: %s has only %d block(s)" % (path, cur))
    return hdr, coefs


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    ap.add_argument("--model", required=True)
    refdata.add_data_args(ap)
    ap.add_argument("--lambda", dest="lam", type=float, default=None)
    ap.add_argument("--standardize", type=int, default=None, choices=[0, 1])
    ap.add_argument("--block", type=int, default=1)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()

    hdr, coefs = read_model(args.model, args.block)
    try:
        X, y, _ = refdata.load(args)
    except refdata.DataError as e:
        sys.exit("objective.py: %s" % e)
    n, p = X.shape

    lam = args.lam
    if lam is None:
        if "lambda" not in hdr:
            sys.exit("objective.py: model has no lambda; pass --lambda")
        lam = float(hdr["lambda"])
    b0 = 0.0
    for k in ("intercept", "b0", "bias"):
        if k in hdr:
            b0 = float(hdr[k])
            break
    std = args.standardize
    if std is None:
        std = int(float(hdr.get("standardize", 0)))
    base = int(float(hdr.get("index_base", 1)))
    if base not in (0, 1):
        sys.exit("objective.py: index_base must be 0 or 1")
    if "n" in hdr and int(float(hdr["n"])) != n:
        sys.stderr.write("objective.py: WARNING: model says n=%s, data has %d rows\n" % (hdr["n"], n))
    if "p" in hdr and int(float(hdr["p"])) != p:
        sys.stderr.write("objective.py: WARNING: model says p=%s, data has %d features\n" % (hdr["p"], p))

    b = np.zeros(p)
    for j, v in coefs:
        k = j - base
        if k < 0 or k >= p:
            if v != 0.0:
                sys.exit("objective.py: coefficient index %d outside 1..%d features (index_base %d)"
                         % (j, p, base))
            continue
        b[k] += v
    w = refdata.penalty_weights(X, std)
    r = y - (X @ b) - b0
    loss = float(r @ r) / (2.0 * n)
    pen = lam * float(np.sum(w * np.abs(b)))
    print("objective %s" % refdata.fmt(loss + pen))
    if args.verbose:
        print("loss %s\npenalty %s\nlambda %s\nintercept %s\nnnz %d\nn %d\np %d"
              % (refdata.fmt(loss), refdata.fmt(pen), refdata.fmt(lam), refdata.fmt(b0),
                 int(np.count_nonzero(b)), n, p))


if __name__ == "__main__":
    main()
