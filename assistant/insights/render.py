"""The report as HTML: charts drawn here as SVG (no script, no CDN, printable), every piece
of text escaped."""

from __future__ import annotations

from html import escape

from assistant.insights.service import Report

BAR = "#1f4e79"
SOFT = "#9ccfae"


def bar_chart(title: str, labels: list[str], values: list[float], *, percent: bool = False) -> str:
    """A horizontal-axis bar chart: one bar per label, value on top."""
    width, height, pad = 640, 200, 28
    top = max(values, default=0) or 1
    step = (width - 2 * pad) / max(1, len(values))
    bars = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = (height - 2 * pad) * value / top
        x = pad + i * step
        shown = f"{value:.0%}" if percent else f"{value:g}"
        bars.append(
            f'<rect x="{x + 2:.1f}" y="{height - pad - h:.1f}" width="{max(1, step - 4):.1f}" '
            f'height="{h:.1f}" fill="{BAR}"><title>{escape(label)}: {shown}</title></rect>'
            f'<text x="{x + step / 2:.1f}" y="{height - pad - h - 4:.1f}" font-size="10" '
            f'text-anchor="middle">{shown}</text>'
        )
        if len(values) <= 13 or i % 2 == 0:
            bars.append(
                f'<text x="{x + step / 2:.1f}" y="{height - 10}" font-size="9" '
                f'text-anchor="middle">{escape(_short(label))}</text>'
            )
    return (
        f'<figure class="chart"><figcaption>{escape(title)}</figcaption>'
        f'<svg role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMidYMid meet">'
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" '
        f'stroke="#888"/>{"".join(bars)}</svg></figure>'
    )


SERIES = ["#1f4e79", "#4e9a6b", "#c98a1c", "#8d5aa6", "#6b7280"]


def stacked_chart(title: str, labels: list[str], series: dict[str, list[float]]) -> str:
    """Bars stacked by series (questions per week by surface), with a legend."""
    width, height, pad = 640, 220, 28
    totals = [sum(values[i] for values in series.values()) for i in range(len(labels))]
    top = max(totals, default=0) or 1
    step = (width - 2 * pad) / max(1, len(labels))
    shapes = []
    for i, label in enumerate(labels):
        y: float = height - pad
        for k, (name, values) in enumerate(series.items()):
            h = (height - 2 * pad - 16) * values[i] / top
            y -= h
            shapes.append(
                f'<rect x="{pad + i * step + 2:.1f}" y="{y:.1f}" width="{max(1, step - 4):.1f}" '
                f'height="{h:.1f}" fill="{SERIES[k % len(SERIES)]}"><title>{escape(label)} '
                f"{escape(name)}: {values[i]:g}</title></rect>"
            )
        if len(labels) <= 13 or i % 2 == 0:
            shapes.append(
                f'<text x="{pad + i * step + step / 2:.1f}" y="{height - 10}" font-size="9" '
                f'text-anchor="middle">{escape(_short(label))}</text>'
            )
    legend = "".join(
        f'<rect x="{pad + k * 90}" y="2" width="10" height="10" fill="{SERIES[k % len(SERIES)]}"/>'
        f'<text x="{pad + k * 90 + 14}" y="11" font-size="10">{escape(name)}</text>'
        for k, name in enumerate(series)
    )
    return (
        f'<figure class="chart"><figcaption>{escape(title)}</figcaption>'
        f'<svg role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMidYMid meet">{legend}'
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" '
        f'stroke="#888"/>{"".join(shapes)}</svg></figure>'
    )


