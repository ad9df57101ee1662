#!/usr/bin/python3
"""Make the small NPY and IDX fixtures under data/testdata with numpy.

Run from anywhere: /usr/bin/python3 data/testdata/make_fixtures.py
(numpy 1.24, Debian python3-numpy). The Go tests recompute the same values
from the formulas below, so every fixture is checked element by element.
"""
import gzip
import os
import struct

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))


def path(name):
    return os.path.join(here, name)


# --- NPY, written by numpy itself -----------------------------------------
a = np.arange(12, dtype=np.float64).reshape(3, 4) / 7 - 0.5
np.save(path("f8_3x4.npy"), a)
np.save(path("f4_5.npy"), (np.arange(5, dtype=np.float32) * np.float32(1.5) - np.float32(2)))
np.save(path("u1_2x3.npy"), (np.arange(6, dtype=np.uint8) * 50).reshape(2, 3))
np.save(path("f8_scalar.npy"), np.float64(3.25))
np.save(path("f8_empty_0x3.npy"), np.zeros((0, 3)))
np.save(path("f8be_2x2.npy"), (np.arange(4) + 0.125).reshape(2, 2).astype(">f8"))
with open(path("f8_v2_2x3.npy"), "wb") as f:
    np.lib.format.write_array(f, (np.arange(6, dtype=np.float64) - 2.5).reshape(2, 3), version=(2, 0))
# Rejected by the reader:
np.save(path("bad_fortran_2x3.npy"), np.asfortranarray(np.arange(6, dtype=np.float64).reshape(2, 3)))
np.save(path("bad_i8_3.npy"), np.arange(3, dtype=np.int64))
np.save(path("bad_nan_3.npy"), np.array([1.0, np.nan, 2.0]))

# --- IDX, written byte by byte with struct (format of yann.lecun.com) ---------
n, h, w = 5, 3, 2
imgs = np.array([[[(i * 7 + r * 3 + c) % 256 for c in range(w)] for r in range(h)] for i in range(n)], dtype=np.uint8)
labels = np.array([3, 0, 9, 1, 3], dtype=np.uint8)
img_bytes = struct.pack(">IIII", 0x00000803, n, h, w) + imgs.tobytes()
lab_bytes = struct.pack(">II", 0x00000801, n) + labels.tobytes()
with open(path("tiny-images-idx3-ubyte"), "wb") as f:
    f.write(img_bytes)
with open(path("tiny-labels-idx1-ubyte"), "wb") as f:
    f.write(lab_bytes)
with gzip.GzipFile(path("tiny-images-idx3-ubyte.gz"), "wb", mtime=0) as f:
    f.write(img_bytes)
with gzip.GzipFile(path("tiny-labels-idx1-ubyte.gz"), "wb", mtime=0) as f:
    f.write(lab_bytes)
# A float64 IDX array (type 0x0E) of shape 2x2.
with open(path("tiny-f8-idx2"), "wb") as f:
    f.write(struct.pack(">III", 0x00000E02, 2, 2) + np.array([1.5, -2.0, 0.0, 1e300], dtype=">f8").tobytes())
