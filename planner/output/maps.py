"""Maps: the regions at their coordinates, sized and coloured by investment per person, and the
transport network with the plan's upgraded links drawn bold.

The coordinates are the optional columns ``Regions.lat`` / ``Regions.lon`` (and ``Nodes.lat`` /
``Nodes.lon`` for junctions); a region without them is left off the map, and a scenario without
any gets no map. matplotlib draws the pictures; it is an optional extra (``pip install
'planner[maps]'``): without it every workbook is still written, only without its map
(:func:`available` says which). The same data gives the map of the results workbook, the PNG and
SVG of ``--figures DIR``, and the comparison's small multiples (one panel per scenario).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from planner.output.labels import word
from planner.results import Answer, allocation_table


@dataclass
class MapData:
    """What one map shows: regions (region, name, lat, lon, population, invested, per_person), the
    network's links (a, b, upgraded) between points with coordinates, and the per-person unit."""

    title: str
    regions: pd.DataFrame
    links: list[tuple[tuple[float, float], tuple[float, float], bool]] = field(default_factory=list)
    unit: str = ""


def _unit(column: str) -> str:
    """"USD per person" from the header "invested per person (USD)"."""
    persons, _, currency = column[len("invested per "):].partition(" (")
    return f"{currency.rstrip(')')} per {persons}"


def available() -> bool:
    """Whether matplotlib (the ``maps`` extra) is installed."""
    try:
        import matplotlib  # noqa: F401  (optional dependency: the maps extra)
    except ImportError:
        return False
    return True


def map_data(answer: Answer, title: str = "") -> MapData | None:
    """The map of one answer, or None when no region has coordinates."""
    info = answer.region_info
    if info.empty or "lat" not in info or "lon" not in info:
        return None
    coords = info[["region", "lat", "lon"]].copy()
    coords["lat"] = pd.to_numeric(coords["lat"], errors="coerce")
    coords["lon"] = pd.to_numeric(coords["lon"], errors="coerce")
    coords = coords.dropna()
    if coords.empty:
        return None
    table = allocation_table(answer)
    per_person = [c for c in table.columns if str(c).startswith("invested per ") and str(c).endswith(")")]
    column = per_person[0] if per_person else None
    regions = table[["region", "name", "population", "invested"]].merge(coords, on="region")
    regions["per_person"] = table.set_index("region")[column].reindex(regions["region"]).to_numpy() \
        if column else np.nan
    unit = _unit(column) if column else ""
    points = {r.region: (float(r.lon), float(r.lat)) for r in coords.itertuples(index=False)}
    points |= answer.node_coordinates
    links = []
    upgraded = set(answer.upgraded_links)
    for link, a, b in answer.network_links:
        if a in points and b in points:
            links.append((points[a], points[b], link in upgraded))
    return MapData(title or answer.scenario, regions, links, unit)


