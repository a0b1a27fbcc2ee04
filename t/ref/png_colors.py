#!/usr/bin/env python3
"""png_colors.py PNG COLOR... -- how many pixels of an 8-bit RGB or RGBA
PNG (non-interlaced, as rsvg-convert writes) are within 40 of each
#rrggbb COLOR, then how many are not white. Only the standard library
(zlib), so the plot test needs no imaging package."""
import struct
import sys
import zlib


def pixels(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit("%s: not a PNG" % path)
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, inter = struct.unpack(">IIBBBBB", body)
            if depth != 8 or ctype not in (2, 6) or inter != 0:
                sys.exit("%s: expected 8-bit RGB(A), not interlaced" % path)
            bpp = 4 if ctype == 6 else 3
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    out = []
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pr) & 255
        out.append(line)
        prev = line
    return w, h, bpp, out


def main():
    w, h, bpp, rows = pixels(sys.argv[1])
    want = [tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in sys.argv[2:]]
    counts = [0] * len(want)
    ink = 0
    for line in rows:
        for x in range(w):
            px = tuple(line[x * bpp:x * bpp + 3])
            alpha = line[x * bpp + 3] if bpp == 4 else 255
            if alpha > 0 and px != (255, 255, 255):
                ink += 1
            for k, c in enumerate(want):
                if alpha > 200 and all(abs(px[i] - c[i]) <= 40 for i in range(3)):
                    counts[k] += 1
    print(" ".join(str(c) for c in counts), ink, w * h)


main()
