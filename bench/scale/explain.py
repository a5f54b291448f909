"""`python -m bench scale --explain URL`: each case page's queries on one database, slowest
first, with PostgreSQL's EXPLAIN ANALYZE of those over `--slower-than` milliseconds (the plans
docs/scaling.md quotes). Imported once Django is set up, as bench/scale/pages.py is."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.scale.pages import PAGES, signed_in, subjects

# The plan's own planning and execution times: the round trip on a busy machine is noise.
TIMES = re.compile(r"^(?:Planning|Execution) Time: ([\d.]+) ms", re.MULTILINE)


def explain(slower_than: float, only: str = "") -> str:
    found = subjects()
    clients = {
        "supervisor": signed_in(found["supervisor"]),
        "counselor": signed_in(found["counselor"]),
    }
    lines = []
    for label, name, query in PAGES:
        if only and only != label:
            continue
        kwargs = {"case_uuid": found["case"].uuid} if name == "mediation:case-detail" else {}
        url = reverse(name, kwargs=kwargs) + query.format(counselor=found["counselor"].pk)
        client = clients["supervisor" if "office" in name else "counselor"]
        client.get(url, secure=True)
        with CaptureQueriesContext(connection) as captured:
            client.get(url, secure=True)
        timed = []
        with connection.cursor() as cursor:
            for entry in captured.captured_queries:
                sql = entry["sql"]
                if not sql.lstrip().upper().startswith("SELECT"):
                    continue
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = "\n".join(row[0] for row in cursor.fetchall())
                took = sum(float(ms) for ms in TIMES.findall(plan))
                timed.append((took, sql, plan))
        timed.sort(key=lambda item: -item[0])
        lines.append(
            f"== {label}: {len(captured.captured_queries)} queries, selects "
            f"{sum(t for t, _, _ in timed):.1f} ms planning and execution"
        )
        for took, sql, plan in timed:
            if took >= slower_than:
                lines += [f"-- {took:.1f} ms", sql, plan, ""]
    return "\n".join(lines)
