"""report.html: the report in one self-contained page (the PNGs inline as data URIs, the tables
as HTML, no script and nothing fetched), to open from disk, attach or mail."""

from __future__ import annotations

import base64
import html
from pathlib import Path

import pyarrow as pa

from shadowline.tasks.reporting.figures import Plot
from shadowline.tasks.reporting.tables import cell

_STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; color: #222;
       padding: 0 1rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2.2rem; }
table { border-collapse: collapse; margin: 1rem 0; font-variant-numeric: tabular-nums; }
th, td { padding: .3rem .7rem; border-bottom: 1px solid #ddd; text-align: left; }
td.n, th.n { text-align: right; }
th { border-bottom: 2px solid #888; }
figure { margin: 0; } img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption, .caption { color: #555; max-width: 60rem; }
"""


def html_table(table: pa.Table, caption: str | None = None) -> str:
    """`table` as an HTML table with the text tables' cells (percentages, rounding)."""
    numeric = [pa.types.is_integer(t) or pa.types.is_floating(t) for t in table.schema.types]
    names = table.column_names

    def row(values: list[str], tag: str) -> str:
        cells = (
            f'<{tag} class="n">{v}</{tag}>' if num else f"<{tag}>{v}</{tag}>"
            for v, num in zip(values, numeric, strict=True)
        )
        return "<tr>" + "".join(cells) + "</tr>"

    head = row([html.escape(n) for n in names], "th")
    body = [row([html.escape(cell(n, r[n])) for n in names], "td") for r in table.to_pylist()]
    title = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f"<table>{title}<thead>{head}</thead><tbody>{''.join(body)}</tbody></table>"


def _figure(folder: Path, plot: Plot) -> str:
    data = base64.b64encode((folder / plot.file).read_bytes()).decode()
    return (
        f"<section><h2>{html.escape(plot.title)}</h2><figure>"
        f'<img src="data:image/png;base64,{data}" alt="{html.escape(plot.title)}" '
        f'width="{plot.width}" height="{plot.height}" data-file="{html.escape(plot.file)}">'
        f"<figcaption>{html.escape(plot.caption)}</figcaption></figure></section>"
    )


def write_html(folder: Path, title: str, summary: str, table: pa.Table, plots: list[Plot]) -> Path:
    """report.html in `folder`, from the plots already drawn there."""
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<link rel="icon" href="data:,">',  # no favicon request: nothing is fetched
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="summary">{html.escape(summary)}</p>',
        html_table(table),
        *(_figure(folder, plot) for plot in plots),
        "</body></html>",
    ]
    path = folder / "report.html"
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return path
