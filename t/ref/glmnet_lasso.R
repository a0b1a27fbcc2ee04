#!/usr/bin/env Rscript
# Reference Lasso solve with glmnet (Debian r-cran-glmnet).
#
#   Rscript t/ref/glmnet_lasso.R --data FILE --format libsvm|csv
#       [--target COL] [--ignore COLS] [--missing error|mean|drop]
#       [--header auto|0|1] [--nfeatures N] [--index-base 0|1]
#       [--lambda L | --lambda-ratio R | --path N [--min-ratio R]]
#       [--intercept 0|1] [--standardize 0|1] [--thresh 1e-14] [--maxit 1e7]
#       [--out FILE] [--time] [--no-path-warm]
#
# Objective: (1/2n)||y - X b - b0||^2 + lambda ||b||_1, i.e. glmnet
# family="gaussian", alpha=1, unit weights; glmnet's lambda is on this scale.
# --standardize is passed to glmnet as given (default 0).  With 1, glmnet
# standardizes columns by their 1/n sd and reports original-scale
# coefficients; the problem solved is then, on the original scale,
# (1/2n)||y - X b - b0||^2 + lambda sum_j sd_j |b_j|, and that is the
# objective printed.
#
# lambda_max = max_j |x_j^T (y - ybar)| / n (y instead of y - ybar without
# intercept), on standardized columns when --standardize 1.
# --lambda-ratio R: lambda = R * lambda_max.
#
# Single lambda: by default glmnet is given a decreasing path of 100
# log-spaced values from lambda_max down to the target (warm starts, as the
# glmnet documentation recommends); only the last solution is printed and
# time_s covers that whole glmnet() call.  --no-path-warm passes the single
# lambda alone (cold start).  --path N: lambda_max * min_ratio^(k/(N-1)),
# k = 0..N-1 (default min-ratio 1e-3), one block per lambda separated by
# '---'; time_s in every block is the time of the one glmnet() call.
# glmnet.control(fdev = 0, devmax = 1) is set so glmnet never stops a path
# early.  glmnet always excludes constant columns (see t/ref/README.md).
#
# Data rules are those of t/ref/refdata.py (see there and t/ref/README.md).
# The LIBSVM reader (readLines + one scan(); data.table is not installed)
# reads 2 M non-zeros in about 5 s here and holds the text in memory:
# fine up to some 10^7 non-zeros, memory-bound beyond.

suppressPackageStartupMessages({ library(Matrix); library(glmnet) })

die <- function(...) { cat("glmnet_lasso.R: ", ..., "\n", sep = "", file = stderr()); quit(status = 2) }

## ---------------------------------------------------------------- options
parse_args <- function(a) {
  flags <- c("time", "no-path-warm")
  o <- list()
  i <- 1
  while (i <= length(a)) {
    k <- a[i]
    if (!startsWith(k, "--")) die("unexpected argument '", k, "'")
    k <- substring(k, 3)
    if (grepl("=", k, fixed = TRUE)) {
      v <- sub("^[^=]*=", "", k); k <- sub("=.*$", "", k)
      o[[k]] <- v; i <- i + 1
    } else if (k %in% flags) {
      o[[k]] <- TRUE; i <- i + 1
    } else {
      if (i + 1 > length(a)) die("option --", k, " needs a value")
      o[[k]] <- a[i + 1]; i <- i + 2
    }
  }
  known <- c("data", "format", "target", "ignore", "missing", "header", "nfeatures", "index-base",
             "lambda", "lambda-ratio", "path", "min-ratio", "intercept", "standardize",
             "thresh", "maxit", "out", flags)
  bad <- setdiff(names(o), known)
  if (length(bad)) die("unknown option --", bad[1])
  o
}
opt <- parse_args(commandArgs(trailingOnly = TRUE))
getopt <- function(k, d = NULL) if (is.null(opt[[k]])) d else opt[[k]]
num <- function(k, d) { v <- getopt(k); if (is.null(v)) return(d)
  x <- suppressWarnings(as.numeric(v)); if (is.na(x)) die("--", k, ": not a number: ", v); x }

