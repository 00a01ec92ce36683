#!/usr/bin/env python3
"""Writes the small .npy fixtures that Tests/ComputeTests/NpyTests.swift reads.

Run from the repository root:  python3 scripts/make_npy_fixtures.py
The expected values are hardcoded in NpyTests.swift; change both together.
"""
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "ComputeTests", "Fixtures", "npy")


def save(name, array, version=None):
    path = os.path.join(OUT, name)
    with open(path, "wb") as f:
        np.lib.format.write_array(f, array, version=version, allow_pickle=False)
    return path


def main():
    os.makedirs(OUT, exist_ok=True)

    # Readable fixtures, one per dtype and rank.
    save("f32_2x3.npy", np.array([[0.0, 1.0, -1.5], [1e-3, 2.5, 3.0]], dtype="<f4"))
    save("f64_4.npy", np.array([0.0, -1.5, 1e-3, np.pi], dtype="<f8"))
    save("c64_2x2.npy", np.array([[1 + 2j, -1.5 + 0j], [1e-3j, 3 - 4j]], dtype="<c8"))
    save("c128_3.npy", np.array([1 + 2j, -1.5 - 0.25j, 1e-3 + 1e10j], dtype="<c16"))
    i32 = np.arange(8, dtype="<i4").reshape(2, 2, 2) - 3
    i32[0, 0, 0] = -(2**31)
    i32[1, 1, 1] = 2**31 - 1
    save("i32_2x2x2.npy", i32)
    save("i64_5.npy", np.array([0, -1, 2**40, -(2**62), 2**63 - 1], dtype="<i8"))
    save("f32_0x3.npy", np.zeros((0, 3), dtype="<f4"))
    # Other format versions (4-byte header length).
    save("f64_v2.npy", np.arange(3, dtype="<f8") - 1.5, version=(2, 0))
    save("f64_v3.npy", np.arange(3, dtype="<f8") - 1.5, version=(3, 0))

    # Files that must be refused.
    save("f32_fortran_2x3.npy", np.asfortranarray(np.arange(6, dtype="<f4").reshape(2, 3)))
    save("f64_bigendian_3.npy", np.array([1.0, 2.0, 3.0], dtype=">f8"))
    save("u2_4.npy", np.arange(4, dtype="<u2"))
    save("f32_4d.npy", np.arange(4, dtype="<f4").reshape(1, 2, 1, 2))
    save("f64_0d.npy", np.array(2.5, dtype="<f8"))
    whole = open(save("f64_truncated.npy", np.arange(4, dtype="<f8")), "rb").read()
    with open(os.path.join(OUT, "f64_truncated.npy"), "wb") as f:
        f.write(whole[:-5])  # 32 payload bytes expected, 27 present
    with open(os.path.join(OUT, "not_npy.npy"), "wb") as f:
        f.write(b"PK\x03\x04 this is not a .npy file\n")

    for name in sorted(os.listdir(OUT)):
        size = os.path.getsize(os.path.join(OUT, name))
        assert size < 2048, name
        print(f"{name:24} {size:5} bytes")


if __name__ == "__main__":
    main()
