"""RawStore.find: the landed bytes of a payload in whichever month they were landed (landing the same
bytes twice is a no-op), found by name rather than by listing every month's files."""
import datetime as dt

from connectors.artifact import make_artifact
from warehouse.raw_store import RawStore


def test_same_bytes_in_a_later_month_are_found_not_landed_again(tmp_path):
    rs = RawStore(tmp_path)
    landed = {}
    for month in range(1, 13):
        for i in range(3):
            art = make_artifact(f"{month}-{i}".encode(), bank="budgea", connection="c1", kind="json",
                                resource="transactions", fetched_at=dt.datetime(2025, month, 5))
            landed[art.meta.sha256] = rs.land(art)[0]
    pdf = make_artifact(b"%PDF statement", bank="budgea", connection="c1", kind="pdf", resource="statement",
                        fetched_at=dt.datetime(2026, 1, 2))
    landed[pdf.meta.sha256] = rs.land(pdf)[0]
    assert all(rs.find("budgea", "c1", sha) == path for sha, path in landed.items())
    again = make_artifact(b"3-1", bank="budgea", connection="c1", kind="json", resource="transactions",
                          fetched_at=dt.datetime(2026, 11, 20))
    path, new = rs.land(again)
    assert not new and path == landed[again.meta.sha256] and "/2025/03/" in str(path)
    assert rs.find("budgea", "c2", again.meta.sha256) is None        # another connection's copy is its own
    assert rs.find("lcl", "c1", again.meta.sha256) is None
    # metadata without its bytes (a crash between the two writes) is not a landed payload
    lone = make_artifact(b"lone", bank="budgea", connection="c1", kind="json", resource="transactions",
                         fetched_at=dt.datetime(2026, 2, 1))
    path, _ = rs.land(lone)
    path.unlink()
    assert rs.find("budgea", "c1", lone.meta.sha256) is None
    assert rs.land(lone) == (path, True) and path.read_bytes() == b"lone"
