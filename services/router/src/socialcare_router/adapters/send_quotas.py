"""The send quotas the responders use per platform account, read by ``_id`` (point lookups on
every MongoDB server) for the bulk-reply preview."""

import asyncio
from collections.abc import Iterable

from pymongo.asynchronous.database import AsyncDatabase

from socialcare_runtime.send_quota import COLLECTION, Quota, quota_id


async def quotas_of(db: AsyncDatabase, account: str, platforms: Iterable[str]
                    ) -> dict[str, Quota]:
    """The known quota of each platform of ``account``; platforms no responder has sent on
    yet are missing."""
    wanted = sorted(set(platforms))
    docs = await asyncio.gather(*(db[COLLECTION].find_one({"_id": quota_id(p, account)})
                                  for p in wanted))
    found = {p: Quota.from_document(d) for p, d in zip(wanted, docs, strict=True) if d}
    return {p: q for p, q in found.items() if q is not None}