def draw(maps: list[MapData], lang: str = "en", fmt: str = "png", dpi: int = 110,
         panel_size: tuple[float, float] = (6.4, 4.6)) -> bytes | None:
    """The maps side by side (one panel each) as PNG or SVG bytes; None without matplotlib or maps."""
    maps = [m for m in maps if m is not None]
    if not maps or not available():
        return None
    import matplotlib  # optional dependency (the maps extra): imported only when a map is drawn

    matplotlib.use("Agg", force=True)
    from matplotlib import pyplot as plt
    from matplotlib.colors import Normalize
    from matplotlib.lines import Line2D

    columns = min(len(maps), 3)
    rows = math.ceil(len(maps) / columns)
    every = pd.concat([m.regions[["lat", "lon"]] for m in maps])
    span_x = (float(every["lon"].max() - every["lon"].min()) or 1.0) * \
        math.cos(math.radians(float(every["lat"].mean())))
    span_y = float(every["lat"].max() - every["lat"].min()) or 1.0
    height = min(max(panel_size[0] * span_y / span_x + 0.9, 2.5), panel_size[1] * 1.6)
    figure, axes = plt.subplots(rows, columns, figsize=(panel_size[0] * columns + 1.0, height * rows + 0.4),
                                squeeze=False)
    values = pd.concat([m.regions["per_person"] for m in maps]).astype(float)
    top = float(np.nanmax(values)) if values.notna().any() and np.nanmax(values) > 0 else 1.0
    norm = Normalize(vmin=0.0, vmax=top)
    cmap = plt.get_cmap("YlOrRd")
    for ax, m in zip(axes.flat, maps):
        for (x0, y0), (x1, y1), bold in m.links:
            ax.plot([x0, x1], [y0, y1], color="#1f3b73" if bold else "#8c8c8c", linewidth=3.6 if bold else 1.1,
                    zorder=4 if bold else 1, solid_capstyle="round")
        r = m.regions
        value = r["per_person"].astype(float).fillna(0.0)
        sizes = 40 + 700 * np.sqrt(np.clip(value / top, 0, 1))
        nothing = value <= 0
        ax.scatter(r["lon"], r["lat"], s=sizes, c=cmap(norm(value)), edgecolors="#333333", linewidths=0.6,
                   alpha=0.9, zorder=3)
        if nothing.any():
            ax.scatter(r.loc[nothing, "lon"], r.loc[nothing, "lat"], s=40, facecolors="white",
                       edgecolors="#333333", linewidths=0.8, zorder=3)
        _labels(ax, r, value, sizes)
        ax.set_title(m.title if len(maps) > 1 else f"{word('map.title', lang)}\n{m.title}", fontsize=10)
        ax.set_aspect(1 / math.cos(math.radians(float(r["lat"].mean()))) if len(r) else 1.0)
        ax.margins(x=0.16, y=0.14)
        ax.set_xticks([])
        ax.set_yticks([])
        for side in ax.spines.values():
            side.set_visible(False)
    handles = [Line2D([], [], color="#1f3b73", linewidth=3.6, label=word("map.upgraded", lang)),
               Line2D([], [], color="#8c8c8c", linewidth=1.1, label=word("map.existing", lang)),
               Line2D([], [], marker="o", linestyle="", markerfacecolor="white", markeredgecolor="#333333",
                      label=word("map.none", lang))]
    axes.flat[0].legend(handles=handles, loc="best", fontsize=7.5, frameon=False)
    for ax in list(axes.flat)[len(maps):]:
        ax.set_visible(False)
    if len(maps) > 1:
        figure.subplots_adjust(hspace=0.08, wspace=0.04)
    mappable = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
    bar = figure.colorbar(mappable, ax=axes.ravel().tolist(), shrink=0.7, pad=0.02)
    bar.set_label(f"{word('map.legend', lang)} ({maps[0].unit})" if maps[0].unit else word("map.legend", lang),
                  fontsize=8)
    if len(maps) > 1:
        figure.suptitle(word("map.title", lang), fontsize=11)
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, dpi=dpi, bbox_inches="tight", metadata={"Date": None} if fmt == "svg" else None)
    plt.close(figure)
    return buffer.getvalue()


def _labels(ax, regions: pd.DataFrame, value: pd.Series, sizes: np.ndarray) -> None:
    """Each region's name and figure beside its circle, where it covers no label placed before
    (largest circles first; below, above, right or left of the circle)."""
    figure = ax.figure
    figure.canvas.draw()
    to_pixels = ax.transData.transform
    placed: list[tuple[float, float, float, float]] = []
    for x, y, size in zip(regions["lon"], regions["lat"], sizes):
        cx, cy = to_pixels((float(x), float(y)))
        half = math.sqrt(size) / 2 * figure.dpi / 72 * 0.8
        placed.append((cx - half, cy - half, cx + half, cy + half))
    order = np.argsort(-np.asarray(sizes))
    for position in order:
        row = regions.iloc[position]
        name = row["name"] if isinstance(row["name"], str) and row["name"].strip() else row["region"]
        text = f"{_short(name)} {_figure(value.iloc[position])}"
        x, y = to_pixels((float(row["lon"]), float(row["lat"])))
        radius = math.sqrt(sizes[position]) / 2 * figure.dpi / 72 + 2
        width, height = 5.2 * len(text) * figure.dpi / 100, 11 * figure.dpi / 100
        options = [(0, -radius - height / 2, "center"), (0, radius + height / 2, "center"),
                   (radius + width / 2, 0, "left"), (-radius - width / 2, 0, "right")]
        for dx, dy, _ in options + [options[0]]:
            box = (x + dx - width / 2, y + dy - height / 2, x + dx + width / 2, y + dy + height / 2)
            if not any(_hits(box, other) for other in placed[len(regions):] + _others(placed, position, len(regions))):
                break
        placed.append(box)
        ax.annotate(text, (float(row["lon"]), float(row["lat"])),
                    xytext=(dx * 72 / figure.dpi, dy * 72 / figure.dpi), textcoords="offset points",
                    ha="center", va="center", fontsize=7, zorder=5,
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.7})


def _others(placed: list, position: int, circles: int) -> list:
    """The circles other than the labelled region's own."""
    return [box for k, box in enumerate(placed[:circles]) if k != position]


def _hits(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return not (a[2] < b[0] or b[2] < a[0] or a[3] < b[1] or b[3] < a[1])


def _short(name: str) -> str:
    return name if len(name) <= 18 else name.replace("Republic of ", "")[:18]


def _figure(value: float) -> str:
    if not value or value != value:
        return "0"
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:,.1f}"


__all__ = ["MapData", "available", "draw", "map_data"]
