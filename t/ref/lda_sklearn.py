#!/usr/bin/python3
"""lda_sklearn.py -- train scikit-learn's LatentDirichletAllocation on an
lda-c corpus and save the topic-word matrix (K x V probabilities, .npy)
for t/ref/lda_score.py, which scores every tool's topics with the same
document-completion estimator. Prints one line:
"train_s SECONDS tokens N iters I".

usage: lda_sklearn.py TRAIN.dat V OUT.npy [--topics K] [--alpha A]
           [--eta B] [--iters I] [--method batch|online] [--jobs J]
           [--seed S]
The priors are scikit-learn's doc_topic_prior and topic_word_prior (the
same symmetric alpha and beta as strads'); its variational topic-word
parameters (components_) are normalized row by row into phi.
"""
import argparse
import sys
import time

import numpy as np


def read_ldac(path, V):
    """Yields each document's (word, count) pairs."""
    with open(path) as f:
        for n, line in enumerate(f, 1):
            fields = line.split()
            if not fields:
                continue
            try:
                pairs = [(int(a), int(b)) for a, b in
                         (x.split(':') for x in fields[1:])]
            except ValueError:
                sys.exit("%s:%d: expected 'N id:count ...'" % (path, n))
            for w, c in pairs:
                if not 0 <= w < V:
                    sys.exit("%s:%d: word id %d: expected 0 to %d" %
                             (path, n, w, V - 1))
            yield pairs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('train')
    ap.add_argument('V', type=int)
    ap.add_argument('out')
    ap.add_argument('--topics', type=int, default=100)
    ap.add_argument('--alpha', type=float, default=0.1)
    ap.add_argument('--eta', type=float, default=0.01)
    ap.add_argument('--iters', type=int, default=10)
    ap.add_argument('--method', choices=['batch', 'online'], default='batch')
    ap.add_argument('--jobs', type=int, default=2)
    ap.add_argument('--seed', type=int, default=1)
    a = ap.parse_args()
    from scipy.sparse import csr_matrix
    from sklearn.decomposition import LatentDirichletAllocation
    indptr, idx, val = [0], [], []
    for pairs in read_ldac(a.train, a.V):
        for w, c in pairs:
            idx.append(w)
            val.append(c)
        indptr.append(len(idx))
    X = csr_matrix((np.array(val, dtype=np.float64), np.array(idx),
                    np.array(indptr)), shape=(len(indptr) - 1, a.V))
    tokens = int(X.sum())
    m = LatentDirichletAllocation(
        n_components=a.topics, doc_topic_prior=a.alpha,
        topic_word_prior=a.eta, learning_method=a.method,
        max_iter=a.iters, n_jobs=a.jobs, random_state=a.seed)
    t0 = time.time()
    m.fit(X)
    train_s = time.time() - t0
    phi = m.components_ / m.components_.sum(axis=1)[:, None]
    np.save(a.out, phi)
    print("train_s %.3f tokens %d iters %d" % (train_s, tokens, a.iters))


if __name__ == '__main__':
    main()
