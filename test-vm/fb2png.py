#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Screenshots of the test guests, as PNG, checked.

fb2png.py RAW WIDTH HEIGHT BPP STRIDE OUT.png [X0 Y0 X1 Y1]
    a raw XRGB8888 dump of /dev/fb0 into a PNG; with a region, also
    counts its lit pixels (those not of the colour at 4,4)
fb2png.py --xwd IN.xwd OUT.png
    an xwd screenshot (ZPixmap, 32 bits per pixel) into a PNG
fb2png.py --png IN.png
    reads a PNG (8-bit RGB or RGBA)

Each prints "WIDTH HEIGHT #RRGGBB COLOURS VIVID [LIT]": the size, the
colour at 4,4, how many colours and how many vivid (saturated) pixels one
pixel in 64 samples, and the region's lit pixels, and exits 1 when the
picture is blank (one colour), so a screenshot test can fail.
"""
import struct
import sys
import zlib


def write_png(path, w, h, rows):
    def chunk(kind, body):
        c = struct.pack(">I", len(body)) + kind + body
        return c + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n"
    png += chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(b"".join(b"\0" + r for r in rows), 6))
    png += chunk(b"IEND", b"")
    open(path, "wb").write(png)


def xrgb_rows(data, w, h, stride, offset=0, big_endian=False):
    """RGB rows from 32-bit pixels, B G R X in memory (or X R G B)."""
    rows = []
    for y in range(h):
        line = data[offset + y * stride:offset + y * stride + w * 4]
        if len(line) < w * 4:
            sys.exit(f"fb2png: the picture ends at row {y}")
        rgb = bytearray(w * 3)
        r, g, b = (1, 2, 3) if big_endian else (2, 1, 0)
        rgb[0::3] = line[r::4]
        rgb[1::3] = line[g::4]
        rgb[2::3] = line[b::4]
        rows.append(bytes(rgb))
    return rows


def read_xwd(path):
    data = open(path, "rb").read()
    hdr = struct.unpack(">25I", data[:100])
    (size, _, fmt, depth, w, h, _, byte_order, _, _, _, bpp,
     stride) = hdr[:13]
    ncolors = hdr[19]
    if fmt != 2 or bpp != 32:
        sys.exit(f"fb2png: xwd format {fmt} at {bpp} bpp is not supported")
    offset = size + ncolors * 12
    return w, h, xrgb_rows(data, w, h, stride, offset, byte_order == 1)


def read_png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit(f"fb2png: {path} is not a PNG")
    pos, idat = 8, b""
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    if depth != 8 or ctype not in (2, 6) or interlace:
        sys.exit(f"fb2png: PNG depth {depth} colour type {ctype} is not supported")
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    rows, prev, stride = [], bytearray(w * bpp), w * bpp
    for y in range(h):
        ftype = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 255
            elif ftype == 2:
                line[i] = (line[i] + b) & 255
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pr) & 255
        prev = line
        rgb = bytearray(w * 3)
        for k in range(3):
            rgb[k::3] = line[k::bpp]
        rows.append(bytes(rgb))
    return w, h, rows


def report(w, h, rows, region=None):
    colours, vivid = set(), 0
    for r in rows[::8]:
        for x in range(0, len(r), 3 * 8):
            px = r[x:x + 3]
            colours.add(px)
            vivid += max(px) - min(px) > 100
    px = rows[4][12:15] if h > 4 and w > 4 else rows[0][0:3]
    lit = ""
    if region:
        x0, y0, x1, y1 = region
        lit = " %d" % sum(rows[y][x * 3:x * 3 + 3] != px
                          for y in range(max(y0, 0), min(y1, h))
                          for x in range(max(x0, 0), min(x1, w)))
    print(f"{w} {h} #{px.hex()} {len(colours)} {vivid}{lit}")
    if len(colours) < 2:
        sys.exit("fb2png: the picture is blank")


def main():
    args = sys.argv[1:]
    if args[:1] == ["--xwd"] and len(args) == 3:
        w, h, rows = read_xwd(args[1])
        write_png(args[2], w, h, rows)
    elif args[:1] == ["--png"] and len(args) == 2:
        w, h, rows = read_png(args[1])
    elif len(args) in (6, 10):
        raw, w, h, bpp, stride, out = args[:6]
        region = [int(v) for v in args[6:]] or None
        w, h, bpp, stride = int(w), int(h), int(bpp), int(stride)
        if bpp != 32:
            sys.exit(f"fb2png: {bpp} bpp is not supported")
        rows = xrgb_rows(open(raw, "rb").read(), w, h, stride)
        write_png(out, w, h, rows)
        report(w, h, rows, region)
        return
    else:
        sys.exit(__doc__)
    report(w, h, rows)


if __name__ == "__main__":
    main()
