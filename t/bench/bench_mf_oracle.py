#!/usr/bin/python3
"""bench_mf_oracle.py -- how near the noise floor can any MF fit come on the
bench's MovieLens-10M-shaped set (doc/mf.md, "How near the floor")?

Draws a set from the same model as `strads gen mf` (numpy's generator,
so not the same ratings, the same law): 3.5 + user bias (sd 0.4) + item
bias (sd 0.5) + w_u . h_i (rank K; w entries N(0, 0.81/K) and h
entries N(0, 1), as gen mf draws them, so w . h has variance 0.81) +
noise (sd 0.8), rounded to half steps and clipped to [1, 5]; users and items by
Zipf popularity (exponents 0.6 and 0.9); each pair once; 10 % held out.

Then prints the test RMSE of:
  floor   the planted model itself;
  oracle  each user's (b_u, w_u) fitted by the posterior mean under the
          true prior, with everything about the items known (c_i, h_i)
          and mu known. A fit that must also learn the items knows less
          and, in expectation, does no better than this (the posterior
          mean is the best predictor in squared error given what it
          sees), so if the oracle is above 1.01 x floor the issue's
          target is out of reach of any solver, not just ours.
usage: bench_mf_oracle.py [USERS ITEMS RATINGS RANK [SEED]]
"""
import sys

import numpy as np


def zipf_ids(rng, n, s, size):
    w = 1.0 / np.arange(1, n + 1) ** s
    cdf = np.cumsum(w / w.sum())
    ranks = np.minimum(np.searchsorted(cdf, rng.random(size)), n - 1)
    return rng.permutation(n)[ranks]


def main():
    a = sys.argv[1:]
    nu, ni, nr, k = (int(x) for x in a[:4]) if len(a) >= 4 else (70000, 10000, 10000000, 40)
    seed = int(a[4]) if len(a) > 4 else 1
    rng = np.random.default_rng(seed)
    # Pairs by popularity, each once: draw more than needed and keep the
    # first occurrence of each.
    pairs = np.empty(0, dtype=np.int64)
    while pairs.size < nr:
        m = int((nr - pairs.size) * 1.3) + 1000
        p = zipf_ids(rng, nu, 0.6, m).astype(np.int64) * ni + zipf_ids(rng, ni, 0.9, m)
        pairs = np.concatenate([pairs, p])
        _, first = np.unique(pairs, return_index=True)
        pairs = pairs[np.sort(first)]
    pairs = pairs[:nr]
    u, i = pairs // ni, pairs % ni
    sd = np.sqrt(0.81 / k)
    W, H = rng.normal(0, sd, (nu, k)), rng.normal(0, 1, (ni, k))
    bu, bi = rng.normal(0, 0.4, nu), rng.normal(0, 0.5, ni)
    truth = 3.5 + bu[u] + bi[i] + np.einsum("nk,nk->n", W[u], H[i])
    r = np.clip(np.round((truth + rng.normal(0, 0.8, nr)) * 2) / 2, 1, 5)
    test = rng.random(nr) < 0.1
    floor = np.sqrt(np.mean((r[test] - truth[test]) ** 2))
    # The oracle: per user, y = r - 3.5 - c_i = [1, h_i] . [b_u, w_u] +
    # e, prior [b_u, w_u] ~ N(0, diag(0.16, sd^2 ...)), e's variance the
    # noise as the rounding and clipping leave it (measured on train).
    tr = ~test
    s2 = np.mean((r[tr] - truth[tr]) ** 2)
    prior = np.concatenate([[0.4 ** 2], np.full(k, sd ** 2)])
    y = r - 3.5 - bi[i]
    H1 = np.hstack([np.ones((ni, 1)), H])
    order = np.argsort(u, kind="stable")
    starts = np.searchsorted(u[order], np.arange(nu + 1))
    pred = np.empty(nr)
    nrated = np.zeros(nu)
    for uu in range(nu):
        idx = order[starts[uu]:starts[uu + 1]]
        if idx.size == 0:
            continue
        t = idx[tr[idx]]
        nrated[uu] = t.size
        Xt = H1[i[t]]
        A = Xt.T @ Xt / s2 + np.diag(1 / prior)
        post = np.linalg.solve(A, Xt.T @ y[t] / s2)
        pred[idx] = 3.5 + bi[i[idx]] + H1[i[idx]] @ post
    oracle = np.sqrt(np.mean((r[test] - pred[test]) ** 2))
    print(f"users {nu} items {ni} ratings {nr} rank {k} seed {seed}")
    print(f"training ratings a user: mean {nrated.mean():.1f}, median {np.median(nrated):.0f}")
    print(f"floor {floor:.4f}  (1.01 x floor {1.01 * floor:.4f})")
    print(f"oracle (items known, users by posterior mean) {oracle:.4f} = {oracle / floor:.4f} x floor")


if __name__ == "__main__":
    main()
