"""Clusters of near-duplicate messages in MongoDB, grown as messages arrive.

Workers note each routed customer message (its band keys, conversation and time) and add
them once a second: one ``$in`` read of the band keys the batch touches, then one bulk
write of new band keys and one per cluster. A band key (``_id: brand|day|band:hash``)
belongs to the first cluster that wrote it (an insert: two workers racing on a new wording
make one of them join the other's cluster through the bands it did win, or start a second
one, which "one or a few clusters" allows). Everything is read by ``_id``.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pymongo import InsertOne, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from socialcare_router.adapters.field_names import escape, unescape
from socialcare_router.domain.clusters import band_keys, choose

Document = dict[str, Any]
MAX_MEMBERS = 20_000  # a cluster's conversations kept for its bulk reply
SUMMARY = ("brand_account", "intent", "size", "first_at", "latest_at")
MAX_PENDING = 50_000  # notes kept while MongoDB is away; the oldest are dropped beyond


@dataclass(frozen=True)
class Noted:
    brand_account: str
    intent: str
    keys: tuple[str, ...]
    conversation_id: str
    message_key: str
    at: datetime


class ClusterIndex:
    def __init__(self, db: AsyncDatabase) -> None:
        self.clusters = db.clusters
        self.bands = db.cluster_bands
        # Per day, every brand's clusters of two or more and their sizes: the list view
        # reads one document.
        self.tops = db.cluster_tops
        self._pending: list[Noted] = []

    def note(self, brand_account: str, intents: tuple[str, ...], text: str,
             conversation_id: str, message_key: str, at: datetime) -> None:
        """A routed customer message, grouped at the next flush (short texts are not)."""
        keys = band_keys(text)
        if keys:
            intent = intents[0] if intents else "-"
            self._pending.append(Noted(brand_account, intent, tuple(keys), conversation_id,
                                       message_key, at))
            del self._pending[:-MAX_PENDING]

    async def flush(self) -> None:
        pending, self._pending = self._pending, []
        if not pending:
            return
        try:
            await self._group(pending)
        except Exception:
            self._pending[:0] = pending  # tried again at the next flush
            raise

    async def _group(self, pending: list[Noted]) -> None:
        # Bands are of a brand and a day: a wording is grouped with that day's messages,
        # and the bands of days past are never read again. Not of an intent: the rules
        # give one wording of a question an intent and the next none, and the text alone
        # tells near-duplicates apart.
        scoped = {n: [f"{n.brand_account}|{day_of(n.at)}|{k}" for k in n.keys]
                  for n in pending}
        wanted = sorted({k for keys in scoped.values() for k in keys})
        owner = {d["_id"]: d["cluster_id"]
                 async for d in self.bands.find({"_id": {"$in": wanted}})}
        alias = await self._merged_into(set(owner.values()))

        def root(cluster: str) -> str:
            while cluster in alias:
                cluster = alias[cluster]
            return cluster

        new_bands: dict[str, str] = {}
        created: dict[str, Document] = {}
        joined: dict[str, list[Noted]] = defaultdict(list)
        merges: dict[str, str] = {}  # cluster -> the cluster it is now part of
        for noted in pending:
            keys = scoped[noted]
            choice = choose(keys, {k: root(owner[k]) for k in keys if k in owner})
            cluster = choice.cluster
            if cluster is None:
                cluster = uuid.uuid4().hex
                created[cluster] = {"_id": cluster, "brand_account": noted.brand_account,
                                    "intent": noted.intent, "first_at": noted.at}
            for other in choice.merged:
                alias[other] = merges[other] = cluster
            joined[cluster].append(noted)
            if choice.grows:  # the cluster learns wordings: later variants find it
                for key in keys:
                    if key not in owner:
                        owner[key] = new_bands[key] = cluster
        if new_bands:
            try:
                await self.bands.bulk_write(
                    [InsertOne({"_id": k, "cluster_id": c}) for k, c in new_bands.items()],
                    ordered=False)
            except BulkWriteError:
                pass  # bands another worker took first: theirs
        await self._add(joined, created)
        touched = set(joined)
        for merged, into in merges.items():
            touched.add(root(into))
            await self._merge(merged, root(into))
        await self._rank(touched, merged=set(merges))

    async def _add(self, joined: dict[str, list[Noted]], created: dict[str, Document]) -> None:
        await self.clusters.bulk_write([
            UpdateOne({"_id": cluster}, {
                "$setOnInsert": {k: v for k, v in created.get(cluster, {
                    "brand_account": members[0].brand_account, "intent": members[0].intent,
                    "first_at": members[0].at}).items() if k != "_id"},
                "$inc": {"size": len(members)},
                "$max": {"latest_at": max(m.at for m in members)},
                "$push": {"members": {"$each": [{"conversation_id": m.conversation_id,
                                                 "message_key": m.message_key, "at": m.at}
                                                for m in members],
                                      "$slice": MAX_MEMBERS}}},
                upsert=True)
            for cluster, members in joined.items()], ordered=False)

    async def _merge(self, merged: str, into: str) -> None:
        """Moves a cluster's members into the one it turned out to be part of; its bands
        keep naming it, and readers follow ``merged_into``."""
        doc = await self.clusters.find_one_and_update(
            {"_id": merged, "merged_into": None}, {"$set": {"merged_into": into}})
        if doc is None or merged == into:
            return  # merged already (by another worker)
        await self.clusters.update_one({"_id": into}, {
            "$inc": {"size": doc.get("size", 0)},
            "$min": {"first_at": doc["first_at"]}, "$max": {"latest_at": doc["latest_at"]},
            "$push": {"members": {"$each": doc.get("members", []), "$slice": MAX_MEMBERS}}})

    async def _merged_into(self, clusters: set[str]) -> dict[str, str]:
        """cluster -> the cluster it was merged into, for these and what they point at."""
        alias: dict[str, str] = {}
        asking = clusters
        for _ in range(4):  # merges of merges are rare; a longer chain resolves later
            found = {d["_id"]: d["merged_into"] async for d in self.clusters.find(
                {"_id": {"$in": sorted(asking)}, "merged_into": {"$ne": None}},
                {"merged_into": 1})}
            alias.update(found)
            asking = set(found.values()) - set(alias)
            if not asking:
                break
        return alias

    async def _rank(self, clusters: set[str], merged: set[str]) -> None:
        """Keeps each day's list of clusters of two or more, without merged ones."""
        docs = {d["_id"]: d async for d in self.clusters.find(
            {"_id": {"$in": sorted(clusters | merged)}},
            {"size": 1, "brand_account": 1, "latest_at": 1})}
        tops: dict[str, Document] = defaultdict(dict)
        gone: dict[str, Document] = defaultdict(dict)
        for cluster, doc in docs.items():
            field = f"b.{escape(doc['brand_account'])}.{cluster}"
            if cluster in merged:
                gone[day_of(doc["latest_at"])][field] = ""
            elif doc.get("size", 0) >= 2:  # one message alone is not a cluster to show
                tops[day_of(doc["latest_at"])][field] = doc["size"]
        requests = [UpdateOne({"_id": day}, {"$max": fields}, upsert=True)
                    for day, fields in tops.items()]
        requests += [UpdateOne({"_id": day}, {"$unset": fields}) for day, fields in gone.items()]
        if requests:
            await self.tops.bulk_write(requests, ordered=False)

    async def get(self, cluster_id: str) -> Document | None:
        """The cluster, or the one it was merged into."""
        for _ in range(5):
            doc = await self.clusters.find_one({"_id": cluster_id})
            if doc is None or not doc.get("merged_into"):
                return doc
            cluster_id = doc["merged_into"]
        return None

    async def largest(self, brands: list[str] | None, day: datetime, limit: int
                      ) -> list[Document]:
        """The day's biggest clusters (two messages or more), without their member lists."""
        top = await self.tops.find_one({"_id": day_of(day)}) or {}
        sized = [(size, cluster) for brand, clusters in top.get("b", {}).items()
                 if brands is None or unescape(brand) in brands
                 for cluster, size in clusters.items()]
        ids = [cluster for _, cluster in sorted(sized, reverse=True)[:limit]]
        if not ids:
            return []
        # Fields named: a projection of only a $slice returns only that on some servers.
        found = {d["_id"]: d async for d in self.clusters.find(
            {"_id": {"$in": ids}}, {**dict.fromkeys(SUMMARY, 1), "members": {"$slice": 3}})}
        return [found[i] for i in ids if i in found]


def day_of(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d")
