#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The host's side of the remote-console checks (test-vm/os.sh): real
clients of the guest's uvirtio-vnc, reached through QEMU's port forward.
Run with Debian's python3 (python3-pil, python3-websocket).

vnc-host.py browser PORT PASSWORD OUTDIR STEP...
    noVNC (Debian's novnc, served by websockify) in headless Chromium,
    driven over the DevTools protocol. Prints TAP, one line per fact.
    STEPs, in order:
      shot NAME        the canvas's pixels (lossless) as OUTDIR/NAME.png,
                       and the whole page as OUTDIR/NAME-page.png
      type TEXT        keys, as a user types them (Shift held for the
                       characters that need it; "\\n" is Enter)
      move X Y         the pointer to X,Y of the remote screen
      garbage          a second client sends garbage: the server must drop
                       it, and this page must stay connected
      settle           waits until the canvas has not changed for 2 s
      sleep SECONDS
vnc-host.py free-port
    a TCP port free on 127.0.0.1 now
vnc-host.py same A B TOLERANCE
    two pictures (PNG, JPEG) of one size, no channel of any pixel apart by
    more than TOLERANCE, A not blank (one colour); prints how many pixels
    differ and by how much. When B is vncsnapshot's JPEG file, A is first
    coded as vncsnapshot codes its files (VNCSNAPSHOT_CODING: libjpeg's
    cjpeg gives the same bytes), so that the coding is not mistaken for a
    difference and no tolerance has to cover it
"""
import base64
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

_n = 0
_failed = 0

# How vncsnapshot codes its JPEG files: RGB, quality 100, no subsampling;
# cjpeg (libjpeg-turbo-progs) with these options writes the same bytes.
VNCSNAPSHOT_CODING = ["cjpeg", "-rgb", "-quality", "100"]


def ok(cond, what):
    global _n, _failed
    _n += 1
    if not cond:
        _failed += 1
    print(f"{'ok' if cond else 'not ok'} {_n} - {what}", flush=True)
    return cond


def bail(why):
    print(f"Bail out! {why}", flush=True)
    sys.exit(1)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait(pred, seconds, step=0.2):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


class Browser:
    """One headless Chromium page, over the DevTools protocol."""

    def __init__(self, width, height):
        import websocket  # python3-websocket

        self.dir = tempfile.mkdtemp(prefix="uvtest-chromium-")
        self.proc = subprocess.Popen(
            ["chromium", "--headless=new", "--no-sandbox", "--disable-gpu",
             "--no-first-run", "--disable-extensions",
             "--remote-debugging-port=0", "--remote-allow-origins=*",
             f"--user-data-dir={self.dir}",
             f"--window-size={width},{height}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        active = os.path.join(self.dir, "DevToolsActivePort")
        if not wait(lambda: os.path.exists(active) and
                    open(active).read().count("\n") >= 1, 60):
            self.close()
            bail("Chromium did not start its DevTools server in 60 s")
        port = int(open(active).read().split()[0])
        pages = json.load(urllib.request.urlopen(
            f"http://127.0.0.1:{port}/json/list", timeout=10))
        url = next(p["webSocketDebuggerUrl"] for p in pages
                   if p["type"] == "page")
        self.ws = websocket.create_connection(url, timeout=60,
                                              suppress_origin=True)
        self.id = 0

    def call(self, method, **params):
        self.id += 1
        self.ws.send(json.dumps({"id": self.id, "method": method,
                                 "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})

    def js(self, expr):
        r = self.call("Runtime.evaluate", expression=expr,
                      returnByValue=True)
        return r.get("result", {}).get("value")

    def close(self):
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(10)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
        shutil.rmtree(self.dir, ignore_errors=True)


CANVAS = "document.querySelector('#screen canvas')"
# vnc_lite.html's status line: "Connected ..." once the picture can come.
STATUS = "(document.getElementById('status') || {}).textContent || ''"

# Keys as a US keyboard gives them: DOM code, key, Windows key code.
SHIFTED = dict(zip('~!@#$%^&*()_+{}|:"<>?', "`1234567890-=[]\\;',./"))
CODES = {"`": "Backquote", "-": "Minus", "=": "Equal", "[": "BracketLeft",
         "]": "BracketRight", "\\": "Backslash", ";": "Semicolon",
         "'": "Quote", ",": "Comma", ".": "Period", "/": "Slash",
         " ": "Space"}
VKEYS = {"`": 192, "-": 189, "=": 187, "[": 219, "]": 221, "\\": 220,
         ";": 186, "'": 222, ",": 188, ".": 190, "/": 191, " ": 32}


def key_event(b, kind, key, code, vk, text=None, shift=False):
    ev = {"type": kind, "key": key, "code": code,
          "windowsVirtualKeyCode": vk, "modifiers": 8 if shift else 0}
    if text is not None and kind == "keyDown":
        ev["text"] = text
    b.call("Input.dispatchKeyEvent", **ev)


def type_text(b, text):
    for ch in text:
        if ch == "\n":
            key_event(b, "keyDown", "Enter", "Enter", 13, "\r")
            key_event(b, "keyUp", "Enter", "Enter", 13)
            continue
        base = SHIFTED.get(ch, ch.lower())
        shift = ch in SHIFTED or ch.isupper()
        if base.isalpha():
            code, vk = "Key" + base.upper(), ord(base.upper())
        elif base.isdigit():
            code, vk = "Digit" + base, ord(base)
        else:
            code, vk = CODES[base], VKEYS[base]
        if shift:
            key_event(b, "keyDown", "Shift", "ShiftLeft", 16, shift=True)
        key_event(b, "keyDown", ch, code, vk, ch, shift)
        key_event(b, "keyUp", ch, code, vk, shift=shift)
        if shift:
            key_event(b, "keyUp", "Shift", "ShiftLeft", 16)
        time.sleep(0.02)


def canvas_png(b):
    url = b.js(CANVAS + ".toDataURL('image/png')")
    if not url or not url.startswith("data:image/png;base64,"):
        return None
    return base64.b64decode(url.split(",", 1)[1])


def garbage(port):
    """A client that sends garbage after the server's greeting: dropped."""
    cases = [b"RFB 999.999\n",                  # a version no one has
             b"RFB 003.008\n\xfe" + b"\xff" * 64]  # a made-up security type
    dropped = 0
    for msg in cases:
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        try:
            s.recv(12)                  # "RFB 003.008\n"
            s.sendall(msg)
            while s.recv(4096):         # until the server closes (EOF)
                pass
            dropped += 1
        except ConnectionError:         # or resets
            dropped += 1
        except socket.timeout:          # still open after 10 s of silence
            pass
        finally:
            s.close()
    return dropped, len(cases)


def browser(port, password, outdir, steps):
    need = ["/usr/share/novnc/vnc_lite.html", "/usr/bin/websockify",
            "/usr/bin/chromium"]
    for f in need:
        if not os.path.exists(f):
            bail(f"{f} is missing (novnc, websockify, chromium)")
    wsport = free_port()
    ws = subprocess.Popen(["websockify", "--web", "/usr/share/novnc",
                           f"127.0.0.1:{wsport}", f"127.0.0.1:{port}"],
                          stdout=subprocess.DEVNULL,
                          stderr=open(os.path.join(outdir, "websockify.log"),
                                      "ab"),
                          start_new_session=True)
    b = None
    try:
        def up():
            try:
                socket.create_connection(("127.0.0.1", wsport), 1).close()
                return True
            except OSError:
                return False
        if not wait(up, 30):
            bail("websockify did not listen within 30 s")
        b = Browser(1300, 1000)
        url = (f"http://127.0.0.1:{wsport}/vnc_lite.html?host=127.0.0.1"
               f"&port={wsport}&password={password}")
        b.call("Page.enable")
        b.call("Page.navigate", url=url)
        connected = wait(lambda: b.js(
            f"({STATUS}).startsWith('Connected') && {CANVAS} &&"
            f" {CANVAS}.width > 0"), 60, 0.5)
        status = b.js(STATUS)
        if not ok(connected, f"noVNC in Chromium connects ({status})"):
            return
        i = 0
        while i < len(steps):
            step = steps[i]
            if step == "shot":
                name = steps[i + 1]
                i += 2
                # The first picture comes a moment after "Connected".
                time.sleep(1)
                png = canvas_png(b)
                size = b.js(f"{CANVAS}.width + 'x' + {CANVAS}.height")
                if ok(png is not None, f"{name}: the canvas's pixels ({size})"):
                    open(os.path.join(outdir, name + ".png"), "wb").write(png)
                shot = b.call("Page.captureScreenshot", format="png")
                open(os.path.join(outdir, name + "-page.png"), "wb").write(
                    base64.b64decode(shot["data"]))
            elif step == "type":
                text = steps[i + 1].replace("\\n", "\n")
                i += 2
                b.js(f"{CANVAS}.focus()")
                type_text(b, text)
                # What the keys did, the guest says (its console's text).
                print(f"# typed {steps[i - 1]!r}", flush=True)
            elif step == "move":
                x, y = int(steps[i + 1]), int(steps[i + 2])
                i += 3
                r = b.js(f"(() => {{ const r = {CANVAS}"
                         ".getBoundingClientRect(); return [r.left, r.top,"
                         f" r.width / {CANVAS}.width]; }})()")
                left, top, scale = r
                for t in (0.3, 0.7, 1.0):   # a move, not a jump
                    b.call("Input.dispatchMouseEvent", type="mouseMoved",
                           x=left + x * scale * t, y=top + y * scale * t)
                    time.sleep(0.1)
                ok(scale == 1, f"the pointer moved to {x},{y} of the screen"
                   f" (canvas at {left},{top}, scale {scale})")
            elif step == "garbage":
                i += 1
                dropped, tried = garbage(port)
                ok(dropped == tried, f"clients sending garbage are dropped "
                   f"({dropped} of {tried})")
                time.sleep(1)
                status = b.js(STATUS)
                ok(status.startswith("Connected"),
                   f"noVNC is still connected ({status})")
            elif step == "settle":
                i += 1
                last, same_since = None, time.monotonic()
                end = time.monotonic() + 30
                while time.monotonic() < end:
                    png = canvas_png(b)
                    if png != last:
                        last, same_since = png, time.monotonic()
                    elif time.monotonic() - same_since >= 2:
                        break
                    time.sleep(0.25)
                ok(time.monotonic() < end, "the canvas settled within 30 s")
            elif step == "sleep":
                time.sleep(float(steps[i + 1]))
                i += 2
            else:
                bail(f"unknown step {step}")
    finally:
        if b:
            b.close()
        os.killpg(ws.pid, signal.SIGTERM)
        ws.wait(10)


def same(a, b, tolerance):
    from PIL import Image, ImageChops  # python3-pil

    try:
        ia = Image.open(a).convert("RGB")
        ib = Image.open(b).convert("RGB")
    except OSError as e:
        print(e)
        return 1
    colours = ia.getcolors(2)
    if colours is not None and len(colours) < 2:
        print(f"{a} is blank")
        return 1
    if b.endswith(".jpg"):
        with tempfile.TemporaryDirectory() as d:
            ia.save(os.path.join(d, "a.ppm"))
            with open(os.path.join(d, "a.ppm"), "rb") as ppm:
                coded = subprocess.run(VNCSNAPSHOT_CODING, stdin=ppm,
                                       capture_output=True)
            if coded.returncode != 0:
                print(f"{' '.join(VNCSNAPSHOT_CODING)} failed: {coded.stderr.decode()}")
                return 1
            ia = Image.open(io.BytesIO(coded.stdout)).convert("RGB")
    if ia.size != ib.size:
        print(f"sizes differ: {ia.size[0]}x{ia.size[1]} and "
              f"{ib.size[0]}x{ib.size[1]}")
        return 1
    diff = ImageChops.difference(ia, ib)
    worst = max(hi for lo, hi in diff.getextrema())
    channels = diff.split()
    differ = sum(1 for px in zip(*(c.getdata() for c in channels))
                 if max(px) > 0)
    print(f"{differ} pixels differ, by at most {worst}")
    return 0 if worst <= tolerance else 1


def main(argv):
    if len(argv) >= 5 and argv[1] == "browser":
        browser(int(argv[2]), argv[3], argv[4], argv[5:])
        print(f"1..{_n}")
        return 1 if _failed else 0
    if len(argv) == 2 and argv[1] == "free-port":
        print(free_port())
        return 0
    if len(argv) == 5 and argv[1] == "same":
        return same(argv[2], argv[3], int(argv[4]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
