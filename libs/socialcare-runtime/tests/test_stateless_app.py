"""Stream apps refuse faust tables, whose recovery loses records (stateless_app)."""

from pathlib import Path

import pytest

from socialcare_runtime.settings import ServiceSettings
from socialcare_runtime.streams import create_app

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("kind", ["Table", "GlobalTable", "SetTable", "SetGlobalTable"])
def test_a_stream_app_refuses_every_kind_of_table(kind: str, tmp_path: Path) -> None:
    app = create_app("socialcare-test", ServiceSettings(stream_data_dir=str(tmp_path)))
    with pytest.raises(TypeError, match="no faust tables"):
        getattr(app, kind)("recent_contacts", default=dict)
    assert not app.tables
    assert app.topic("still-works").get_topic_name() == "still-works"
