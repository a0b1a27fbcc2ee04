#!/usr/bin/python3
"""lda_gensim.py -- train gensim's LdaModel or LdaMulticore on an lda-c
corpus and save the topic-word matrix (K x V probabilities, .npy) for
t/ref/lda_score.py. Prints one line: "train_s SECONDS tokens N passes P".

usage: lda_gensim.py TRAIN.dat V OUT.npy --model lda|multicore
           [--topics K] [--alpha A] [--eta B] [--passes P] [--seed S]
"""
import argparse
import sys
import time

import numpy as np


def read_ldac(path):
    docs = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            fields = line.split()
            if not fields:
                continue
            try:
                docs.append([(int(a), int(b)) for a, b in
                             (x.split(':') for x in fields[1:])])
            except ValueError:
                sys.exit("%s:%d: expected 'N id:count ...'" % (path, n))
    return docs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('train')
    ap.add_argument('V', type=int)
    ap.add_argument('out')
    ap.add_argument('--model', choices=['lda', 'multicore'], default='lda')
    ap.add_argument('--topics', type=int, default=100)
    ap.add_argument('--alpha', type=float, default=0.1)
    ap.add_argument('--eta', type=float, default=0.01)
    ap.add_argument('--passes', type=int, default=1)
    ap.add_argument('--seed', type=int, default=1)
    a = ap.parse_args()
    from gensim.models import LdaModel, LdaMulticore
    docs = read_ldac(a.train)
    tokens = sum(c for d in docs for _, c in d)
    id2word = {i: str(i) for i in range(a.V)}
    t0 = time.time()
    if a.model == 'lda':
        m = LdaModel(docs, num_topics=a.topics, id2word=id2word, alpha=a.alpha,
                     eta=a.eta, passes=a.passes, random_state=a.seed)
    else:
        # One worker process besides the main one: two cores.
        m = LdaMulticore(docs, num_topics=a.topics, id2word=id2word,
                         alpha=a.alpha, eta=a.eta, passes=a.passes,
                         random_state=a.seed, workers=1)
    train_s = time.time() - t0
    np.save(a.out, m.get_topics())
    print("train_s %.3f tokens %d passes %d" % (train_s, tokens, a.passes))


if __name__ == '__main__':
    main()
