#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""fb2png.py RAW WIDTH HEIGHT BPP STRIDE OUT.png

Turns a raw XRGB8888 dump of /dev/fb0 into a PNG. Exits 1 when the picture
is blank (one colour), so a screenshot test can fail.
"""
import struct
import sys
import zlib


def main():
    raw, w, h, bpp, stride, out = sys.argv[1:7]
    w, h, bpp, stride = int(w), int(h), int(bpp), int(stride)
    if bpp != 32:
        sys.exit(f"fb2png: {bpp} bpp is not supported")
    data = open(raw, "rb").read()
    if len(data) < stride * h:
        sys.exit(f"fb2png: {len(data)} bytes, need {stride * h}")
    rows = []
    blank = True
    for y in range(h):
        line = data[y * stride:y * stride + w * 4]
        # XRGB8888 little-endian is B, G, R, X in memory.
        rgb = bytearray(w * 3)
        rgb[0::3] = line[2::4]
        rgb[1::3] = line[1::4]
        rgb[2::3] = line[0::4]
        blank = blank and bytes(rgb) == bytes(rgb[0:3]) * w
        rows.append(b"\0" + bytes(rgb))

    def chunk(kind, body):
        c = struct.pack(">I", len(body)) + kind + body
        return c + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n"
    png += chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(b"".join(rows), 6))
    png += chunk(b"IEND", b"")
    open(out, "wb").write(png)
    if blank:
        sys.exit(f"fb2png: {out} is blank")


if __name__ == "__main__":
    main()
