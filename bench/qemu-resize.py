#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""qemu-resize.py VNC_SOCKET SERIAL_SOCKET WxH

make bench's stand-in for a viewer whose window changes size, for QEMU's
own resize path: connected to QEMU's VNC server (-vnc unix:VNC_SOCKET) as
an RFB 3.8 client without authentication, it sends a SetDesktopSize of
WxH each time the guest writes a byte to the serial port whose chardev
listens on SERIAL_SOCKET. QEMU then gives virtio-gpu the new size as a
monitor change (dpy_set_ui_info). Waits up to 60 s for both sockets;
ends when QEMU closes them.
"""
import select
import socket
import struct
import sys
import time


def connect(path):
    limit = time.monotonic() + 60
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except OSError:
            s.close()
            if time.monotonic() > limit:
                sys.exit(f"qemu-resize: cannot connect to {path}")
            time.sleep(0.05)


def recv_exact(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            sys.exit("qemu-resize: the VNC server closed the connection")
        data += chunk
    return data


def rfb_handshake(s):
    if not recv_exact(s, 12).startswith(b"RFB "):
        sys.exit("qemu-resize: not an RFB server")
    s.sendall(b"RFB 003.008\n")
    types = recv_exact(s, recv_exact(s, 1)[0])
    if 1 not in types:
        sys.exit(f"qemu-resize: the server wants authentication ({list(types)})")
    s.sendall(b"\x01")
    if struct.unpack(">I", recv_exact(s, 4))[0] != 0:
        sys.exit("qemu-resize: security handshake failed")
    s.sendall(b"\x01")  # ClientInit: shared
    init = recv_exact(s, 24)
    recv_exact(s, struct.unpack(">I", init[20:24])[0])
    # SetEncodings: raw, and ExtendedDesktopSize (-308).
    s.sendall(struct.pack(">BxHii", 2, 2, 0, -308))


def set_desktop_size(s, w, h):
    # SetDesktopSize (251): one screen, id 0, at 0,0.
    s.sendall(struct.pack(">BxHHBx", 251, w, h, 1) +
              struct.pack(">IHHHHI", 0, 0, 0, w, h, 0))


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.split("\n\n")[0])
    w, h = (int(v) for v in sys.argv[3].split("x"))
    serial = connect(sys.argv[2])
    vnc = connect(sys.argv[1])
    rfb_handshake(vnc)
    while True:
        ready, _, _ = select.select([serial, vnc], [], [])
        if vnc in ready and not vnc.recv(65536):
            return
        if serial in ready:
            data = serial.recv(64)
            if not data:
                return
            for _ in data.replace(b"\r", b"").replace(b"\n", b""):
                set_desktop_size(vnc, w, h)


if __name__ == "__main__":
    main()
