"""Country outlines for maps of the region, from Natural Earth.

The outlines come from the `world-atlas` npm package (Natural Earth 1:110m
admin-0 boundaries, public domain, redistributed as TopoJSON under the ISC
licence), pinned in package.json like the book's other JavaScript assets.
They are decoded here and clipped to a longitude/latitude box, so a map
embeds only the region it shows.
"""

from __future__ import annotations

import json
from functools import lru_cache

from .paths import ROOT

TOPOLOGY = ROOT / "node_modules" / "world-atlas" / "countries-110m.json"
SOURCE_NOTE = "Country outlines: Natural Earth (public domain), via the world-atlas package."
# West, south, east, north: the Caucasus, the Caspian and Iran, to the Gulf and the Volga.
REGION = (26.0, 22.0, 75.0, 58.0)
# A ring clipped down to a sliver has next to no area; Vega would fill the globe with it.
MIN_RING_AREA = 0.05


@lru_cache(maxsize=1)
def _topology() -> dict:
    if not TOPOLOGY.exists():
        raise FileNotFoundError(f"{TOPOLOGY} is missing: run './run.sh build' once to install the pinned npm packages")
    return json.loads(TOPOLOGY.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _arcs() -> list[list[tuple[float, float]]]:
    """Absolute lon/lat points of every arc (TopoJSON stores quantised deltas)."""
    topology = _topology()
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        decoded.append(points)
    return decoded


def _ring(arc_indexes: list[int]) -> list[tuple[float, float]]:
    arcs = _arcs()
    ring: list[tuple[float, float]] = []
    for index in arc_indexes:
        points = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(points[1:] if ring else points)
    return ring


def _clip(ring: list[tuple[float, float]], box: tuple[float, float, float, float]) -> list[tuple[float, float]]:
    """Sutherland–Hodgman clipping of a ring to a lon/lat rectangle."""
    west, south, east, north = box
    edges = [(lambda p: p[0] >= west, lambda a, b: _cross_x(a, b, west)),
             (lambda p: p[0] <= east, lambda a, b: _cross_x(a, b, east)),
             (lambda p: p[1] >= south, lambda a, b: _cross_y(a, b, south)),
             (lambda p: p[1] <= north, lambda a, b: _cross_y(a, b, north))]
    points = ring
    for inside, cross in edges:
        if not points:
            break
        clipped = []
        previous = points[-1]
        for point in points:
            if inside(point):
                if not inside(previous):
                    clipped.append(cross(previous, point))
                clipped.append(point)
            elif inside(previous):
                clipped.append(cross(previous, point))
            previous = point
        points = clipped
    return points


def _area(ring: list[tuple[float, float]]) -> float:
    """Planar signed area in square degrees (shoelace)."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1])) / 2


def _cross_x(a, b, x):
    t = (x - a[0]) / (b[0] - a[0])
    return (x, a[1] + t * (b[1] - a[1]))


def _cross_y(a, b, y):
    t = (y - a[1]) / (b[1] - a[1])
    return (a[0] + t * (b[0] - a[0]), y)


def countries(box: tuple[float, float, float, float] = REGION, precision: int = 1) -> list[dict]:
    """GeoJSON features (name in properties) of every country with land inside ``box``.

    Coordinates are rounded to ``precision`` decimals (about 10 km at 1) to keep pages light.
    Polygon rings are wound clockwise, as Vega's spherical projection expects.
    """
    features = []
    for geometry in _topology()["objects"]["countries"]["geometries"]:
        if geometry["type"] == "Polygon":
            polygons = [geometry["arcs"]]
        elif geometry["type"] == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        kept = []
        for polygon in polygons:
            rings = []
            for arc_indexes in polygon:
                ring = _clip(_ring(arc_indexes), box)
                rounded = [(round(x, precision), round(y, precision)) for x, y in ring]
                ring = [p for i, p in enumerate(rounded) if i == 0 or p != rounded[i - 1]]
                if len(ring) >= 4 and abs(_area(ring)) >= MIN_RING_AREA:
                    if ring[0] != ring[-1]:
                        ring.append(ring[0])
                    rings.append([list(p) for p in ring])
            if rings:
                kept.append(rings)
        if kept:
            features.append({"type": "Feature", "properties": {"name": geometry["properties"]["name"]},
                             "geometry": {"type": "MultiPolygon", "coordinates": kept}})
    return features