if (is.null(opt[["data"]])) die("--data is required")
fmt_in <- getopt("format"); if (is.null(fmt_in) || !(fmt_in %in% c("libsvm", "csv"))) die("--format libsvm|csv is required")
missing_rule <- getopt("missing", "error"); if (!(missing_rule %in% c("error", "mean", "drop"))) die("--missing error|mean|drop")
index_base <- num("index-base", 1); if (!(index_base %in% c(0, 1))) die("--index-base 0|1")
header_opt <- getopt("header", "auto")
intercept <- num("intercept", 1) != 0
standardize <- num("standardize", 0) != 0
thresh <- num("thresh", 1e-14)
maxit <- num("maxit", 1e7)
nsel <- sum(!is.null(opt[["lambda"]]), !is.null(opt[["lambda-ratio"]]), !is.null(opt[["path"]]))
if (nsel != 1) die("give exactly one of --lambda, --lambda-ratio, --path")
path_warm <- is.null(opt[["no-path-warm"]])

## ---------------------------------------------------------------- readers
is_missing <- function(s) s == "" | s == "?" | tolower(s) %in% c("na", "nan")
is_num <- function(s) { v <- suppressWarnings(as.numeric(s)); !is.na(v) & is.finite(v) & !is_missing(s) }

parse_cols <- function(spec, names, ncol, what) {
  if (is.null(spec) || spec == "") return(integer(0))
  out <- integer(0)
  for (tok in trimws(strsplit(spec, ",", fixed = TRUE)[[1]])) {
    if (tok == "") next
    if (!is.null(names) && tok %in% names) { out <- c(out, match(tok, names)); next }
    m <- regmatches(tok, regexec("^([0-9]+)[-:]([0-9]+)$", tok))[[1]]
    if (length(m) == 3) {
      lo <- as.integer(m[2]); hi <- as.integer(m[3])
      if (lo < 1 || hi > ncol || lo > hi) die(what, ": bad column range ", tok, " (file has ", ncol, " columns)")
      out <- c(out, lo:hi)
    } else if (grepl("^[0-9]+$", tok)) {
      k <- as.integer(tok)
      if (k < 1 || k > ncol) die(what, ": column ", k, " out of range 1..", ncol)
      out <- c(out, k)
    } else die(what, ": unknown column '", tok, "'",
               if (is.null(names)) " (no header line, use 1-based indices)" else "")
  }
  sort(unique(out))
}

