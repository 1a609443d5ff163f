"""GET /analyses/{dataset}/plots/{plot}.svg: the figures, rendered in a thread.

plot: frequency (genome, or one chromosome with its ideogram: chrom=), populations (one
track per superpopulation, or group=population / a list of groups), cnvr-map, vst
(by=, min_samples=, labels=) and sizes. Subset and parameter arguments as everywhere.
"""

from __future__ import annotations

import math
from functools import partial
from typing import Final

from aiohttp import web

from cnvbeacon.query.analyses import http_params, records
from cnvbeacon.query.analyses.endpoints import (
    analysis_view,
    rendered,
    selected_groups,
    view_and_table,
)
from cnvbeacon.query.analyses.outliers import default_min_samples, vst_outliers
from cnvbeacon.query.analyses.pipeline import BINS, CNVRS
from cnvbeacon.query.analyses.plots.cnvr_map import cnvr_map_figure
from cnvbeacon.query.analyses.plots.frequency_plots import frequency_figure
from cnvbeacon.query.analyses.plots.size_plot import size_figure
from cnvbeacon.query.analyses.plots.style import render
from cnvbeacon.query.analyses.plots.vst_plot import vst_figure
from cnvbeacon.query.analyses.service import AnalysisView

PLOTS: Final = ("frequency", "populations", "cnvr-map", "vst", "sizes")


def _title(view: AnalysisView, what: str) -> str:
    subset = view.variant.subset.key()
    samples = view.meta["summary"]["samples"]
    scope = "" if subset == "all" else f" [{subset.replace(';', ', ')}]"
    plural = "" if samples == 1 else "s"
    return f"{view.dataset.dataset_id}{scope}: {what} ({samples:,} sample{plural})"


async def get_plot(request: web.Request) -> web.Response:
    name = request.match_info["plot"]
    if name not in PLOTS:
        raise web.HTTPNotFound(text=f"no plot {name!r}; plots: {', '.join(PLOTS)}")
    query = request.query
    chrom = http_params.chromosome(query)
    if name in ("frequency", "populations"):
        view, bins = await view_and_table(request, BINS)
        if name == "populations" and not http_params.text_list(query, "group"):
            groups = records.groups_of(view.meta, ["superpopulation"]) or records.groups_of(
                view.meta, ["all"]
            )
        else:
            groups = selected_groups(request, view)
        where = f"chromosome {chrom}" if chrom else "genome"
        what = "gain/loss frequency" if len(groups) == 1 else "gain/loss frequency by group"
        draw = partial(
            frequency_figure, bins, view.meta, groups, chrom, _title(view, f"{what}, {where}")
        )
    elif name == "cnvr-map":
        view, cnvrs = await view_and_table(request, CNVRS)
        samples = int(view.meta["summary"]["samples"])
        # By default the CNVRs of at least 1% of the samples: at 1000 Genomes scale all of
        # them (rare and private ones included) cover most of every chromosome.
        common = max(1, math.ceil(0.01 * samples))
        min_samples = http_params.integer(query, "min_samples", common, 1)
        label = "CNVR map" + (f", CNVRs in >= {min_samples} samples" if min_samples > 1 else "")
        draw = partial(cnvr_map_figure, cnvrs, view.meta, min_samples, _title(view, label))
    elif name == "vst":
        view, cnvrs = await view_and_table(request, CNVRS)
        by = query.get("by", "superpopulation")
        if by not in ("superpopulation", "population"):
            raise http_params.bad("by", "expected superpopulation or population")
        samples = int(view.meta["summary"]["samples"])
        min_samples = http_params.integer(query, "min_samples", default_min_samples(samples), 1)
        labels = http_params.integer(query, "labels", 10, 0, 50)
        outliers = vst_outliers(cnvrs, by, min_samples)
        title = _title(view, f"$V_{{ST}}$ between {by}s, CNVRs in >= {min_samples} samples")
        draw = partial(vst_figure, cnvrs, view.meta, by, outliers, labels, title)
    else:
        view = await analysis_view(request)
        draw = partial(size_figure, view.meta["summary"], _title(view, "size distributions"))
    download = http_params.flag(query, "download")

    def build() -> web.Response:
        response = web.Response(body=render(draw), content_type="image/svg+xml")
        if download:
            response.headers["Content-Disposition"] = (
                f'attachment; filename="{view.dataset.dataset_id}.{name}.svg"'
            )
        return response

    return await rendered(request, view, build)
