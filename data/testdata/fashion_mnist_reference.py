#!/usr/bin/python3
"""Reference values of the real Fashion-MNIST IDX files, computed
independently of the Go reader (gzip + numpy), for data/idx_real_test.go.

Usage: /usr/bin/python3 data/testdata/fashion_mnist_reference.py \
           [/usr/share/datasets/fashion-mnist] > data/testdata/fashion_mnist_reference.json
"""
import gzip
import json
import sys

import numpy as np

d = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
out = {}
for split, prefix in (("train", "train"), ("test", "t10k")):
    with gzip.open(f"{d}/{prefix}-images-idx3-ubyte.gz") as f:
        raw = f.read()
    assert int.from_bytes(raw[:4], "big") == 0x803
    n, r, c = (int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(3))
    img = np.frombuffer(raw[16:], dtype=np.uint8).reshape(n, r, c)
    with gzip.open(f"{d}/{prefix}-labels-idx1-ubyte.gz") as f:
        lraw = f.read()
    assert int.from_bytes(lraw[:4], "big") == 0x801
    lab = np.frombuffer(lraw[8:], dtype=np.uint8)
    out[split] = {
        "n": int(n), "rows": int(r), "cols": int(c),
        "first_labels": [int(v) for v in lab[:20]],
        "label_counts": [int(v) for v in np.bincount(lab, minlength=10)],
        "pixel_sum": int(img.astype(np.int64).sum()),
        "first_image_sum": int(img[0].astype(np.int64).sum()),
        "last_image_sum": int(img[-1].astype(np.int64).sum()),
        "label_sum": int(lab.astype(np.int64).sum()),
    }
json.dump(out, sys.stdout, indent=1)
print()
