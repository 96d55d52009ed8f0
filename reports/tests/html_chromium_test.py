#!/usr/bin/env python3
"""report.html as a person sees it: rendered by Debian's headless Chromium, driven by Debian's
chromedriver over WebDriver (W3C, plain HTTP with urllib: no Selenium).

    html_chromium_test.py --report-dir DIR [--incomplete-dir DIR2] --out OUT

DIR holds a swarm run's report.html and report.json. The checks, on the rendered page:
  * each of the four charts (chart-throughput, chart-latency, chart-connections,
    chart-distribution) is there, visible (laid out, not hidden, not covered, on screen when
    scrolled to), has a chart's bounding box (at least 320 px wide, about the viewBox's 12:5
    aspect), a title, a legend item per series and labelled axes;
  * its lines carry the data of report.json: one point per second of metrics.series (the latency
    lines one per second with deliveries), and each point, read back through the axis ticks as a
    reader would, is the value of that second;
  * the headline numbers (published, delivered of expected, lost, p50/p99/max, connections, SLOs)
    are shown before the charts, with report.json's values;
  * the page loaded nothing (no resource entries), its own script ran (the case filter counts
    the rows) and the browser's log has no error (a probe error is logged afterwards and must come
    back, so an empty log means no error rather than a broken log channel);
  * a full-page screenshot (OUT/report.png) is decoded here (zlib, PNG filters) and every chart's
    region has ink: pixel variance, and pixels of each series' colour;
  * negative controls: the same page with a chart removed, with a chart hidden, and with a
    chart's line emptied must each fail the checks, so the checks can fail.
With --incomplete-dir, that run's report (interrupted: "complete": false) must show its
incomplete-run warning above the charts, visibly, and its headline must not say PASS.

Exit status 0 when every check holds, 1 with the failed checks listed otherwise.
"""
from __future__ import annotations

import argparse
import base64
import json
import math
import os
import pathlib
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zlib

CHART_IDS = ("chart-throughput", "chart-latency", "chart-connections", "chart-distribution")
# The series colours of reports/src/html.cpp's style (classes s0..s3), as RGB.
SERIES_RGB = ((0x09, 0x69, 0xDA), (0x1A, 0x7F, 0x37), (0xCF, 0x22, 0x2E), (0x82, 0x50, 0xDF))
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    # Without these, Chromium reaches out to Google services; on this closed network the
    # connections are refused and the page's log fills with errors that are not the page's.
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--window-size=1280,1000", "--force-device-scale-factor=1", "--hide-scrollbars",
    "--disable-dev-shm-usage",
]