def report_body(report: Report) -> str:
    """The report's sections (used by the printable page and the insights page)."""
    weeks = [w.week for w in report.weeks]
    helpful = "no votes" if report.helpful_rate is None else f"{report.helpful_rate:.0%}"
    parts = [
        f'<p class="summary"><strong>{report.questions}</strong> questions from {report.since} '
        f"to {report.until}; <strong>{report.answer_rate:.0%}</strong> of in-scope questions "
        f"answered; helpful rate <strong>{helpful}</strong>.</p>",
        '<div class="charts">',
        stacked_chart(
            "Questions per week, by surface",
            weeks,
            {
                surface: [float(w.by_surface.get(surface, 0)) for w in report.weeks]
                for surface in sorted({s for w in report.weeks for s in w.by_surface})
            },
        ),
        bar_chart(
            "Answer rate per week", weeks, [w.answer_rate for w in report.weeks], percent=True
        ),
        bar_chart(
            "Helpful rate per week",
            weeks,
            [w.helpful_rate or 0.0 for w in report.weeks],
            percent=True,
        ),
        bar_chart(
            "Questions by topic",
            [t.topic for t in report.topics],
            [float(t.questions) for t in report.topics],
        ),
        "</div>",
        _surfaces(report),
        "<h2>Knowledge gaps, grouped by meaning</h2>",
        _table(
            ["Questions", "Examples", "Nearest document", "Suggested topic"],
            [
                [
                    str(c.size),
                    "; ".join(c.examples) or "(fewer than 3 questions: not shown)",
                    c.nearest_title or "none close",
                    c.suggested_topic or "",
                ]
                for c in report.gap_clusters
            ],
            "No gaps in this period.",
        ),
        "<h2>Suggested training sessions</h2>",
        _table(
            ["Session", "Why", "Curriculum document"],
            [
                [s.title, s.reason, s.curriculum_doc_id or "none yet"]
                for s in report.suggested_sessions
            ],
            "Nothing to suggest yet.",
        ),
        "<h2>Answers most often marked unhelpful</h2>",
        _table(
            ["Question", "Not helpful", "Documents cited"],
            [
                [
                    u.question or "(fewer than 3 votes: not shown)",
                    str(u.not_helpful),
                    ", ".join(u.cited_doc_ids),
                ]
                for u in report.unhelpful_answers
            ],
            "None.",
        ),
        "<h2>Documents</h2>",
        _table(
            ["Most cited", "Citations"],
            [[d.title, str(d.citations)] for d in report.most_cited],
            "Nothing cited yet.",
        ),
        _table(
            ["Never cited", ""],
            [[d.title, ""] for d in report.never_cited],
            "Every document was cited.",
        ),
    ]
    return "\n".join(parts)


def render_report(report: Report) -> str:
    """The printable report page (stands alone: its own small stylesheet)."""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Signpost training-needs report, {escape(report.since)} to {escape(report.until)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 24px auto; max-width: 900px; padding: 0 12px;
  color: #1f2933; }}
table {{ border-collapse: collapse; width: 100%; margin: 8px 0 20px; }}
th, td {{ border-bottom: 1px solid #d5dbe1; padding: 6px; text-align: left; vertical-align: top; }}
.charts {{ display: grid; grid-template-columns: repeat(auto-fit, minmax(280px, 1fr)); gap: 12px; }}
figure {{ margin: 0; }} figcaption {{ font-weight: 600; }}
@media print {{ body {{ margin: 0; }} }}
</style></head>
<body><h1>Training-needs report</h1>
{report_body(report)}
</body></html>"""


def _surfaces(report: Report) -> str:
    totals: dict[str, int] = {}
    for week in report.weeks:
        for surface, n in week.by_surface.items():
            totals[surface] = totals.get(surface, 0) + n
    rows = [[surface, str(n)] for surface, n in sorted(totals.items(), key=lambda x: -x[1])]
    return _table(["Surface", "Questions"], rows, "No questions yet.")


def _table(head: list[str], rows: list[list[str]], empty: str) -> str:
    if not rows:
        return f'<p class="muted">{escape(empty)}</p>'
    cells = "".join(f'<th scope="col">{escape(h)}</th>' for h in head)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return (
        f'<div class="table-wrap"><table><thead><tr>{cells}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _short(label: str) -> str:
    """A week (an ISO date) as "MM-DD"; a topic cut to 14 characters."""
    return label[5:] if len(label) == 10 and label[4] == "-" else label[:14]
