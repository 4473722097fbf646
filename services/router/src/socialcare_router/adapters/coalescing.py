"""One MongoDB request for the point lookups and writes made in the same event-loop turn.

The router worker handles a batch's conversations concurrently; each of them looks up a
few documents by ``_id`` and writes a few. Every call still awaits its own result, so each
conversation sees its own writes in order, but the calls that are ready at the same moment
travel together: ``_id`` lookups as one ``$in`` query (an ``_id`` query, which every MongoDB
server answers from the primary index), inserts and upserts as one unordered bulk write.
The per-request cost of the driver and the server is paid once per group, not per call.
"""

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, Generic, TypeVar

from pymongo import ReplaceOne, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError, WriteError

Document = dict[str, Any]
Item = TypeVar("Item")
Result = TypeVar("Result")
DUPLICATE_KEY = 11000
MAX_GROUP = 1000


class Coalescer(Generic[Item, Result]):
    """Queues calls until the loop's next turn, then runs them as one request.

    ``run`` gets the items in call order and returns one result (or exception) per item.
    Two calls for the same ``id_of`` never share a request: the later one waits for the
    next, so writes to one document keep their order.
    """

    def __init__(self, run: Callable[[list[Item]], Awaitable[list[Result | BaseException]]],
                 id_of: Callable[[Item], Hashable]) -> None:
        self._run = run
        self._id_of = id_of
        self._queued: list[tuple[Item, asyncio.Future[Result]]] = []
        self._scheduled = False
        self._sending: set[asyncio.Future[None]] = set()  # held so they are not collected

    async def __call__(self, item: Item) -> Result:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Result] = loop.create_future()
        self._queued.append((item, future))
        if not self._scheduled:
            self._scheduled = True
            loop.call_soon(self._flush)
        return await future

    def _flush(self) -> None:
        self._scheduled = False
        group: list[tuple[Item, asyncio.Future[Result]]] = []
        later: list[tuple[Item, asyncio.Future[Result]]] = []
        ids: set[Hashable] = set()
        for entry in self._queued:
            key = self._id_of(entry[0])
            if key in ids or len(group) >= MAX_GROUP:
                later.append(entry)
            else:
                ids.add(key)
                group.append(entry)
        self._queued = later
        if later:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self._flush)
        sending = asyncio.ensure_future(self._send(group))
        self._sending.add(sending)
        sending.add_done_callback(self._sending.discard)

    async def _send(self, group: list[tuple[Item, asyncio.Future[Result]]]) -> None:
        try:
            results = await self._run([item for item, _ in group])
        except Exception as exc:  # every caller sees the failure (transient ones are retried)
            for _, future in group:
                if not future.done():
                    future.set_exception(exc)
            return
        for (_, future), result in zip(group, results, strict=True):
            if future.done():
                continue
            if isinstance(result, BaseException):
                future.set_exception(result)
            else:
                future.set_result(result)


def lookup_by_id(collection: AsyncCollection, projection: Document | None = None
                 ) -> Coalescer[str, Document | None]:
    """``find_one({"_id": id})``, grouped into ``find({"_id": {"$in": ids}})``."""

    async def run(ids: list[str]) -> list[Document | None | BaseException]:
        if len(ids) == 1:
            return [await collection.find_one({"_id": ids[0]}, projection)]
        found = {d["_id"]: d async for d in collection.find({"_id": {"$in": ids}}, projection)}
        return [found.get(i) for i in ids]

    return Coalescer(run, lambda i: i)


def insert_once(collection: AsyncCollection) -> Coalescer[Document, bool]:
    """``insert_one`` that answers False for an ``_id`` already stored, grouped."""

    async def run(docs: list[Document]) -> list[bool | BaseException]:
        outcome: list[bool | BaseException] = [True] * len(docs)
        try:
            await collection.insert_many(docs, ordered=False)
        except BulkWriteError as exc:
            for error in exc.details.get("writeErrors", ()):
                outcome[error["index"]] = (False if error.get("code") == DUPLICATE_KEY
                                           else _write_error(error))
        return outcome

    return Coalescer(run, lambda d: d["_id"])


def upsert_by_id(collection: AsyncCollection) -> Coalescer[tuple[str, Document], None]:
    """``update_one({"_id": id}, update, upsert=True)``, grouped into one bulk write."""

    async def run(updates: list[tuple[str, Document]]) -> list[None | BaseException]:
        outcome: list[None | BaseException] = [None] * len(updates)
        try:
            await collection.bulk_write(
                [UpdateOne({"_id": i}, update, upsert=True) for i, update in updates],
                ordered=False)
        except BulkWriteError as exc:
            for error in exc.details.get("writeErrors", ()):
                outcome[error["index"]] = _write_error(error)
        return outcome

    return Coalescer(run, lambda u: u[0])


def replace_versioned(collection: AsyncCollection) -> Coalescer[tuple[Any, Document], bool]:
    """``replace_one({"_id", "version": seen}, doc)``, grouped; True where it matched.

    A bulk write reports how many matched, not which: when some did not, the documents
    are read back and each write is recognised by its own ``write_id``.
    """

    async def run(items: list[tuple[Any, Document]]) -> list[bool | BaseException]:
        result = await collection.bulk_write(
            [ReplaceOne({"_id": doc["_id"], "version": seen}, doc) for seen, doc in items],
            ordered=False)
        if result.matched_count == len(items):
            return [True] * len(items)
        stored = {d["_id"]: d.get("write_id") async for d in collection.find(
            {"_id": {"$in": [doc["_id"] for _, doc in items]}}, {"write_id": 1})}
        return [stored.get(doc["_id"]) == doc["write_id"] for _, doc in items]

    return Coalescer(run, lambda item: item[1]["_id"])


def _write_error(error: Document) -> WriteError:
    """The error a single-document write would have raised for this item."""
    return WriteError(error.get("errmsg", "write failed"), error.get("code"), error)