class Failures:
    """Collects failed checks instead of stopping at the first, so one run shows them all."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def check(self, ok: bool, what: str) -> bool:
        if not ok:
            self.items.append(what)
        return ok


# --- WebDriver over urllib --------------------------------------------------------------------

class WebDriverError(RuntimeError):
    pass


class WebDriver:
    # Loopback only: a proxy from the environment must not see these requests.
    _opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.session = ""

    def call(self, method: str, path: str, body: object = None, timeout: float = 60) -> object:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with self._opener.open(request, timeout=timeout) as response:
                return json.load(response).get("value")
        except urllib.error.HTTPError as error:
            text = error.read().decode(errors="replace")
            raise WebDriverError(f"{method} {path}: HTTP {error.code}: {text[:500]}") from None

    def ready(self) -> bool:
        try:
            value = self.call("GET", "/status", timeout=2)
        except (OSError, WebDriverError):
            return False
        return isinstance(value, dict) and bool(value.get("ready"))

    def start(self, user_data_dir: str) -> None:
        capabilities = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": shutil.which("chromium") or "/usr/bin/chromium",
                                   "args": CHROMIUM_FLAGS + [f"--user-data-dir={user_data_dir}"]},
            "goog:loggingPrefs": {"browser": "ALL"},
        }}}
        value = self.call("POST", "/session", capabilities, timeout=120)
        self.session = value["sessionId"]

    def s(self, method: str, path: str, body: object = None) -> object:
        return self.call(method, f"/session/{self.session}{path}", body)

    def open(self, url: str) -> None:
        self.s("POST", "/url", {"url": url})

    def run(self, script: str, *args: object) -> object:
        return self.s("POST", "/execute/sync", {"script": script, "args": list(args)})

    def browser_log(self) -> list[dict]:
        # chromedriver's log endpoint (not in W3C WebDriver): /se/log in W3C mode.
        return self.s("POST", "/se/log", {"type": "browser"}) or []

    def full_page_png(self) -> bytes:
        # Page.captureScreenshot with captureBeyondViewport through chromedriver's CDP bridge:
        # the whole document in one image, at document coordinates (device scale factor 1).
        metrics = self.s("POST", "/goog/cdp/execute",
                         {"cmd": "Page.getLayoutMetrics", "params": {}})
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        shot = self.s("POST", "/goog/cdp/execute", {"cmd": "Page.captureScreenshot", "params": {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": math.ceil(size["width"]),
                     "height": math.ceil(size["height"]), "scale": 1}}})
        return base64.b64decode(shot["data"])

    def quit(self) -> None:
        if self.session:
            try:
                self.call("DELETE", f"/session/{self.session}", timeout=30)
            finally:
                self.session = ""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Chromedriver:
    """chromedriver on a free loopback port, in its own process group (Chromium is its child):
    stopped by that group's id, which is ours, never by name."""

    def __init__(self, log_path: pathlib.Path) -> None:
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self.driver: WebDriver | None = None

    def __enter__(self) -> WebDriver:
        for _ in range(3):  # the port may be taken between the probe and chromedriver's bind
            port = free_port()
            self.process = subprocess.Popen(
                ["chromedriver", f"--port={port}", "--allowed-ips=127.0.0.1",
                 f"--log-path={self.log_path}"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
            driver = WebDriver(port)
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and self.process.poll() is None:
                if driver.ready():
                    self.driver = driver
                    return driver
                time.sleep(0.1)
            self._stop()
        raise RuntimeError(f"chromedriver did not become ready (log: {self.log_path})")

    def _stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        # Chromium's own processes share the group; whatever outlived chromedriver goes too.
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process = None

    def __exit__(self, *exc: object) -> None:
        try:
            if self.driver is not None:
                self.driver.quit()
        except (OSError, WebDriverError):
            pass
        finally:
            self._stop()


# --- PNG decoding (zlib + the five PNG filters) ------------------------------------------------

class Image:
    def __init__(self, width: int, height: int, channels: int, rows: list[bytes]) -> None:
        self.width, self.height, self.channels, self.rows = width, height, channels, rows

    def rgb(self, x: int, y: int) -> tuple[int, int, int]:
        i = x * self.channels
        row = self.rows[y]
        return row[i], row[i + 1], row[i + 2]


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def decode_png(data: bytes) -> Image:
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, header = 8, bytearray(), None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
        pos += 12 + length
    if header is None:
        raise ValueError("PNG without IHDR")
    width, height, depth, colour, _, _, interlace = header
    channels = {2: 3, 6: 4}.get(colour)
    if depth != 8 or channels is None or interlace != 0:
        raise ValueError(f"unsupported PNG: depth {depth}, colour type {colour}, interlace {interlace}")
    raw = zlib.decompress(bytes(idat))
    stride = width * channels
    if len(raw) != height * (stride + 1):
        raise ValueError(f"PNG data is {len(raw)} bytes, expected {height * (stride + 1)}")
    rows: list[bytes] = []
    prior = bytes(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if kind == 1:  # Sub
            for i in range(channels, stride):
                line[i] = (line[i] + line[i - channels]) & 0xFF
        elif kind == 2:  # Up
            for i in range(stride):
                line[i] = (line[i] + prior[i]) & 0xFF
        elif kind == 3:  # Average
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                line[i] = (line[i] + ((left + prior[i]) >> 1)) & 0xFF
        elif kind == 4:  # Paeth
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                up_left = prior[i - channels] if i >= channels else 0
                line[i] = (line[i] + _paeth(left, prior[i], up_left)) & 0xFF
        elif kind != 0:
            raise ValueError(f"row {y}: unknown PNG filter {kind}")
        prior = bytes(line)
        rows.append(prior)
    return Image(width, height, channels, rows)


def region_ink(image: Image, box: dict) -> dict:
    """Pixel statistics of a box (document coordinates): luminance variance, the share of pixels
    unlike the box's most common colour, and the pixels close to each series colour."""
    x0, y0 = max(0, int(box["x"])), max(0, int(box["y"]))
    x1 = min(image.width, int(box["x"] + box["width"]))
    y1 = min(image.height, int(box["y"] + box["height"]))
    counts: dict[tuple[int, int, int], int] = {}
    total = s = s2 = 0
    near = [0] * len(SERIES_RGB)
    for y in range(y0, y1):
        for x in range(x0, x1):
            pixel = image.rgb(x, y)
            counts[pixel] = counts.get(pixel, 0) + 1
            lum = 0.2126 * pixel[0] + 0.7152 * pixel[1] + 0.0722 * pixel[2]
            total += 1
            s += lum
            s2 += lum * lum
            for k, colour in enumerate(SERIES_RGB):
                if sum(abs(pixel[c] - colour[c]) for c in range(3)) <= 60:
                    near[k] += 1
    if total == 0:
        return {"pixels": 0, "variance": 0.0, "not_background": 0.0, "series_pixels": near}
    mean = s / total
    background = max(counts.values())
    return {"pixels": total, "variance": s2 / total - mean * mean,
            "not_background": 1 - background / total, "series_pixels": near}


# --- reading the page ---------------------------------------------------------------------------

PAGE_PROBE = r"""
const ids = arguments[0];
const number = (el, name) => el ? parseFloat(el.getAttribute(name)) : NaN;
const out = {charts: {}, width: document.documentElement.scrollWidth,
             height: document.documentElement.scrollHeight, dpr: window.devicePixelRatio,
             resources: performance.getEntriesByType('resource').map(e => e.name),
             shown: (document.getElementById('shown') || {}).textContent || '',
             caseRows: document.querySelectorAll('#case-table > tbody > tr').length,
             outcome: (document.querySelector('header h1 .v') || {}).textContent || ''};
const docBox = el => { const r = el.getBoundingClientRect();
  return {x: r.left + window.scrollX, y: r.top + window.scrollY, width: r.width, height: r.height}; };
for (const id of ids) {
  const svg = document.getElementById(id);
  if (!svg) { out.charts[id] = null; continue; }
  svg.scrollIntoView({block: 'center'});
  const r = svg.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  const style = getComputedStyle(svg);
  const axis = cls => {
    const g = svg.querySelector('g.' + cls);
    if (!g) return null;
    const label = g.querySelector(':scope > text.axis-label');
    return {label: label ? label.textContent : '',
            ticks: Array.from(g.querySelectorAll('g.tick')).map(t => {
              const line = t.querySelector('line'), text = t.querySelector('text');
              return {text: text ? text.textContent : '', x: number(line, 'x1'), y: number(line, 'y1'),
                      shown: !!text && text.getBoundingClientRect().width > 0}; })};
  };
  const plot = svg.querySelector('.plot-area');
  out.charts[id] = {
    tag: svg.tagName.toLowerCase(),
    box: docBox(svg),
    viewBox: svg.viewBox && svg.viewBox.baseVal ?
      [svg.viewBox.baseVal.width, svg.viewBox.baseVal.height] : null,
    plot: plot ? {x: number(plot, 'x'), y: number(plot, 'y'), width: number(plot, 'width'),
                  height: number(plot, 'height')} : null,
    visible: svg.checkVisibility({opacityProperty: true, visibilityProperty: true}) &&
             style.display !== 'none' && style.visibility === 'visible',
    uncovered: !!hit && (hit === svg || svg.contains(hit)),
    inViewport: r.top >= 0 && r.bottom <= window.innerHeight + 1 && r.left >= 0 &&
                r.right <= window.innerWidth + 1,
    title: (svg.querySelector(':scope > title') || {}).textContent || '',
    legend: Array.from(svg.querySelectorAll('g.legend-item')).map(g => ({
      cls: g.getAttribute('class'), text: g.textContent,
      shown: g.getBoundingClientRect().width > 0})),
    axes: {x: axis('axis-x'), y: axis('axis-y'), y2: axis('axis-y2')},
    lines: Array.from(svg.querySelectorAll('polyline.line')).map(p => ({
      cls: p.getAttribute('class'),
      points: Array.from(p.points).map(pt => [pt.x, pt.y]),
      stroke: getComputedStyle(p).stroke,
      drawn: p.getBoundingClientRect().width > 0 || p.getBoundingClientRect().height > 0})),
    tooltips: Array.from(svg.querySelectorAll('.hover title')).map(t => t.textContent),
    noData: !!svg.querySelector('.no-data'),
  };
}
const headline = document.querySelector('#swarm .headline, #swarm .cards');
const firstChart = document.querySelector('svg.chart');
out.headlineBeforeCharts = !!headline && !!firstChart &&
  !!(headline.compareDocumentPosition(firstChart) & Node.DOCUMENT_POSITION_FOLLOWING);
out.cards = {};
for (const li of document.querySelectorAll('#swarm li.card')) {
  const value = li.querySelector('b');
  out.cards[li.id] = {value: value ? value.textContent : '', text: li.textContent,
                      visible: li.checkVisibility({visibilityProperty: true})};
}
const incomplete = document.querySelector('.incomplete');
out.incomplete = incomplete ? {text: incomplete.textContent, box: docBox(incomplete),
  visible: incomplete.checkVisibility({opacityProperty: true, visibilityProperty: true})} : null;
window.scrollTo(0, 0);
return out;
"""


def tick_value(text: str) -> float | None:
    """A tick label back to a number: "20k" -> 20000, "1.5M", "0.25 ms" -> 0.25, "99.9%"."""
    match = re.fullmatch(r"\s*(-?[0-9][0-9,]*(?:\.[0-9]+)?)\s*([kM]?)\s*(?:ms|%|/s)?\s*", text)
    if not match:
        return None
    value = float(match.group(1).replace(",", ""))
    return value * {"": 1, "k": 1e3, "M": 1e6}[match.group(2)]


def axis_map(ticks: list[dict], coordinate: str, log: bool):
    """The function from an SVG coordinate to a value that the axis's labelled ticks define."""
    known = [(t[coordinate], tick_value(t["text"])) for t in ticks]
    known = [(c, v) for c, v in known if v is not None and not math.isnan(c) and (v > 0 or not log)]
    if len(known) < 2:
        return None
    (c0, v0), (c1, v1) = min(known), max(known)
    if c0 == c1:
        return None
    if log:
        v0, v1 = math.log10(v0), math.log10(v1)
    slope = (v1 - v0) / (c1 - c0)

    def value(c: float) -> float:
        v = v0 + (c - c0) * slope
        return 10 ** v if log else v
    return value


def series_values(report: dict) -> dict[str, list[tuple[float, float]]]:
    """What each chart line must show, from report.json: (x, y) per plotted point."""
    series = report["metrics"]["series"]
    out: dict[str, list[tuple[float, float]]] = {}
    for key in ("published", "delivered", "connections", "connects"):
        out[key] = [(s["second"], s[key]) for s in series]
    out["connect-failures"] = [(s["second"], s["connect_failures"]) for s in series]
    with_latency = [s for s in series if s["histogram"]["count"] > 0]
    for key in ("p50", "p99", "max"):
        out[key] = [(s["second"], s["latency_us"][key] / 1000) for s in with_latency]
    return out


CHART_SERIES = {
    "chart-throughput": ["published", "delivered"],
    "chart-latency": ["p50", "p99", "max"],
    "chart-connections": ["connections", "connects", "connect-failures"],
    "chart-distribution": ["end-to-end"],
}
RIGHT_AXIS = {"connects", "connect-failures"}
LOG_Y = {"chart-latency", "chart-distribution"}


def check_chart(f: Failures, chart_id: str, chart: dict | None, report: dict, image: Image | None,
                page: dict) -> None:
    where = chart_id
    if not f.check(chart is not None, f"{where}: not in the page"):
        return
    f.check(chart["tag"] == "svg", f"{where}: is a <{chart['tag']}>, not an <svg>")
    f.check(chart["visible"], f"{where}: not visible (display, visibility or opacity)")
    f.check(chart["uncovered"], f"{where}: covered by another element at its centre")
    f.check(chart["inViewport"], f"{where}: does not fit the viewport when scrolled to")
    box = chart["box"]
    f.check(box["width"] >= 320 and box["height"] >= 120,
            f"{where}: bounding box {box['width']:.0f}x{box['height']:.0f} px is too small")
    f.check(box["x"] >= 0 and box["x"] + box["width"] <= page["width"] + 1,
            f"{where}: bounding box {box} outside the page width {page['width']}")
    if f.check(chart["viewBox"] is not None and chart["viewBox"][1] > 0, f"{where}: no viewBox"):
        aspect = chart["viewBox"][0] / chart["viewBox"][1]
        f.check(abs(box["width"] / max(box["height"], 1) - aspect) < 0.05 * aspect,
                f"{where}: drawn at {box['width']:.0f}x{box['height']:.0f}, "
                f"not the viewBox's aspect {aspect:.2f}")
    f.check(len(chart["title"].strip()) >= 5, f"{where}: no <title>")
    f.check(not chart["noData"], f"{where}: says no data")

    keys = CHART_SERIES[chart_id]
    legend = chart["legend"]
    f.check(len(legend) == len(keys), f"{where}: {len(legend)} legend items for {len(keys)} series")
    for item in legend:
        f.check(item["shown"] and item["text"].strip() != "", f"{where}: legend item {item} not shown")

    axes = chart["axes"]
    for name in ("x", "y") + (("y2",) if chart_id == "chart-connections" else ()):
        axis = axes.get(name)
        if not f.check(axis is not None, f"{where}: no {name} axis"):
            continue
        f.check(len(axis["label"].strip()) >= 3, f"{where}: the {name} axis has no label")
        labelled = [t for t in axis["ticks"] if t["shown"] and tick_value(t["text"]) is not None]
        f.check(len(labelled) >= 3,
                f"{where}: the {name} axis has {len(labelled)} labelled ticks: {axis['ticks']}")
    if chart_id in LOG_Y and axes.get("y"):
        f.check(any(t["text"].endswith("ms") for t in axes["y"]["ticks"]),
                f"{where}: latency ticks without a unit (ms)")

    f.check(len(chart["tooltips"]) > 0, f"{where}: no tooltips (<title> in the plot)")

    # The lines: points per series, and each value read back through the axes.
    expected = series_values(report)
    points: dict[str, list[tuple[float, float]]] = {k: [] for k in keys}
    for line in chart["lines"]:
        key = next((k for k in keys if f"series-{k}" in line["cls"].split()), None)
        if f.check(key is not None, f"{where}: a line of no known series: {line['cls']}"):
            points[key] += [tuple(p) for p in line["points"]]
            f.check(line["drawn"], f"{where}: the {key} line has no rendered extent")
            f.check(line["stroke"] not in ("", "none"), f"{where}: the {key} line has no stroke")
    x_of = axis_map(axes["x"]["ticks"], "x", False) if axes.get("x") else None
    for key in keys:
        got = points[key]
        if chart_id == "chart-distribution":
            f.check(len(got) >= 50, f"{where}: {len(got)} points on the percentile curve")
            ys = [p[1] for p in got]
            # Latency grows with the percentile: up the page, so SVG y never increases.
            f.check(all(b <= a + 0.05 for a, b in zip(ys, ys[1:])),
                    f"{where}: the percentile curve goes down")
            y_of = axis_map(axes["y"]["ticks"], "y", True)
            if y_of and got:
                lat = report["metrics"]["latency_us"]
                top = y_of(min(ys))
                f.check(abs(top - lat["max"] / 1000) <= 0.05 * lat["max"] / 1000 + 0.002,
                        f"{where}: the curve ends at {top:.3f} ms, report.json's max is "
                        f"{lat['max'] / 1000} ms")
            continue
        want = expected[key]
        if not f.check(len(got) == len(want),
                       f"{where}: series {key} has {len(got)} points, report.json "
                       f"{len(want)} seconds"):
            continue
        axis = axes.get("y2") if key in RIGHT_AXIS else axes.get("y")
        y_of = axis_map(axis["ticks"], "y", chart_id in LOG_Y) if axis else None
        if not f.check(x_of is not None and y_of is not None, f"{where}: axes cannot be read"):
            continue
        ys = [v for _, v in want]
        span = (max(ys) - min(0, min(ys))) or 1
        for (px, py), (second, value) in zip(got, want):
            x = x_of(px)
            f.check(abs(x - second) <= 0.02 * max(1, len(want)),
                    f"{where}: {key} point at x={x:.2f} s, report.json second {second}")
            y = y_of(py)
            if chart_id in LOG_Y:
                ok = abs(math.log10(max(y, 1e-3)) - math.log10(max(value, 1e-3))) <= 0.02
            else:
                ok = abs(y - value) <= 0.015 * span + 1e-9
            f.check(ok, f"{where}: {key} at second {second} reads {y:.4g}, report.json {value}")

    if image is not None:
        ink = region_ink(image, box)
        f.check(ink["pixels"] > 0, f"{where}: outside the screenshot")
        f.check(ink["variance"] > 50, f"{where}: blank in the screenshot (variance "
                                      f"{ink['variance']:.1f})")
        f.check(ink["not_background"] > 0.01,
                f"{where}: {100 * ink['not_background']:.2f} % of its pixels are not background")
        for k, key in enumerate(keys):
            # A series with a constant 0 is drawn on the axis line and may hide under it.
            values = [v for _, v in expected.get(key, [(0, 1)])]
            if values and max(values) == 0:
                continue
            f.check(ink["series_pixels"][k] >= 20,
                    f"{where}: {ink['series_pixels'][k]} pixels of series {key}'s colour in "
                    f"the screenshot")


def grouped(n: int) -> str:
    return f"{n:,}"


def check_headline(f: Failures, page: dict, report: dict) -> None:
    m = report["metrics"]
    cards = page["cards"]
    f.check(page["headlineBeforeCharts"], "the headline numbers do not come before the charts")
    want = {
        "card-published": grouped(m["published"]),
        "card-delivered": f"{grouped(m['delivered'])} / {grouped(m['expected'])}",
        "card-lost": grouped(m["lost"]),
        "card-duplicates": grouped(m["duplicated"]),
        "card-connections": f"{grouped(m['connections']['succeeded'])} / "
                            f"{grouped(m['connections']['attempted'])}",
    }
    slos = m.get("slos", [])
    if slos:
        want["card-slos"] = f"{sum(1 for s in slos if s['passed'])} / {len(slos)}"
    for card, value in want.items():
        got = cards.get(card)
        if f.check(got is not None, f"headline: no {card}"):
            f.check(got["value"] == value, f"headline: {card} shows {got['value']!r}, "
                                           f"report.json {value!r}")
            f.check(got["visible"], f"headline: {card} not visible")
    for card in ("card-p50", "card-p99", "card-max"):
        f.check(card in cards and cards[card]["value"].endswith("s"),
                f"headline: {card} missing or without a unit: {cards.get(card)}")


def check_page(driver: WebDriver, html: pathlib.Path, report: dict, out: pathlib.Path,
               screenshot: str | None) -> Failures:
    f = Failures()
    driver.open(html.resolve().as_uri())
    page = driver.run(PAGE_PROBE, list(CHART_IDS))
    log = driver.browser_log()
    severe = [e for e in log if e.get("level") == "SEVERE"]
    f.check(not severe, f"errors in the browser log: {severe}")
    f.check(page["resources"] == [], f"the page loaded resources: {page['resources']}")
    rows = page["caseRows"]
    f.check(page["shown"] == f"{rows} of {rows} cases shown",
            f"the page's script did not run (case filter says {page['shown']!r})")
    image = None
    if screenshot:
        png = driver.full_page_png()
        (out / screenshot).write_bytes(png)
        image = decode_png(png)
        f.check(abs(image.width - page["width"]) <= 2 and abs(image.height - page["height"]) <= 2,
                f"screenshot {image.width}x{image.height}, page {page['width']}x{page['height']}")
    check_headline(f, page, report)
    for chart_id in CHART_IDS:
        check_chart(f, chart_id, page["charts"].get(chart_id), report, image, page)
    (out / (html.stem + ".probe.json")).write_text(json.dumps(page, indent=1))
    return f


def log_channel_works(driver: WebDriver) -> bool:
    driver.run("console.error('gauntlet-probe-error');")
    return any("gauntlet-probe-error" in e.get("message", "") for e in driver.browser_log())


def broken_copies(html_text: str, out: pathlib.Path) -> dict[str, tuple[pathlib.Path, str]]:
    """The page with one chart removed, hidden, or with its lines emptied: name -> (the file,
    the broken chart's id)."""
    copies = {}
    removed = re.sub(r'<svg id="chart-latency".*?</svg>', "", html_text, count=1, flags=re.S)
    hidden = html_text.replace("</style>", "#chart-connections { display: none; }\n</style>", 1)
    emptied = re.sub(r'(<svg id="chart-throughput".*?</svg>)',
                     lambda m: re.sub(r'points="[^"]*"', 'points=""', m.group(1)),
                     html_text, count=1, flags=re.S)
    for name, text, chart in (("removed", removed, "chart-latency"),
                              ("hidden", hidden, "chart-connections"),
                              ("emptied", emptied, "chart-throughput")):
        if text == html_text:  # the page is not what the control expects: fail, loudly
            raise RuntimeError(f"the negative control '{name}' did not change the page")
        path = out / f"broken-{name}.html"
        path.write_text(text)
        copies[name] = (path, chart)
    return copies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--report-dir", required=True, type=pathlib.Path)
    parser.add_argument("--incomplete-dir", type=pathlib.Path)
    parser.add_argument("--out", required=True, type=pathlib.Path)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    html = args.report_dir / "report.html"
    report = json.loads((args.report_dir / "report.json").read_text())
    if report.get("kind") != "swarm" or not report["metrics"]["series"]:
        print(f"{args.report_dir}: not a swarm report with a series")
        return 1
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="gauntlet-chromium-") as profile, \
            Chromedriver(args.out / "chromedriver.log") as driver:
        driver.start(profile)
        started = time.monotonic()
        result = check_page(driver, html, report, args.out, "report.png")
        failures += result.items
        print(f"report.html: {len(result.items)} failed checks "
              f"({time.monotonic() - started:.1f} s); screenshot {args.out / 'report.png'}")
        for failure in result.items:
            print("FAIL:", failure)
        if not log_channel_works(driver):
            failures.append("the browser log did not return a probe error: it cannot be trusted")

        # The controls break a chart of a page that passed; on a failing page they prove nothing.
        controls = {} if result.items else broken_copies(html.read_text(), args.out)
        for name, (path, chart) in controls.items():
            # Caught: a failure about the broken chart that the real page did not have.
            caught = [item for item in check_page(driver, path, report, args.out, None).items
                      if item.startswith(chart + ":") and item not in result.items]
            print(f"negative control '{name}': {len(caught)} failed checks on {chart}, e.g. "
                  f"{caught[:1]}")
            if not caught:
                failures.append(f"negative control '{name}' ({path}): no check saw {chart} broken")

        if args.incomplete_dir:
            driver.open((args.incomplete_dir / "report.html").resolve().as_uri())
            page = driver.run(PAGE_PROBE, list(CHART_IDS))
            note = page["incomplete"]
            if note is None or not note["visible"]:
                failures.append(f"interrupted run: no visible incomplete-run warning ({note})")
            else:
                first_chart = min((c["box"]["y"] for c in page["charts"].values() if c),
                                  default=math.inf)
                if not note["box"]["y"] < first_chart or "interrupted" not in note["text"]:
                    failures.append(f"interrupted run: the warning {note} is not above the charts")
                print(f"interrupted run: warning shown: {note['text'][:120]!r}")
            if page["outcome"] == "PASS":
                failures.append("interrupted run: the headline says PASS (the run exited 3)")
            severe = [e for e in driver.browser_log() if e.get("level") == "SEVERE"]
            if severe:
                failures.append(f"interrupted run: errors in the browser log: {severe}")

    for failure in failures[len(result.items):]:
        print("FAIL:", failure)
    print("html_chromium_test:", "FAILED" if failures else "all checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
