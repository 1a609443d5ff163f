"""HG00096 through ingest (whose worker requests the analysis) with the 1kGP sample table:
every analysis runs and every plot renders."""

from __future__ import annotations

import pytest
from aiohttp import ClientSession

from cnvbeacon.ingest.app import create_app as create_ingest
from cnvbeacon.query.analyses.keys import SETTINGS as ANALYSIS_SETTINGS
from cnvbeacon.query.app import create_app as create_query
from tests.conftest import HG00096_VCF, Backends
from tests.ingest.test_ingest_integration import AUTH, ingest_settings, submit_file
from tests.query.analyses.test_analysis_integration import FAST, get_json, query_settings
from tests.support.services import serve, wait_for, wait_for_job

pytestmark = [pytest.mark.integration, pytest.mark.slow]


async def test_hg00096_analyses_and_plots(backends_env: Backends) -> None:
    query_app = create_query(query_settings(backends_env))
    query_app[ANALYSIS_SETTINGS] = FAST
    async with (
        serve(create_ingest(ingest_settings(backends_env))) as ingest,
        serve(query_app) as query,
        ClientSession() as session,
    ):
        async with session.post(
            f"{ingest}/individuals?dataset=test&preset=1kgp-30x", headers=AUTH
        ) as response:
            assert response.status == 200, await response.text()
        job_id = await submit_file(session, ingest, HG00096_VCF, sample="HG00096")
        assert (await wait_for_job(session, ingest, job_id))["state"] == "succeeded"
        base = f"{query}/analyses/test"

        async def ready() -> bool:
            status = await get_json(session, base)
            return status["state"] == "ready" and status["stale"] is False

        await wait_for(ready, timeout=120, what="the analysis the ingest worker requested")
        summary = (await get_json(session, f"{base}/summary"))["summary"]
        assert summary["samples"] == 1
        assert summary["calls"] == 591
        assert summary["loss_calls"] == 472
        assert summary["gain_calls"] == 119
        # One sample: every CNVR is a singleton, none differentiates populations.
        assert summary["singleton_cnvrs"] == summary["cnvrs"]
        groups = (await get_json(session, f"{base}/summary"))["groups"]
        assert [(g["id"], g["samples"]) for g in groups] == [
            ("all", 1),
            ("EUR", 1),
            ("GBR", 1),
        ]
        profile = (await get_json(session, f"{base}/samples"))["rows"][0]
        assert profile["sample"] == "HG00096"
        assert profile["sex"] == "male"
        assert profile["calls"] == 591
        vst = await get_json(session, f"{base}/vst")
        assert vst["tested"] == 0
        genes = await get_json(session, f"{base}/frequencies?unit=genes&gene=UGT2B17")
        assert [r["symbol"] for r in genes["rows"]] == ["UGT2B17"]
        for path in (
            "frequency",
            "frequency.svg?chrom=X",
            "populations",
            "cnvr-map",
            "vst",
            "sizes",
        ):
            name, _, arguments = path.partition("?")
            url = f"{base}/plots/{name.removesuffix('.svg')}.svg?{arguments}"
            async with session.get(url) as response:
                assert response.status == 200, (path, await response.text())
                assert b"</svg>" in await response.read()
