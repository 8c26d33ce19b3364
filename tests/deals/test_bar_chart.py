"""/stats/'s bar charts: every text escaped, every shape drawn to scale."""

from deals.charts import BarRow, bar_chart


def test_a_bar_chart_escapes_every_text_and_draws_each_bar_to_scale():
    svg = bar_chart(
        [
            BarRow(
                label='<b>"Adobe & Figma"</b>',
                parts=[("seg seg-cleared", 3, 'cleared: <3 "more">'), ("seg seg-open", 1, "open")],
                note="4 & counting",
                marker=2,
            ),
            BarRow(label="EC 2024", parts=[("seg seg-cleared", 2, "cleared: 2")]),
        ],
        title='Outcomes <per> "year"',
        unit="days",
    )
    assert "<b>" not in svg and '"Adobe' not in svg
    assert "&lt;b&gt;&quot;Adobe &amp; Figma&quot;&lt;/b&gt;" in svg
    assert "<title>cleared: &lt;3 &quot;more&quot;&gt;</title>" in svg
    assert 'aria-label="Outcomes &lt;per&gt; &quot;year&quot;"' in svg
    assert '<tspan class="bar-value" dx="6">4 &amp; counting</tspan>' in svg
    # The largest bar (3 + 1) fills 98 % of the width; the others in proportion.
    assert '<rect class="seg seg-cleared" x="0.0%" y="18" width="73.5%" height="14" rx="2">' in svg
    assert '<rect class="seg seg-open" x="73.5%" y="18" width="24.5%" height="14" rx="2">' in svg
    assert '<line class="marker" x1="49.0%" x2="49.0%" y1="15" y2="35">' in svg
    assert "<title>statutory length: 2 days</title>" in svg
    assert '<rect class="seg seg-cleared" x="0.0%" y="60" width="49.0%"' in svg
