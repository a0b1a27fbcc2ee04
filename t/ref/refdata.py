"""Shared data loading for the reference Lasso scripts (t/ref/).

Used by sklearn_lasso.py and objective.py; t/ref/glmnet_lasso.R implements
the same rules in R.  Run with Debian's /usr/bin/python3 (numpy, scipy).

Data conventions (identical in the R script):
  libsvm  "label idx:val idx:val ..." with 1-based indices (--index-base 0
          for 0-based files); '#' starts a comment; 'qid:' tokens are
          ignored.  p = max(highest 1-based index, --nfeatures).  Feature j
          (1-based) of the model is file index j (j-1 for 0-based files).
  csv     comma separated (tab if the first line has a tab), '"' quoting,
          blanks around fields trimmed.  --header auto: the first line is a
          header when some field of it is neither a number nor a missing
          marker while the same field of the second line is a number (so
          communities.data's text column does not make a header).  The
          target is --target (header name or 1-based index; default: last
          column).  Features are all remaining columns except --ignore, in
          file order; feature j (1-based) of the model is the j-th such
          column.  Missing markers (after trimming): '', '?', and NA / NaN
          in any case; other non-numbers and non-finite numbers in a target
          or feature column are errors (ignored columns are not looked at).
          --missing error (default): a missing value is an error;
          --missing drop: rows with a missing target or feature are dropped;
          --missing mean: rows with a missing target are dropped, each
          missing feature value is replaced by the mean of its column over
          the kept rows where it is present (an error if it never is).
          These are the rules of strads' apps/common/data.c.
"""
import csv
import sys

import numpy as np
import scipy.sparse as sp

def is_missing(s):
    return s == "" or s == "?" or s.lower() in ("na", "nan")


class DataError(Exception):
    pass


def _is_number(s):
    try:
        return np.isfinite(float(s))
    except ValueError:
        return False


def parse_cols(spec, names, ncol, what):
    """'1,3-5,7:9,name' -> sorted list of 0-based column indices."""
    out = []
    if spec is None or spec == "":
        return out
    for tok in spec.split(","):
        tok = tok.strip()
        if tok == "":
            continue
        if names is not None and tok in names:
            out.append(names.index(tok))
            continue
        rng = None
        for sep in ("-", ":"):
            a, s, b = tok.partition(sep)
            if s and a.strip().isdigit() and b.strip().isdigit():
                rng = (int(a), int(b))
                break
        if rng is not None:
            lo, hi = rng
            if lo < 1 or hi > ncol or lo > hi:
                raise DataError("%s: bad column range %r (file has %d columns)" % (what, tok, ncol))
            out.extend(range(lo - 1, hi))
        elif tok.isdigit():
            k = int(tok)
            if k < 1 or k > ncol:
                raise DataError("%s: column %d out of range 1..%d" % (what, k, ncol))
            out.append(k - 1)
        else:
            raise DataError("%s: unknown column %r%s" % (what, tok,
                            "" if names is not None else " (no header line, use 1-based indices)"))
    return sorted(set(out))


def load_csv(path, target=None, ignore=None, missing="error", header="auto"):
    with open(path, newline="") as f:
        first = f.readline()
        f.seek(0)
        delim = "\t" if "\t" in first else ","
        rows = [r for r in csv.reader(f, delimiter=delim)
                if len(r) > 0 and not (len(r) == 1 and r[0].strip() == "")]
    if not rows:
        raise DataError("%s: empty file" % path)
    rows = [[c.strip() for c in r] for r in rows]
    names = None
    if header == "auto":
        r0 = rows[0]
        r1 = rows[1] if len(rows) > 1 else None
        has_header = any(not _is_number(c) and not is_missing(c) and
                         (r1 is None or (j < len(r1) and _is_number(r1[j])))
                         for j, c in enumerate(r0))
    else:
        has_header = str(header) in ("1", "yes", "true")
    if has_header:
        names = rows[0]
        rows = rows[1:]
    ncol = len(names) if names is not None else len(rows[0])
    for i, r in enumerate(rows):
        if len(r) != ncol:
            raise DataError("%s: line %d has %d fields, expected %d"
                            % (path, i + 1 + (1 if has_header else 0), len(r), ncol))
    if target is None:
        tcol = ncol - 1
    else:
        t = parse_cols(str(target), names, ncol, "--target")
        if len(t) != 1:
            raise DataError("--target must name exactly one column")
        tcol = t[0]
    ign = set(parse_cols(ignore, names, ncol, "--ignore"))
    fcols = [c for c in range(ncol) if c != tcol and c not in ign]
    if not fcols:
        raise DataError("no feature columns left")

    def conv(c):
        v = np.empty(len(rows))
        for i, r in enumerate(rows):
            s = r[c]
            if is_missing(s):
                if missing == "error":
                    raise DataError("%s:%d: column %d: missing value %r (use --missing drop|mean)"
                                    % (path, i + 1 + has_header, c + 1, s))
                v[i] = np.nan
            elif _is_number(s):
                v[i] = float(s)
            else:
                raise DataError("%s:%d: column %d: expected a finite number, found %r "
                                "(--ignore the column if it is not a feature)"
                                % (path, i + 1 + has_header, c + 1, s))
        return v

    y = conv(tcol)
    X = np.column_stack([conv(c) for c in fcols])
    keep = ~np.isnan(y)
    y, X = y[keep], X[keep]
    miss = np.isnan(X)
    if missing == "drop":
        keep = ~miss.any(axis=1)
        X, y = X[keep], y[keep]
    elif missing == "mean":
        if miss.any():
            cnt = (~miss).sum(axis=0)
            if np.any(cnt == 0):
                j = int(np.flatnonzero(cnt == 0)[0])
                raise DataError("%s: column %d: every value is missing (--ignore the column)"
                                % (path, fcols[j] + 1))
            sums = np.where(miss, 0.0, X).sum(axis=0)
            X = np.where(miss, (sums / cnt)[None, :], X)
    elif missing != "error":
        raise DataError("--missing must be error, mean or drop")
    if X.shape[0] == 0:
        raise DataError("no rows left")
    return np.ascontiguousarray(X), y, {"feature_columns": [c + 1 for c in fcols],
                                         "target_column": tcol + 1}


