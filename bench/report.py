#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turns bench/bench's raw figures into the table of docs/benchmarks.md
(between its markers; the rest of the file is written by hand) and a PNG
plot of the flip and cursor rates (gnuplot).

usage: report.py OUT.md OUT.png KEY=VALUE... [results=KERNEL:RESULTS...]
                 [remote=KERNEL:REMOTE]
RESULTS lines: "PATH N KIND WORDS..." as bench/bench writes them; one
table per kernel, in the order given, with its profile (perf) after it;
the first targets are judged on the first kernel's figures, those
against the limit build (path "limit": uvirtio built to answer every
request in notify, for the benchmark only) on every kernel that ran it.
REMOTE lines: "SERVER N SIZE SCREEN KEY VALUE" (or
"... KEY none REASON"), the remote console's figures, in a section of
their own (markers REMOTE_BEGIN and REMOTE_END): each part of the file
is written only by a run that has its figures.
"""
import math
import os
import statistics
import subprocess
import sys
import tempfile

BEGIN = "<!-- make bench writes from here to the end marker -->"
END = "<!-- make bench: end -->"
REMOTE_BEGIN = "<!-- make bench writes the remote console's figures from here -->"
REMOTE_END = "<!-- make bench: end of the remote console's figures -->"
SERVERS = ["uvirtio-vnc", "x11vnc", "qemu-vnc"]
SERVER_TITLES = {
    "uvirtio-vnc": "uvirtio-vnc (uvirtio)",
    "x11vnc": "x11vnc (uvirtio; same Xorg, fbcon by -rawfb)",
    "qemu-vnc": "QEMU's -vnc (virtio-gpu-pci)",
}
PATHS = ["uvirtio", "limit", "virtio-gpu-pci", "bochs", "vkms"]
TITLES = {
    "uvirtio": "uvirtio",
    "limit": "limit build (bench only)",
    "virtio-gpu-pci": "QEMU virtio-gpu-pci",
    "bochs": "QEMU -vga std (bochs)",
    "vkms": "vkms",
}
CURSORS = ["legacy_move", "legacy_image", "atomic_move", "atomic_image"]

# A figure of uvirtio or the limit build measured with both builds in
# turn in one boot: the metric, and the rows' words. The targets against
# the limit build judge these: one boot's noise falls on both alike.
PAIRED = "paired_"
IN_TURN = "both builds in turn in one boot"
# The figures compared with the limit build's. Rates, higher is better:
# (metric, the row's words, the target's words); a share of the limit's,
# from each path's own boots, and then from the builds in turn.
LIMIT_RATES = [
    ("flip 1024x768", "flips per second at 1024x768", "flips at 1024x768"),
    ("flip 1920x1080", "flips per second at 1920x1080", "flips at 1920x1080"),
    ("cursor legacy_image", "cursor legacy image changes per second",
     "cursor legacy image changes"),
    ("cursor atomic_image", "cursor atomic image changes per second",
     "cursor atomic image changes"),
]
# Times, lower is better: (metric, words, what a path without it lacks);
# ms above the limit's, from the builds in turn only.
LIMIT_TIMES = [
    (PAIRED + "card_ms", f"device ready to /dev/dri/card0, {IN_TURN}",
     "time to card0 in turn"),
    (PAIRED + "ready_ms", f"device ready to card0 and fb0, {IN_TURN}",
     "device-ready run in turn"),
]
# The targets against the limit build, and on uvirtio's profile.
LIMIT_SHARE = 0.95
LIMIT_ABOVE_MS = 2
OWN_CPU_SHARE = 0.05

# The profiles, one second of each under perf: (what the guest calls
# it, whose CPU time, of what). The first, flips, is the one uvirtio's own
# share is judged on.
PROFILES = [
    ("1024x768", "a flip's", "1 s of flips at 1024x768", ""),
    ("legacy_image", "a legacy cursor image change's", "1 s of legacy cursor image changes",
     ", legacy cursor image changes"),
]
PROFILE_SIZE = PROFILES[0][0]
# Symbols of an idle CPU (a part of the name): not a flip's CPU time.
IDLE = ["default_idle", "native_safe_halt", "pv_native_safe_halt", "arch_cpu_idle",
        "cpuidle", "acpi_idle", "mwait_idle", "intel_idle", "poll_idle", "do_idle",
        "cpu_startup_entry", "default_idle_call"]
# The scheduler's kernel symbols (a part of the name).
SCHEDULER = ["schedule", "switch_to", "task_switch", "wake_up", "ttwu", "enqueue_",
             "dequeue_", "pick_next", "update_curr", "_fair", "select_task_rq",
             "load_balance", "sched_balance", "newidle", "psi_"]
VIRTIO_DSOS = ["[virtio_ring]", "[virtio]", "[virtio_pci]", "[virtio_pci_modern_dev]",
               "[virtio_pci_legacy_dev]"]
# A symbol's group: the first whose rule (DSO, SYMBOL) holds, in this order.
GROUPS = [
    ("uvirtio", lambda dso, sym: dso == "[uvirtio]"),
    ("virtio_gpu", lambda dso, sym: dso == "[virtio_gpu]" or sym.startswith("virtio_gpu_")),
    ("DRM core", lambda dso, sym: dso.startswith(("[drm", "[ttm")) or
     sym.startswith(("drm_", "ttm_"))),
    ("virtio ring", lambda dso, sym: dso in VIRTIO_DSOS or
     sym.startswith(("vring_", "virtqueue_", "virtio_"))),
    ("scheduler", lambda dso, sym: dso == "[kernel.kallsyms]" and
     any(s in sym for s in SCHEDULER)),
    ("other", lambda dso, sym: True),
]
TOP_SYMBOLS = 8


def pairs(words):
    """KEY VALUE KEY VALUE... as a dict of strings."""
    return dict(zip(words[0::2], words[1::2]))


def group(dso, sym):
    return next(g for g, rule in GROUPS if rule(dso, sym))


def read(path):
    """fig[path][metric] = [values...]; notes[path][metric] = reason;
    prof[profile][path][(SYMBOL, DSO)] = busy samples, summed over the
    boots; a profile's note is notes[path]["profile " + profile];
    turns[(BOOTED PATH, N, I)][BUILD][PAIRED + metric] = [values...]: the
    I-th turn of BUILD in that boot, which pairs with the other build's
    I-th."""
    fig, notes, sizes, mods = {}, {}, {}, {}
    mem, samples, syms, turns, nth = {}, {}, {}, {}, {}
    turn = None

    def add(p, metric, value):
        fig.setdefault(p, {}).setdefault(metric, []).append(value)
        if turn:
            turns.setdefault(turn, {}).setdefault(p, {}).setdefault(metric, []).append(value)

    for line in open(path):
        w = line.split()
        if len(w) < 4:
            continue
        p, n, rest = w[0], w[1], w[3:]
        turn = None
        if p == "sizes":
            sizes.update({k: int(v) for k, v in pairs(w[2:]).items()})
        elif rest[0] == "boot":
            d = pairs(rest[1:])
            if d.get("init_s", "none") == "none" or d.get("end_s", "none") == "none":
                continue
            add(p, "end_ms", (float(d["end_s"]) - float(d["init_s"])) * 1e3)
            if d.get("fb_s", "none") != "none":
                add(p, "fb_ms", (float(d["fb_s"]) - float(d["init_s"])) * 1e3)
        elif rest[0] == "mem":
            mem[(p, n, rest[1])] = {k: int(v) for k, v in pairs(rest[2:]).items()}
        elif rest[0] == "modules":
            for m in rest[1:]:
                name, _, size = m.partition(":")
                mods[name] = int(size)
        elif rest[0] == "profile" and len(rest) > 2:
            if rest[2] == "none":
                notes.setdefault(p, {})["profile " + rest[1]] = " ".join(rest[3:]) or "failed"
            elif rest[2] == "samples" and len(rest) > 3:
                samples[(p, n, rest[1])] = int(rest[3])
        elif rest[0] == "profile_sym" and len(rest) > 5:
            sym = " ".join(rest[5:])
            for mark in ("[k] ", "[.] "):
                sym = sym.removeprefix(mark)
            syms.setdefault((p, n, rest[1]), []).append((float(rest[2]), rest[4], sym))
        elif rest[0] == "report":
            notes.setdefault(p, {})["report"] = "a kernel report in the guest log"
        elif rest[0] == "bench" and len(rest) > 2:
            what = rest[1]
            # "bench [remade] ready_ms MS card_ms MS": the first creation
            # of a boot, or one after the last was destroyed (uvirtio and
            # the limit build); "bench paired BUILD WHAT ...": BUILD's
            # device ready, flips or cursor changes, measured in turn with
            # the other build's in the same boot, counted as BUILD's
            # whichever path booted ("paired_WHAT").
            remade = "remade_" if what == "remade" and len(rest) > 3 else ""
            if remade:
                rest = rest[1:]
                what = rest[1]
            elif what == "paired" and len(rest) > 4 and rest[2] in ("uvirtio", "limit"):
                remade = PAIRED
                # A turn starts with its display made and timed.
                if rest[3] == "ready_ms":
                    nth[(p, n, rest[2])] = nth.get((p, n, rest[2]), 0) + 1
                turn = (p, n, nth.get((p, n, rest[2]), 0))
                p = rest[2]
                rest = rest[2:]
                what = rest[1]
            if what == "ready_ms":
                if rest[2] == "none":
                    notes.setdefault(p, {})[remade + "ready_ms"] = "not within 10 s"
                else:
                    add(p, remade + "ready_ms", float(rest[2]))
                if len(rest) > 4 and rest[3] == "card_ms" and float(rest[4]) >= 0:
                    add(p, remade + "card_ms", float(rest[4]))
            elif what == "scroll_ms":
                add(p, "scroll_s", float(rest[2]) / 1e3)
            elif what == "flip":
                size, d = rest[2], rest[3:]
                if d[0] == "none":
                    notes.setdefault(p, {})[remade + "flip " + size] = \
                        d[1] if len(d) > 1 else "failed"
                else:
                    d = pairs(d)
                    add(p, remade + "flip " + size, float(d["rate"]))
                    add(p, remade + "longest " + size, float(d["longest_ms"]))
                    add(p, remade + "slow " + size, int(d["slow"]))
            elif what == "cursor":
                kind_, d = rest[2], rest[3:]
                if d[0] == "none":
                    for c in CURSORS if kind_ == "all" else [kind_]:
                        notes.setdefault(p, {})[remade + "cursor " + c] = \
                            " ".join(d[1:]) or "failed"
                else:
                    add(p, remade + "cursor " + kind_, float(pairs(d)["rate"]))
            elif what == "resize":
                d = rest[3:]
                if d[0] == "none":
                    for m in ("resize_listed_ms", "resize_frame_ms"):
                        notes.setdefault(p, {})[m] = d[1] if len(d) > 1 else "failed"
                else:
                    d = pairs(d)
                    add(p, "resize_listed_ms", float(d["listed_ms"]))
                    add(p, "resize_frame_ms", float(d["frame_ms"]))
                    if float(d.get("cmd_ms", -1)) >= 0:
                        add(p, "resize_cmd_ms", float(d["cmd_ms"]))
    for (p, n, when), m in mem.items():
        if when != "before" or (p, n, "after") not in mem:
            continue
        a = mem[(p, n, "after")]
        add(p, "slab_kb", a["SUnreclaim"] - m["SUnreclaim"])
        if "Shmem" in m and "Shmem" in a:
            add(p, "shmem_kb", a["Shmem"] - m["Shmem"])
    # A boot's symbols weigh by its samples; idle is left out.
    prof = {}
    for key, lst in syms.items():
        p, _, what = key
        for pct, dso, sym in lst:
            if pct > 0 and samples.get(key) and not any(i in sym for i in IDLE):
                d = prof.setdefault(what, {}).setdefault(p, {})
                d[(sym, dso)] = d.get((sym, dso), 0) + pct * samples[key] / 100
    return fig, notes, sizes, mods, prof, turns


def floored(v, digits):
    """v to digits decimals, rounded down: a share judged against a bound
    (the limit build's 95%) never reads as reaching it when it does not."""
    # Rounded to 1e-6 first: 100 * 0.949 is 94.899999..., not 94.9.
    return f"{math.floor(round(v * 10 ** digits, 6)) / 10 ** digits:.{digits}f}"


def fmt(v, digits):
    if digits == 0:
        return f"{v:,.0f}"
    return f"{v:,.{digits}f}"


def missing(notes, p, metric):
    """n/a, and why where the run said."""
    return "n/a" + (f" ({notes[p][metric]})" if metric in notes.get(p, {}) else "")


def cell(fig, notes, p, metric, digits=0):
    vals = fig.get(p, {}).get(metric)
    if not vals:
        return missing(notes, p, metric)
    med = statistics.median(vals)
    if len(vals) == 1:
        return fmt(med, digits)
    return f"{fmt(med, digits)} ({fmt(min(vals), digits)}–{fmt(max(vals), digits)})"


def median(fig, p, metric):
    vals = fig.get(p, {}).get(metric)
    return statistics.median(vals) if vals else None


def in_turn(turns, metric, of):
    """of(uvirtio's, the limit's) for each pair of turns that both have
    metric (each its mean over the turn's runs), in order; none where of
    gives None."""
    out = []
    for key in sorted(turns):
        u = turns[key].get("uvirtio", {}).get(metric)
        lim = turns[key].get("limit", {}).get(metric)
        if u and lim:
            out.append(of(statistics.mean(u), statistics.mean(lim)))
    return [v for v in out if v is not None]


def median_interval(vals):
    """An interval that holds the median of what vals were drawn from
    with at least 95% confidence, from their order (the sign test), or
    None when there are too few (under 6) for one."""
    n, k = len(vals), 0
    while sum(math.comb(n, i) for i in range(k + 1)) / 2 ** n <= 0.025:
        k += 1
    if k == 0:
        return None
    v = sorted(vals)
    return v[k - 1], v[n - k]


def ratio(u, lim):
    return u / lim if lim else None


def above(u, lim):
    return u - lim


def table(kernel, results, lines, targets):
    """The figures of one kernel's run as Markdown lines; its plot data."""
    fig, notes, sizes, mods, prof, turns = read(results)
    paths = [p for p in PATHS
             if p in fig or p in notes or any(p in prof[w] for w in prof)]
    rows = []

    def row(label, metric, digits=0):
        rows.append(f"| {label} | " +
                    " | ".join(cell(fig, notes, p, metric, digits) for p in paths) + " |")

    # Flips of 40 ms or more: one count over all runs, not a spread.
    for p in paths:
        for size in ("1024x768", "1920x1080"):
            vals = fig.get(p, {}).get("slow " + size)
            if vals:
                fig[p]["slow " + size] = [sum(vals)]
    none_end = median(fig, "none", "end_ms")
    for p in paths:
        for v in fig.get(p, {}).get("end_ms", []):
            if none_end is not None:
                fig[p].setdefault("added_ms", []).append(v - none_end)
    row("boot: fb0 registered, ms after /init started", "fb_ms")
    row("boot: the initramfs's end, ms added to a boot with no display "
        f"({fmt(none_end, 0) if none_end is not None else 'n/a'} ms)", "added_ms")
    row("device ready: ms from the create or bind call to /dev/dri/card0 appearing", "card_ms", 1)
    row("device ready: ms from the create or bind call to card0 and fb0 usable", "ready_ms", 1)
    row("device ready again, made after the last was destroyed (uvirtio-boot destroy): "
        "ms to card0", "remade_card_ms", 1)
    row("device ready again: ms to card0 and fb0 usable", "remade_ready_ms", 1)
    row("kernel memory of one device at 1024x768: unreclaimable slab kB", "slab_kb")
    row("kernel memory of one device at 1024x768: shmem kB (DRM buffers)", "shmem_kb")
    for size in ("1024x768", "1920x1080"):
        row(f"atomic page flips per second, {size}", "flip " + size)
        row(f"longest flip at {size}, ms", "longest " + size, 1)
        row(f"flips of 40 ms or more at {size}, all runs", "slow " + size)
    for c in CURSORS:
        label = c.replace("_", " ").replace("image", "image changes").replace("move", "moves")
        row(f"cursor {label} per second", "cursor " + c)
    row("fbcon: 10,000 lines written to tty1, s", "scroll_s", 2)
    row("resize to 1280x720 (uvirtio-boot resize; QEMU: a VNC viewer's "
        "SetDesktopSize): ms until the connector lists it as preferred", "resize_listed_ms", 1)
    row("resize to 1280x720: ms until a compositor's first frame at 1280x720 is shown",
        "resize_frame_ms", 1)
    row("resize to 1280x720: ms until the resize command returned", "resize_cmd_ms", 1)

    def against(label, metric, show):
        lim = median(fig, "limit", metric)
        vals = [median(fig, p, metric) for p in paths]
        rows.append(f"| {label} | " + " | ".join(
            "n/a" if v is None or lim is None else show(v, lim) for v in vals) + " |")

    # Both builds in turn: each pair of turns compared in its boot, the
    # median over the pairs; uvirtio's cell, the limit's own is 1 or 0.
    def pairs_row(label, metric, of, show, own):
        vals = in_turn(turns, metric, of)
        rows.append(f"| {label} | " + " | ".join(
            "n/a" if not vals or p not in ("uvirtio", "limit") else
            show(statistics.median(vals)) if p == "uvirtio" else own for p in paths) + " |")

    if "limit" in fig:
        for metric, words, _ in LIMIT_RATES:
            against(f"{words}, share of the limit build's", metric,
                    lambda v, lim: floored(v / lim, 3) if lim else "n/a")
        for metric, words, _ in LIMIT_RATES:
            pairs_row(f"{words}, {IN_TURN}, share of the limit build's (median of the pairs)",
                     PAIRED + metric, ratio, lambda v: floored(v, 3), "1.000")
        for metric, words, _ in LIMIT_TIMES:
            pairs_row(f"{words}, ms above the limit build's (median of the pairs)", metric,
                     above, lambda v: f"{v:+.1f}", "+0.0")

    lines.append(f"### Guest kernel {kernel}")
    lines.append("")
    lines.append("| | " + " | ".join(TITLES[p] for p in paths) + " |")
    lines.append("|---|" + "---|" * len(paths))
    lines += rows
    for p in paths:
        if "report" in notes.get(p, {}):
            lines.append(f"\n**{TITLES[p]}: a kernel report in a guest log; its figures "
                         "are suspect** (bench/bench printed it).")
    lines.append("")

    # The profile: busy samples per group, and the top symbols.
    busy = {}
    share = {}
    for what, whose, of, top_of in PROFILES:
        pr = prof.get(what, {})
        note = "profile " + what
        busy[what] = b = {p: sum(pr[p].values()) for p in paths if pr.get(p)}
        share[what] = sh = {p: {g: 0 for g, _ in GROUPS} for p in b}
        for p in b:
            for (sym, dso), v in pr[p].items():
                sh[p][group(dso, sym)] += v / b[p]
        if not b and not any(note in notes.get(p, {}) for p in paths):
            continue
        lines.append(f"| share of {whose} guest CPU time (perf, {of}, idle left out) | " +
                     " | ".join(TITLES[p] for p in paths) + " |")
        lines.append("|---|" + "---|" * len(paths))
        for g, _ in GROUPS:
            lines.append(f"| {g} | " + " | ".join(
                f"{100 * sh[p][g]:.1f}%" if p in b else missing(notes, p, note)
                for p in paths) + " |")
        lines.append("| busy samples | " + " | ".join(
            fmt(b[p], 0) if p in b else missing(notes, p, note) for p in paths) + " |")
        lines.append("")
        for p in b:
            top = sorted(pr[p].items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_SYMBOLS]
            lines.append(f"Top symbols, {TITLES[p]}{top_of}: " + ", ".join(
                f"`{sym}` ({group(dso, sym)}) {100 * v / b[p]:.1f}%"
                for (sym, dso), v in top))
            lines.append("")

    # A size the run did not give is missing, not 0.
    tool = sizes.get("tool_bytes")
    growth = sizes.get("initramfs_growth_bytes")
    drm = sizes.get("kernel_modules_bytes")
    own = None if growth is None or drm is None else growth - drm

    def size(label, b):
        lines.append(f"| {label} | {'n/a (no data)' if b is None else fmt(b, 0)} |")

    lines.append("| size | bytes |")
    lines.append("|---|---|")
    size("`uvirtio-boot`, static", tool)
    size("`uvirtio.ko`, debug info stripped (as dracut installs it)", sizes.get("module_bytes"))
    size("`uvirtio` loaded (`/proc/modules`)", mods.get("uvirtio"))
    size("initramfs growth from `--add uvirtio`, uncompressed", growth)
    size("of which the kernel's own modules (virtio_gpu, DRM) and their index entries", drm)
    size("of which uvirtio's own files", own)
    size("growth from `--add uvirtio`, gzip -9", sizes.get("gzip_growth_bytes"))
    size("of which uvirtio's own files, gzip -9", sizes.get("gzip_own_bytes"))
    lines.append("")

    def target(text, ok, measured):
        lines.append(f"| {text} | {measured} | {'met' if ok else '**missed**'} |")

    # A target without its figures is missed, and says which are missing.
    def no_data(text, *why):
        target(text, False, "no data: " + ", ".join(why))

    def none_of(p, metric, what):
        reason = notes.get(p, {}).get(metric)
        return f"no {p} {what}" + (f" ({reason})" if reason else "")

    def versus(text, metric, what, a, b, ok, show):
        """A target on the medians of metric of paths a and b."""
        x, y = median(fig, a, metric), median(fig, b, metric)
        if x is not None and y is not None:
            target(text, ok(x, y), show(x, y))
        else:
            no_data(text, *[none_of(p, metric, what) for p, v in ((a, x), (b, y)) if v is None])

    if targets:
        lines.append(f"| target (on {kernel}) | measured | |")
        lines.append("|---|---|---|")
        for size in ("1024x768", "1920x1080"):
            versus(f"flips at {size} at least 10x virtio-gpu-pci's", "flip " + size,
                   f"flips at {size}", "uvirtio", "virtio-gpu-pci", lambda u, v: u >= 10 * v,
                   lambda u, v: (f"{u / v:.1f}x" if v else "inf") +
                   f" ({fmt(u, 0)} against {fmt(v, 0)})")
            text = f"no uvirtio flip at {size} bound by a timeout"
            if fig.get("uvirtio", {}).get("longest " + size):
                slow = fig["uvirtio"]["slow " + size][0]
                longest = max(fig["uvirtio"]["longest " + size])
                target(text, slow == 0, f"longest {longest:.1f} ms, {slow} of 40 ms or more")
            else:
                no_data(text, none_of("uvirtio", "flip " + size, f"flips at {size}"))
        text = "uvirtio's device ready under 20 ms"
        r = fig.get("uvirtio", {}).get("ready_ms")
        if r:
            target(text, max(r) < 20,
                   f"median {statistics.median(r):.1f} ms, at most {max(r):.1f} ms")
        else:
            no_data(text, none_of("uvirtio", "ready_ms", "device-ready run"))
        text = "`uvirtio-boot` under 64 KiB, static"
        if tool is not None:
            target(text, tool < 65536, f"{tool / 1024:.1f} KiB")
        else:
            no_data(text, "no size of uvirtio-boot")
        text = "initramfs growth without the kernel's own modules under 128 KiB"
        if own is not None:
            target(text, own < 131072, f"{own / 1024:.1f} KiB")
        else:
            no_data(text, *(["no initramfs growth"] if growth is None else []) +
                    (["no size of the kernel's own modules"] if drm is None else []))
        lines.append("")
    if "limit" in paths:
        lines.append(f"| target against the limit build (on {kernel}) | measured | |")
        lines.append("|---|---|---|")

        def pairs_target(text, metric, what, of, ok, show):
            """A target on the median over the pairs of turns."""
            vals = in_turn(turns, metric, of)
            if vals:
                med = statistics.median(vals)
                ci = median_interval(vals)
                spread = (f"95% interval {show(ci[0])} to {show(ci[1])}" if ci else
                          f"{show(min(vals))} to {show(max(vals))}")
                target(text, ok(med), f"{show(med)}, median of {len(vals)} pairs ({spread})")
            else:
                no_data(text, *[none_of(p, metric, what) for p in ("uvirtio", "limit")
                                if median(fig, p, metric) is None] or
                        ["no pair of turns in one boot with both"])

        for metric, _, what in LIMIT_RATES:
            pairs_target(f"{what}, {IN_TURN}, at least {LIMIT_SHARE:.0%} of the limit build's",
                    PAIRED + metric, what + " in turn", ratio, lambda v: v >= LIMIT_SHARE,
                    lambda v: floored(100 * v, 1) + "%")
        for metric, words, what in LIMIT_TIMES:
            pairs_target(f"{words}, at most {LIMIT_ABOVE_MS:g} ms above the limit build's",
                    metric, what, above, lambda v: v <= LIMIT_ABOVE_MS,
                    lambda v: f"{v:+.1f} ms")
        text = f"uvirtio's own symbols under {OWN_CPU_SHARE:.0%} of a flip's guest CPU time"
        if "uvirtio" in busy[PROFILE_SIZE]:
            own_cpu = share[PROFILE_SIZE]["uvirtio"]["uvirtio"]
            target(text, own_cpu < OWN_CPU_SHARE,
                   f"{100 * own_cpu:.1f}% of {fmt(busy[PROFILE_SIZE]['uvirtio'], 0)} busy samples")
        else:
            no_data(text, none_of("uvirtio", "profile " + PROFILE_SIZE, "profile"))
        lines.append("")
    return fig, paths


def read_remote(path):
    """fig[server]["SCREEN KEY SIZE"] = [values...], notes likewise."""
    fig, notes = {}, {}
    for line in open(path):
        w = line.split()
        if len(w) < 6:
            continue
        server, _, size, screen, key, value = w[:6]
        metric = f"{screen} {key} {size}"
        if value == "none":
            notes.setdefault(server, {})[metric] = " ".join(w[6:]) or "failed"
        else:
            fig.setdefault(server, {}).setdefault(metric, []).append(float(value))
    return fig, notes


def remote_table(kernel, path, info):
    """The remote console's section: its table and its targets."""
    fig, notes = read_remote(path)
    servers = [s for s in SERVERS if s in fig or s in notes]
    sizes = sorted({m.split()[2] for s in servers for m in
                    list(fig.get(s, {})) + list(notes.get(s, {}))},
                   key=lambda z: int(z.split("x")[0]))
    # QEMU's server runs in the VMM, not in the guest.
    for metric in [f"{sc} cpu_ms {z}" for sc in ("fbcon", "xorg") for z in sizes]:
        if "qemu-vnc" in servers and metric not in fig.get("qemu-vnc", {}):
            notes.setdefault("qemu-vnc", {}).setdefault(metric, "in the VMM, not the guest")
    lines = [REMOTE_BEGIN, ""]
    lines.append(f"Measured {info.get('date')} by `{info.get('command')}` (`make bench`): "
                 f"a Debian 12 guest with kernel {kernel} and Xorg under QEMU "
                 f"{info.get('accel', '').upper()}, its VNC servers reached from the host "
                 "through QEMU's user network (QEMU's own on the host's loopback), "
                 "measured by bench/vncbench (LibVNCClient: Tight without JPEG, zlib, raw). "
                 "Median (min–max) over the boots.")
    lines.append("")
    lines.append("| | " + " | ".join(SERVER_TITLES[s] for s in servers) + " |")
    lines.append("|---|" + "---|" * len(servers))

    def row(label, metric, digits=0):
        lines.append(f"| {label} | " +
                     " | ".join(cell(fig, notes, s, metric, digits) for s in servers) + " |")

    for z in sizes:
        row(f"Xorg {z}: ms from a key to the client's new picture, median of 30",
            f"xorg latency_ms {z}", 1)
        row(f"Xorg {z}: the same, 90th percentile", f"xorg latency_p90_ms {z}", 1)
        row(f"Xorg {z}: whole pictures per second while a client repaints",
            f"xorg pictures_per_s {z}", 1)
    for z in sizes:
        row(f"Xorg {z} still, a client connected: the server's guest CPU over 10 s, ms",
            f"xorg cpu_ms {z}")
        row(f"Xorg {z} still: bytes sent in 16 s", f"xorg bytes {z}")
        row(f"fbcon {z}, its cursor blinking: bytes sent in 16 s", f"fbcon bytes {z}")
        row(f"fbcon {z}, its cursor blinking: the server's guest CPU over 10 s, ms",
            f"fbcon cpu_ms {z}")
    lines.append("")
    lines.append(f"| target (on {kernel}) | measured | |")
    lines.append("|---|---|---|")

    def target(text, metric, a, b, ok, show):
        if a is None or b is None:
            why = [f"no {s} figure" + (f" ({notes[s][metric]})" if metric in notes.get(s, {})
                                       else "")
                   for s, v in (("uvirtio-vnc", a), ("x11vnc", b)) if v is None]
            lines.append(f"| {text} | no data: {', '.join(why)} | **missed** |")
        else:
            lines.append(f"| {text} | {show(a, b)} | {'met' if ok(a, b) else '**missed**'} |")

    for z in sizes:
        m = f"xorg latency_ms {z}"
        target(f"Xorg {z}: uvirtio-vnc's key-to-picture latency at most x11vnc's", m,
               median(fig, "uvirtio-vnc", m), median(fig, "x11vnc", m),
               lambda a, b: a <= b, lambda a, b: f"{a:.1f} ms against {b:.1f} ms")
        m = f"xorg pictures_per_s {z}"
        target(f"Xorg {z}: uvirtio-vnc's pictures per second at least x11vnc's", m,
               median(fig, "uvirtio-vnc", m), median(fig, "x11vnc", m),
               lambda a, b: a >= b, lambda a, b: f"{a:.1f} against {b:.1f}")
    for z in sizes:
        m = f"xorg cpu_ms {z}"
        vals = fig.get("uvirtio-vnc", {}).get(m)
        target(f"Xorg {z} still: no CPU time measurable for uvirtio-vnc (under one "
               "clock tick in 10 s), and less than x11vnc's", m,
               max(vals) if vals else None, median(fig, "x11vnc", m),
               lambda a, b: a == 0 and a < b,
               lambda a, b: f"at most {a:.0f} ms against {b:.0f} ms")
    lines.append("")
    lines.append(REMOTE_END)
    return lines


def splice(text, begin, end, lines):
    """text with what lies between begin and end replaced by lines."""
    head, _, rest = text.partition(begin)
    _, _, tail = rest.partition(end)
    return head + "\n".join(lines) + tail


def main():
    out, png = sys.argv[1:3]
    info, runs, remote = {}, [], None
    for a in sys.argv[3:]:
        key, _, value = a.partition("=")
        if key == "results":
            runs.append(value.split(":", 1))
        elif key == "remote":
            remote = value.split(":", 1)
        else:
            info[key] = value
    try:
        text = open(out).read()
    except FileNotFoundError:
        text = "# Benchmarks\n\n" + "\n\n".join((BEGIN + "\n" + END,
                                                 REMOTE_BEGIN + "\n" + REMOTE_END)) + "\n"
    for begin, end, needed in ((BEGIN, END, runs), (REMOTE_BEGIN, REMOTE_END, remote)):
        if needed and (begin not in text or end not in text):
            sys.exit(f"{out} lacks the markers {begin} and {end}")
    if remote:
        text = splice(text, REMOTE_BEGIN, REMOTE_END, remote_table(*remote, info))
    if not runs:
        with open(out, "w") as f:
            f.write(text)
        return
    lines = [BEGIN, ""]
    lines.append(f"Measured {info.get('date')} by `{info.get('command')}` (`make bench`) in "
                 f"{info.get('minutes')} minute{'' if info.get('minutes') == '1' else 's'}: QEMU {info.get('accel', '').upper()} "
                 f"({info.get('qemu')}), host {info.get('cpu')}. Guest clock; median "
                 "(min–max) over every boot and repetition; the paths took turns, "
                 "boot after boot, every other round in reverse order.")
    lines.append("")
    image = len(lines)
    lines.append("")
    lines.append("")
    # The plot: flip and cursor rates, one group per figure, log scale;
    # one panel per kernel that has any (gnuplot fails on a panel without).
    cats = [("flip 1024x768", "flips 1024x768"), ("flip 1920x1080", "flips 1920x1080")]
    cats += [("cursor " + c, c.replace("_", " ")) for c in CURSORS]
    plots = []
    for i, (kernel, results) in enumerate(runs):
        fig, paths = table(kernel, results, lines, targets=(i == 0))
        if any(median(fig, p, m) is not None for p in paths for m, _ in cats):
            plots.append((kernel, fig, paths))
    lines[image] = (f"![Display updates per second]({os.path.basename(png)})" if plots else
                    "No plot: the run measured no flip or cursor rate.")
    lines.append(END)
    with open(out, "w") as f:
        f.write(splice(text, BEGIN, END, lines))
    if not plots:
        return
    plot = f"""
set terminal pngcairo size 1000,{400 * len(plots) + 40} font "sans,10"
set output "{png}"
set multiplot layout {len(plots)},1 title "Display updates per second in the guest (QEMU {info.get('accel', '').upper()}, medians; higher is better)"
set style data histogram
set style histogram cluster gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y
set yrange [1:*]
set grid ytics
set ylabel "updates per second (log scale)"
set key top right
set datafile missing "NaN"
"""
    for kernel, fig, paths in plots:
        with tempfile.NamedTemporaryFile("w", suffix=".dat", delete=False) as dat:
            dat.write("figure " + " ".join(f'"{TITLES[p]}"' for p in paths) + "\n")
            for metric, label in cats:
                vals = [median(fig, p, metric) for p in paths]
                dat.write(f'"{label}" ' + " ".join("NaN" if v is None else f"{v:.1f}"
                                                   for v in vals) + "\n")
        plot += f'set title "guest kernel {kernel}"\n'
        plot += f'plot for [i=2:{len(paths) + 1}] "{dat.name}" using i:xtic(1) title columnheader(i)\n'
    plot += "unset multiplot\n"
    subprocess.run(["gnuplot"], input=plot, text=True, check=True)


if __name__ == "__main__":
    main()
