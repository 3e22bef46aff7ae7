"""A realistic guidance store to tamper with: clients, trajectories, interventions,
snapshots, checkpoints taken as the relay takes them (every few saves), audit's
witness of them, and a few events after the last checkpoint, as on a live system.
Built once per store kind; each tamper works on a fresh copy of it."""
from __future__ import annotations

import copy
import datetime as dt
import shutil
import sqlite3
from dataclasses import dataclass, replace
from pathlib import Path

import psycopg
from psycopg import sql

from services.guidance.application import GuidanceApplication
from services.guidance.domain import Trajectory
from services.intake.application import IntakeApplication
from shared import checkpoints, keys
from shared.config import DEPLOY_DIR, StoreSettings
from tests.support.fakes import IN_MEMORY, Link
from tests.support.samples import COORDINATOR, WORKER, intervention_args, registration_args

CLIENTS, INTERVENTIONS, CHECKPOINT_EVERY = 5, 24, 8
PG = dict(host="127.0.0.1", port=5432, user="postgres")


@dataclass
class World:
    store: StoreSettings
    checkpoint_path: Path
    witnessed: list[dict]  # audit's copy
    events_table: str
    snapshots_table: str


def sqlite_store(path: Path) -> StoreSettings:
    return StoreSettings(kind="sqlite", sqlite_path=path, postgres_dbname="", postgres_host="", postgres_port=0,
                         postgres_user="", postgres_schema="")


def postgres_store(dbname: str) -> StoreSettings:
    return StoreSettings(kind="postgres", sqlite_path=None, postgres_dbname=dbname, postgres_host=PG["host"],
                         postgres_port=PG["port"], postgres_user=PG["user"], postgres_schema="public")


def build(store: StoreSettings, checkpoint_path: Path) -> World:
    intake = IntakeApplication(env=IN_MEMORY)
    intake.load_directory(DEPLOY_DIR / "intake" / "sample-directory.json")
    guidance = GuidanceApplication(store=store)
    guidance.snapshotting_intervals = {Trajectory: 10}  # snapshots to tamper with, in a small store
    link = Link(guidance, intake, "intake")
    taker = checkpoints.Checkpointer(guidance, keys.signing_key(keys.events_key_name("guidance")),
                                     checkpoint_path, every_seconds=0)
    start = dt.datetime(2026, 11, 2, 9, tzinfo=dt.timezone.utc)
    clients = []
    for n in range(CLIENTS):
        client = intake.register_client(WORKER, **registration_args(national_number=None))
        intake.accept(COORDINATOR, client, "apo-sa-1")
        link.deliver()
        clients.append(client)
    saves = 0
    for i in range(INTERVENTIONS):
        for client in clients:
            guidance.record_intervention(WORKER, client, **intervention_args(start + dt.timedelta(hours=i)))
            saves += 1
            if saves % CHECKPOINT_EVERY == 0:
                taker.take()
    taker.take()
    # What happened after the last checkpoint: not covered yet, as on a live system.
    guidance.record_intervention(WORKER, clients[0], **intervention_args(start + dt.timedelta(days=3)))
    world = World(store, checkpoint_path, copy.deepcopy(checkpoints.checkpoints_in_log(guidance)),
                  guidance.recorder.events_table_name, guidance.snapshots.recorder.events_table_name)
    guidance.close()
    return world


def copy_of(world: World, folder: Path, name: str) -> World:
    """A fresh copy of the world's stores and checkpoint file, to tamper with."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "checkpoints.jsonl"
    shutil.copy(world.checkpoint_path, path)
    if world.store.kind == "sqlite":
        events = folder / "guidance.sqlite"
        for source, target in ((world.store.sqlite_path, events),
                               (_keys_file(world.store.sqlite_path), _keys_file(events))):
            with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
                src.backup(dst)
        return replace(world, store=sqlite_store(events), checkpoint_path=path)
    dbname = f"{world.store.postgres_dbname}_{name}"
    with psycopg.connect(dbname="postgres", autocommit=True, **PG) as db:
        for suffix in ("", "_keys"):
            db.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(dbname + suffix), sql.Identifier(world.store.postgres_dbname + suffix)))
    return replace(world, store=postgres_store(dbname), checkpoint_path=path)


def drop(world: World) -> None:
    if world.store.kind != "postgres":
        return
    with psycopg.connect(dbname="postgres", autocommit=True, **PG) as db:
        for suffix in ("", "_keys"):
            db.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(world.store.postgres_dbname + suffix)))


def _keys_file(events: Path) -> Path:
    return events.with_name(f"{events.stem}-keys.sqlite")
