#!/usr/bin/python3
"""Reference Lasso solve with scikit-learn (run with /usr/bin/python3).

  /usr/bin/python3 t/ref/sklearn_lasso.py --data FILE --format libsvm|csv
      [--target COL] [--ignore COLS] [--missing error|mean|drop] [--header auto|0|1]
      [--nfeatures N] [--index-base 0|1]
      [--lambda L | --lambda-ratio R | --path N [--min-ratio R]]
      [--intercept 0|1] [--standardize 0|1] [--thresh TOL] [--maxit N]
      [--out FILE] [--time] [--no-path-warm]

Objective: (1/2n)||y - X b - b0||^2 + lambda ||b||_1  (sklearn's Lasso with
alpha = lambda).  With --standardize 1 the columns are divided by their
population sd (ddof=0) before fitting (sklearn centres them itself when
fitting the intercept), coefficients are mapped back to the original scale,
and the reported objective is the one that was minimised, which on the
original scale is (1/2n)||y - X b - b0||^2 + lambda sum_j sd_j |b_j|
(same as glmnet's standardize=TRUE).  Constant columns are excluded when
standardizing (as glmnet does).

--thresh is sklearn's `tol` (duality-gap tolerance relative to ||y||^2);
default 1e-12.  It is not comparable to glmnet's `thresh`.
A single lambda is one cold-start Lasso.fit (--no-path-warm is accepted and
ignored).  --path N uses sklearn.linear_model.lasso_path on the sequence
lambda_max * min_ratio^(k/(N-1)), k = 0..N-1 (default min-ratio 1e-3).
See t/ref/README.md for the output format.
"""
import argparse
import os
import sys
import time
import warnings

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import refdata  # noqa: E402
from refdata import fmt  # noqa: E402


def write_block(out, lam, b0, obj, b, t, lmax, n, p, extra=()):
    nz = np.flatnonzero(b)
    out.write("lambda %s\n" % fmt(lam))
    out.write("intercept %s\n" % fmt(b0))
    out.write("objective %s\n" % fmt(obj))
    out.write("nnz %d\n" % len(nz))
    out.write("time_s %.6f\n" % t)
    out.write("lambda_max %s\n" % fmt(lmax))
    out.write("n %d\np %d\n" % (n, p))
    for k, v in extra:
        out.write("%s %s\n" % (k, v))
    for j in nz:
        out.write("coef %d %s\n" % (j + 1, fmt(b[j])))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    refdata.add_data_args(ap)
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--lambda", dest="lam", type=float)
    g.add_argument("--lambda-ratio", type=float)
    g.add_argument("--path", type=int)
    ap.add_argument("--min-ratio", type=float, default=1e-3)
    ap.add_argument("--intercept", type=int, default=1, choices=[0, 1])
    ap.add_argument("--standardize", type=int, default=0, choices=[0, 1])
    ap.add_argument("--thresh", "--tol", dest="tol", type=float, default=1e-12)
    ap.add_argument("--maxit", type=int, default=10_000_000)
    ap.add_argument("--out", default=None)
    ap.add_argument("--time", action="store_true",
                    help="also print a timing breakdown on stderr")
    ap.add_argument("--no-path-warm", action="store_true", help="accepted, no effect")
    args = ap.parse_args()

    from sklearn.linear_model import Lasso, lasso_path
    from sklearn.exceptions import ConvergenceWarning

    t0 = time.perf_counter()
    try:
        X, y, _info = refdata.load(args)
    except refdata.DataError as e:
        sys.exit("sklearn_lasso.py: %s" % e)
    t_read = time.perf_counter() - t0
    n, p = X.shape
    intercept = bool(args.intercept)
    lmax = refdata.lambda_max(X, y, intercept, args.standardize)

    # scaling used for fitting: X_fit = X * diag(scale)
    if args.standardize:
        _, sd = refdata.col_stats(X)
        scale = np.where(sd > 0, 1.0 / np.where(sd > 0, sd, 1.0), 0.0)
        if sp.issparse(X):
            Xf = sp.csc_matrix(X @ sp.diags(scale))
        else:
            Xf = X * scale[None, :]
    else:
        scale = np.ones(p)
        Xf = X
    weights = refdata.penalty_weights(X, args.standardize)

    if args.path is not None:
        if args.path < 1:
            sys.exit("sklearn_lasso.py: --path N needs N >= 1")
        N = args.path
        lams = lmax * args.min_ratio ** (np.arange(N) / max(N - 1, 1))
    elif args.lam is not None:
        lams = np.array([args.lam])
    else:
        lams = np.array([args.lambda_ratio * lmax])
    if np.any(lams <= 0):
        sys.exit("sklearn_lasso.py: lambda must be > 0 (lambda_max = %g)" % lmax)

    nconv = []
    with warnings.catch_warnings(record=True) as wlist:
        warnings.simplefilter("always", ConvergenceWarning)
        if args.path is None:
            m = Lasso(alpha=float(lams[0]), fit_intercept=intercept, tol=args.tol,
                      max_iter=args.maxit, precompute=False, selection="cyclic")
            t1 = time.perf_counter()
            m.fit(Xf, y)
            t_fit = time.perf_counter() - t1
            coefs = m.coef_.reshape(-1, 1)
            b0s = np.array([m.intercept_ if intercept else 0.0])
        else:
            # lasso_path fits no intercept: centre y (and X) ourselves.
            kw = {}
            if intercept:
                ybar = y.mean()
                yc = y - ybar
                if sp.issparse(Xf):
                    xbar = np.asarray(Xf.mean(axis=0)).ravel()
                    Xc = Xf
                    kw = {"X_offset": xbar, "X_scale": np.ones(p)}
                else:
                    xbar = Xf.mean(axis=0)
                    Xc = np.asfortranarray(Xf - xbar[None, :])
            else:
                yc, Xc = y, (Xf if sp.issparse(Xf) else np.asfortranarray(Xf))
            t1 = time.perf_counter()
            alphas, coefs, _gaps = lasso_path(Xc, yc, alphas=lams, tol=args.tol,
                                              max_iter=args.maxit, **kw)
            t_fit = time.perf_counter() - t1
            if not np.allclose(alphas, lams, rtol=0, atol=0):
                sys.exit("sklearn_lasso.py: lasso_path reordered the lambda sequence")
            b0s = (ybar - xbar @ coefs) if intercept else np.zeros(len(lams))
        for w in wlist:
            if issubclass(w.category, ConvergenceWarning):
                nconv.append(str(w.message))
                sys.stderr.write("sklearn_lasso.py: WARNING: %s\n" % w.message)

    out = open(args.out, "w") if args.out else sys.stdout
    for k, lam in enumerate(lams):
        b = coefs[:, k] * scale
        b0 = float(b0s[k])
        obj = refdata.objective(X, y, b, b0, lam, weights)
        if k:
            out.write("---\n")
        write_block(out, lam, b0, obj, b, t_fit, lmax, n, p,
                    extra=[("solver", "sklearn-%s" % __import__("sklearn").__version__)]
                    + ([("converged", "0")] if nconv else []))
    if out is not sys.stdout:
        out.close()
    if args.time:
        sys.stderr.write("time_read_s %.6f\ntime_fit_s %.6f\n" % (t_read, t_fit))


if __name__ == "__main__":
    main()
