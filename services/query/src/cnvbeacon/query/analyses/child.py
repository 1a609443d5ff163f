"""Running the analysis job in a child process (spawned: a fresh interpreter, no copy of
the service's event loop, sockets or threads), and ending it if the service stops first.

As with any spawned process, the host's main module is imported again in the child, so it
must start nothing at import (`if __name__ == "__main__":`, as cnvbeacon.query.__main__).
"""

from __future__ import annotations

import asyncio
import multiprocessing
from multiprocessing.connection import Connection

from cnvbeacon.query.analyses.job import JobReport, run_job
from cnvbeacon.shared import logs
from cnvbeacon.shared.settings import ServiceSettings
from cnvbeacon.shared.store.client import open_client


class AnalysisJobError(RuntimeError):
    pass


async def run_job_in_child(settings: ServiceSettings, dataset_id: str) -> JobReport:
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_child_main,
        args=(sender, settings, dataset_id),
        name=f"cnvbeacon-analysis-{dataset_id}",
        daemon=True,
    )
    process.start()
    sender.close()
    try:
        outcome = await asyncio.to_thread(_receive, receiver)
    except asyncio.CancelledError:
        process.terminate()
        raise
    finally:
        await asyncio.to_thread(process.join, 10)
        receiver.close()
    if isinstance(outcome, JobReport):
        return outcome
    raise AnalysisJobError(outcome)


def _receive(receiver: Connection) -> JobReport | str:
    try:
        outcome: JobReport | str = receiver.recv()
    except EOFError:
        return "the analysis process ended without a result (killed or out of memory?)"
    return outcome


def _child_main(sender: Connection, settings: ServiceSettings, dataset_id: str) -> None:
    logs.configure_logging("query-analysis", settings.log_level, as_json=settings.log_json)
    try:
        sender.send(asyncio.run(_run(settings, dataset_id)))
    except Exception as error:
        sender.send(f"{type(error).__name__}: {error}")
    finally:
        sender.close()


async def _run(settings: ServiceSettings, dataset_id: str) -> JobReport:
    client = open_client(settings)
    try:
        return await run_job(client[settings.mongodb_database], dataset_id)
    finally:
        await client.close()