def load_libsvm(path, nfeatures=0, index_base=1):
    from sklearn.datasets import load_svmlight_file
    X, y = load_svmlight_file(path, zero_based=(index_base == 0), dtype=np.float64)
    if nfeatures and nfeatures > X.shape[1]:
        X = sp.csr_matrix((X.data, X.indices, X.indptr), shape=(X.shape[0], nfeatures))
    X = sp.csc_matrix(X)
    X.sort_indices()
    return X, np.asarray(y, dtype=np.float64), {}


def load(args):
    if args.format == "csv":
        return load_csv(args.data, args.target, args.ignore, args.missing, args.header)
    if args.format == "libsvm":
        if args.target is not None or args.ignore:
            raise DataError("--target/--ignore are only meaningful for --format csv")
        return load_libsvm(args.data, args.nfeatures, args.index_base)
    raise DataError("--format must be libsvm or csv")


def add_data_args(ap):
    ap.add_argument("--data", required=True)
    ap.add_argument("--format", required=True, choices=["libsvm", "csv"])
    ap.add_argument("--target", default=None)
    ap.add_argument("--ignore", default=None)
    ap.add_argument("--missing", default="error", choices=["error", "mean", "drop"])
    ap.add_argument("--header", default="auto", choices=["auto", "0", "1"])
    ap.add_argument("--nfeatures", type=int, default=0,
                    help="libsvm: at least this many features (default: max index)")
    ap.add_argument("--index-base", type=int, default=1, choices=[0, 1],
                    help="libsvm: index of the first feature in the file (default 1)")


def col_stats(X):
    """Column means and population (ddof=0) standard deviations."""
    n = X.shape[0]
    if sp.issparse(X):
        mean = np.asarray(X.sum(axis=0)).ravel() / n
        sq = np.asarray(X.multiply(X).sum(axis=0)).ravel() / n
        var = np.maximum(sq - mean * mean, 0.0)
    else:
        mean = X.mean(axis=0)
        var = ((X - mean) ** 2).mean(axis=0)
    return mean, np.sqrt(var)


def constant_columns(X):
    """Columns whose values are all equal (glmnet excludes these)."""
    n = X.shape[0]
    if sp.issparse(X):
        X = sp.csc_matrix(X)
        out = np.zeros(X.shape[1], dtype=bool)
        for j in range(X.shape[1]):
            v = X.data[X.indptr[j]:X.indptr[j + 1]]
            if len(v) == 0:
                out[j] = True
            elif len(v) == n:
                out[j] = np.all(v == v[0])
            else:
                out[j] = np.all(v == 0)
        return out
    return np.all(X == X[0:1, :], axis=0)


def penalty_weights(X, standardize):
    """l1 weights on the original scale: 1, or the column sd when
    standardizing (glmnet's standardize=TRUE objective on the original
    scale is lambda * sum_j sd_j |b_j|)."""
    if not standardize:
        return np.ones(X.shape[1])
    return col_stats(X)[1]


def objective(X, y, b, b0, lam, weights):
    """(1/2n)||y - X b - b0||^2 + lam * sum_j w_j |b_j| in double precision."""
    n = X.shape[0]
    r = y - (X @ b) - b0
    return float(r @ r) / (2.0 * n) + lam * float(np.sum(weights * np.abs(b)))


def lambda_max(X, y, intercept, standardize):
    """max_j |x_j^T (y - ybar)| / n (y itself without intercept), on
    standardized columns when standardize (constant columns skipped)."""
    n = X.shape[0]
    r = y - y.mean() if intercept else y
    g = np.abs(np.asarray(X.T @ r).ravel()) / n
    if standardize:
        _, sd = col_stats(X)
        ok = sd > 0
        g = np.where(ok, g / np.where(ok, sd, 1.0), 0.0)
    return float(g.max()) if g.size else 0.0


def fmt(v):
    return repr(float(v))
