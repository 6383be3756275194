"""Charts of counts have whole-number ticks: nobody gave 0.2 of a response."""

from __future__ import annotations

import pytest

from crm_sandbox.services import charts


@pytest.mark.parametrize("horizontal", [False, True])
@pytest.mark.parametrize("values", [[1, 0, 2], [1], [0, 0], [3, 7, 12, 5]])
def test_a_bar_chart_of_counts_ticks_only_whole_numbers(values, horizontal):
    labels = [f"option {n}" for n in range(len(values))]
    fig = charts.bar_figure(labels, values, "Answers", horizontal=horizontal)
    ax = fig.axes[0]
    low, high = ax.get_xlim() if horizontal else ax.get_ylim()
    ticks = [t for t in (ax.get_xticks() if horizontal else ax.get_yticks()) if low <= t <= high]
    assert ticks and all(float(t).is_integer() for t in ticks), ticks
    assert max(ticks) >= max(values)