read_csv_data <- function(file) {
  lines <- readLines(file, warn = FALSE)
  lines <- lines[trimws(lines) != ""]
  if (!length(lines)) die(file, ": empty file")
  delim <- if (grepl("\t", lines[1], fixed = TRUE)) "\t" else ","
  tab <- read.table(text = lines, sep = delim, header = FALSE, colClasses = "character",
                    quote = "\"", comment.char = "", na.strings = character(0),
                    strip.white = TRUE, fill = FALSE, check.names = FALSE)
  tab <- as.matrix(tab)
  tab[] <- trimws(tab)
  has_header <- if (header_opt == "auto") {
    r0 <- tab[1, ]
    cand <- !is_num(r0) & !is_missing(r0)
    if (nrow(tab) > 1) cand <- cand & is_num(tab[2, ])
    any(cand)
  } else header_opt == "1"
  names <- NULL
  if (has_header) { names <- unname(tab[1, ]); tab <- tab[-1, , drop = FALSE] }
  ncol <- ncol(tab)
  tcol <- if (is.null(opt[["target"]])) ncol else {
    t <- parse_cols(opt[["target"]], names, ncol, "--target")
    if (length(t) != 1) die("--target must name exactly one column"); t }
  ign <- parse_cols(getopt("ignore"), names, ncol, "--ignore")
  fcols <- setdiff(seq_len(ncol), c(tcol, ign))
  if (!length(fcols)) die("no feature columns left")
  conv <- function(c) {
    s <- tab[, c]
    miss <- is_missing(s)
    ok <- is_num(s)
    bad <- which(!ok & !miss)
    if (length(bad)) die(file, ":", bad[1] + has_header, ": column ", c, ": expected a finite number, found '",
                         s[bad[1]], "' (--ignore the column if it is not a feature)")
    if (missing_rule == "error" && any(miss))
      die(file, ":", which(miss)[1] + has_header, ": column ", c, ": missing value '",
          s[which(miss)[1]], "' (use --missing drop|mean)")
    v <- rep(NA_real_, length(s))
    v[ok] <- as.numeric(s[ok])
    v
  }
  y <- conv(tcol)
  X <- matrix(0, nrow(tab), length(fcols))
  for (k in seq_along(fcols)) X[, k] <- conv(fcols[k])
  keep <- !is.na(y)
  y <- y[keep]; X <- X[keep, , drop = FALSE]
  miss <- is.na(X)
  if (missing_rule == "drop") {
    keep <- rowSums(miss) == 0
    X <- X[keep, , drop = FALSE]; y <- y[keep]
  } else if (any(miss)) {
    cnt <- colSums(!miss)
    if (any(cnt == 0)) die(file, ": column ", fcols[which(cnt == 0)[1]],
                           ": every value is missing (--ignore the column)")
    sums <- colSums(ifelse(miss, 0, X))
    means <- sums / cnt
    idx <- which(miss, arr.ind = TRUE)
    X[idx] <- means[idx[, 2]]
  }
  if (!length(y)) die("no rows left")
  list(X = X, y = y)
}

read_libsvm <- function(file, nfeat = 0) {
  # readLines, turn "i:v" into "i v", then one C-level scan() of all numbers;
  # the number of ':' per line says where each label sits.
  lines <- readLines(file, warn = FALSE)
  if (any(grepl("#", lines, fixed = TRUE))) lines <- sub("#.*$", "", lines, perl = TRUE)
  if (any(grepl("qid:", lines, fixed = TRUE)))
    lines <- gsub("(^|[ \t])qid:[^ \t]*", " ", lines, perl = TRUE)
  lines <- lines[!grepl("^[ \t\r]*$", lines, perl = TRUE)]
  n <- length(lines)
  if (!n) die(file, ": no data lines")
  k <- nchar(lines) - nchar(gsub(":", "", lines, fixed = TRUE))
  tf <- tempfile(fileext = ".txt")
  writeLines(chartr(":", " ", lines), tf)
  v <- tryCatch(scan(tf, what = double(), quiet = TRUE),
                error = function(e) die(file, ": malformed LIBSVM data: ", conditionMessage(e)))
  unlink(tf)
  if (length(v) != n + 2 * sum(k)) die(file, ": malformed LIBSVM data (tokens without 'index:value')")
  pos <- cumsum(c(1, head(1 + 2 * k, -1)))
  y <- v[pos]
  rest <- v[-pos]
  idx <- rest[c(TRUE, FALSE)]; val <- rest[c(FALSE, TRUE)]
  if (anyNA(v) || any(idx != round(idx))) die(file, ": malformed index:value token")
  idx <- idx + (1 - index_base)
  if (length(idx) && min(idx) < 1) die(file, ": LIBSVM index below ", index_base, " (see --index-base)")
  p <- max(c(idx, nfeat, 1))
  X <- sparseMatrix(i = rep.int(seq_len(n), k), j = as.integer(idx), x = val, dims = c(n, p))
  list(X = X, y = y)
}

t0 <- as.numeric(Sys.time())
if (fmt_in == "csv") {
  d <- read_csv_data(opt[["data"]])
} else {
  if (!is.null(opt[["target"]]) || !is.null(opt[["ignore"]])) die("--target/--ignore are only meaningful for --format csv")
  d <- read_libsvm(opt[["data"]], as.integer(num("nfeatures", 0)))
}
t_read <- as.numeric(Sys.time()) - t0
X <- d$X; y <- d$y
n <- nrow(X); p <- ncol(X)

