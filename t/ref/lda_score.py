#!/usr/bin/python3
"""lda_score.py -- held-out perplexity by document completion of a
topic-word matrix, the same estimator for every tool (doc/lda.md): for
each test document (lda-c, its id:count pairs expanded in order), the
topic proportions are sampled from its even-position tokens with phi
fixed (SWEEPS sweeps of Gibbs, theta averaged over the second half), and
its odd-position tokens are scored: exp(-sum log sum_k theta_k phi_kw /
count). Prints "perplexity X".

usage: lda_score.py TEST.dat (--strads MODEL | --npy PHI.npy)
           [--alpha A] [--sweeps N] [--seed S]
A strads model's phi is (n_wk + beta) / (n_k + V beta), beta its own.
"""
import argparse
import math

import numpy as np


def read_ldac(path):
    docs = []
    with open(path) as f:
        for line in f:
            fields = line.split()
            if not fields:
                continue
            toks = []
            for x in fields[1:]:
                a, b = x.split(':')
                toks += [int(a)] * int(b)
            docs.append(toks)
    return docs


def strads_phi(path):
    K = V = None
    beta = None
    rows = []
    with open(path) as f:
        for line in f:
            if line.startswith('#'):
                p = line.split()
                if len(p) >= 3 and p[1] == 'topics':
                    K = int(p[2])
                elif len(p) >= 3 and p[1] == 'words':
                    V = int(p[2])
                elif len(p) >= 3 and p[1] == 'beta':
                    beta = float(p[2])
                continue
            rows.append(line.split()[1:])
    n = np.zeros((V, K))
    for v, r in enumerate(rows):
        for x in r:
            k, c = x.split(':')
            n[v, int(k)] = int(c)
    phi = (n + beta) / (n.sum(axis=0) + V * beta)
    return phi.T  # K x V


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('test')
    ap.add_argument('--strads')
    ap.add_argument('--npy')
    ap.add_argument('--alpha', type=float, default=0.1)
    ap.add_argument('--sweeps', type=int, default=20)
    ap.add_argument('--seed', type=int, default=1)
    a = ap.parse_args()
    phi = strads_phi(a.strads) if a.strads else np.load(a.npy)
    phi = phi / phi.sum(axis=1, keepdims=True)
    K = phi.shape[0]
    rng = np.random.default_rng(a.seed)
    lsum, count = 0.0, 0
    for toks in read_ldac(a.test):
        obs, held = toks[0::2], toks[1::2]
        if not held:
            continue
        z = rng.integers(0, K, len(obs))
        ndk = np.bincount(z, minlength=K).astype(float)
        theta = np.zeros(K)
        kept = 0
        cols = [phi[:, w] for w in obs]
        for it in range(a.sweeps):
            u = rng.random(len(obs))
            for i, f in enumerate(cols):
                ndk[z[i]] -= 1
                p = np.cumsum((ndk + a.alpha) * f)
                k = int(np.searchsorted(p, u[i] * p[-1], side='right'))
                z[i] = min(k, K - 1)
                ndk[z[i]] += 1
            if it >= a.sweeps // 2:
                theta += (ndk + a.alpha) / (len(obs) + K * a.alpha)
                kept += 1
        theta /= kept
        pw = theta @ phi[:, held]
        lsum += float(np.log(pw).sum())
        count += len(held)
    print("perplexity %.4f" % math.exp(-lsum / count))


if __name__ == '__main__':
    main()
