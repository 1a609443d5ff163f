"""Running the analysis job: the read model catches up with the store and exports the
dataset (one snapshot) to a private directory, then a child process (spawned: a fresh
interpreter, no copy of the service's event loop, sockets or threads) analyses it and
stores the result; it is ended if the service stops first.

As with any spawned process, the host's main module is imported again in the child, so it
must start nothing at import (`if __name__ == "__main__":`, as cnvbeacon.query.__main__).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import shutil
import tempfile
from multiprocessing.connection import Connection
from pathlib import Path

from cnvbeacon.query.analyses.genome import genome
from cnvbeacon.query.analyses.job import DatasetMissingError, Export, JobReport, run_job
from cnvbeacon.query.read_model import ReadModel
from cnvbeacon.shared import logs
from cnvbeacon.shared.settings import ServiceSettings
from cnvbeacon.shared.store.client import open_client


class AnalysisJobError(RuntimeError):
    pass


async def run_job_in_child(
    settings: ServiceSettings, read_model: ReadModel, dataset_id: str
) -> JobReport:
    await read_model.catch_up()
    dataset = read_model.datasets().get(dataset_id)
    if dataset is None:
        raise DatasetMissingError(dataset_id)
    assembly = dataset.normalised_assembly or "GRCh38"
    directory = Path(tempfile.mkdtemp(prefix="cnvb-analysis-"))
    try:
        version = await read_model.export_dataset(
            dataset_id, genome(assembly).chromosomes, directory
        )
        if version is None:
            raise DatasetMissingError(dataset_id)
        return await _run_child(settings, Export(dataset_id, assembly, version, directory))
    finally:
        await asyncio.to_thread(shutil.rmtree, directory, True)


async def _run_child(settings: ServiceSettings, export: Export) -> JobReport:
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_child_main,
        args=(sender, settings, export),
        name=f"cnvbeacon-analysis-{export.dataset_id}",
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


def _child_main(sender: Connection, settings: ServiceSettings, export: Export) -> None:
    logs.configure_logging("query-analysis", settings.log_level, as_json=settings.log_json)
    try:
        sender.send(asyncio.run(_run(settings, export)))
    except Exception as error:
        sender.send(f"{type(error).__name__}: {error}")
    finally:
        sender.close()


async def _run(settings: ServiceSettings, export: Export) -> JobReport:
    client = open_client(settings)
    try:
        return await run_job(client[settings.mongodb_database], export)
    finally:
        await client.close()
