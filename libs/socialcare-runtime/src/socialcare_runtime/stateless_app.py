"""A faust app that refuses tables.

With a table, faust-streaming 0.15.3 loses records around every rebalance: its table
recovery lets records reach the streams while it still holds their flow, and those are
skipped, never processed, with the partition's commits stalled behind them; it can also
resume fetching before seeking back to the committed offsets, and then counts the jump as
processed. Measured on the classifier while it kept one: 129 to 327 of 4,000 messages lost
over five kills, 128 of 600 after one. State a stage needs lives in MongoDB or in memory
(the classifier's recent contacts), so refusing tables here keeps the fix from being undone.
"""

from typing import Any, NoReturn

import faust


class StatelessApp(faust.App):
    def _refuse_table(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("SocialCare stream apps keep no faust tables: faust-streaming 0.15.3 "
                        "loses records in table recovery (socialcare_runtime.stateless_app)")

    Table = GlobalTable = SetTable = SetGlobalTable = _refuse_table  # type: ignore[assignment]