## ---------------------------------------------------------------- lambda
cm <- colMeans(X)
sd <- sqrt(pmax(colMeans(X * X) - cm * cm, 0))   # population (1/n) sd
if (inherits(sd, "Matrix")) sd <- as.numeric(sd)
sd <- as.numeric(sd); cm <- as.numeric(cm)
r0 <- if (intercept) y - mean(y) else y
g <- abs(as.numeric(crossprod(X, r0))) / n
if (standardize) g <- ifelse(sd > 0, g / ifelse(sd > 0, sd, 1), 0)
lambda_max <- max(g)
weights <- if (standardize) sd else rep(1, p)

if (!is.null(opt[["path"]])) {
  N <- as.integer(num("path", 0)); if (N < 1) die("--path N needs N >= 1")
  mr <- num("min-ratio", 1e-3)
  lams <- lambda_max * mr^((0:(N - 1)) / max(N - 1, 1))
  report <- seq_len(N)
} else {
  lam <- if (!is.null(opt[["lambda"]])) num("lambda", NA) else num("lambda-ratio", NA) * lambda_max
  if (!(lam > 0)) die("lambda must be > 0 (lambda_max = ", lambda_max, ")")
  if (path_warm && lam < lambda_max) {
    lams <- exp(seq(log(lambda_max), log(lam), length.out = 100))
    lams[100] <- lam
  } else lams <- lam
  report <- length(lams)
}

if (!intercept) {
  const <- which(sd == 0 & as.numeric(colSums(abs(X))) > 0)
  if (length(const))
    cat("glmnet_lasso.R: WARNING: glmnet excludes constant non-zero column(s) ",
        paste(head(const, 5), collapse = ","), " although --intercept 0\n", sep = "", file = stderr())
}

## ---------------------------------------------------------------- fit
glmnet.control(fdev = 0, devmax = 1)
t1 <- as.numeric(Sys.time())
fit <- glmnet(X, y, family = "gaussian", alpha = 1, lambda = lams, thresh = thresh,
              intercept = intercept, standardize = standardize, maxit = maxit)
t_fit <- as.numeric(Sys.time()) - t1
glmnet.control(factory = TRUE)
if (length(fit$lambda) != length(lams)) die("glmnet returned ", length(fit$lambda), " of ", length(lams), " lambdas")
if (!is.null(fit$jerr) && fit$jerr != 0) cat("glmnet_lasso.R: WARNING: glmnet jerr = ", fit$jerr, "\n", sep = "", file = stderr())

## ---------------------------------------------------------------- output
f17 <- function(v) sprintf("%.17g", v)
out <- if (is.null(opt[["out"]])) stdout() else file(opt[["out"]], "w")
beta <- fit$beta
first <- TRUE
for (k in report) {
  b <- as.numeric(beta[, k])
  b0 <- if (intercept) as.numeric(fit$a0[k]) else 0
  lam <- lams[k]
  r <- y - as.numeric(X %*% b) - b0
  obj <- sum(r * r) / (2 * n) + lam * sum(weights * abs(b))
  nz <- which(b != 0)
  if (!first) writeLines("---", out)
  first <- FALSE
  writeLines(c(paste("lambda", f17(lam)), paste("intercept", f17(b0)),
               paste("objective", f17(obj)), paste("nnz", length(nz)),
               paste("time_s", sprintf("%.6f", t_fit)), paste("lambda_max", f17(lambda_max)),
               paste("n", n), paste("p", p),
               paste0("solver glmnet-", packageVersion("glmnet"),
                      if (length(lams) > 1 && is.null(opt[["path"]])) "-warmpath" else "")), out)
  if (length(nz)) writeLines(paste("coef", nz, f17(b[nz])), out)
}
if (!is.null(opt[["out"]])) close(out)
if (!is.null(opt[["time"]]))
  cat(sprintf("time_read_s %.6f\ntime_fit_s %.6f\n", t_read, t_fit), file = stderr())
