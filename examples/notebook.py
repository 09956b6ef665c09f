"""Beacon from a notebook: a query with variables, every model run of a dataset page by page, a supply-chain risk
assessment. Python 3.8+ standard library only; paste it into a cell, or run `python3 examples/notebook.py`.

Settings come from the environment (or edit the defaults below):
  BEACON_URL       the GraphQL endpoint (default http://localhost:4000/graphql, what `npm start` serves)
  BEACON_API_KEY   sent as `Authorization: Bearer <key>`; optional while anonymous reads are allowed
Each step prints one JSON line, so the output reads well in a notebook and in a log; the data is in the variables
(`dataset`, `runs`, `risk`), e.g. `pandas.DataFrame(runs)` if you have pandas.
"""

import json
import os
import urllib.error
import urllib.request

BEACON_URL = os.environ.get("BEACON_URL", "http://localhost:4000/graphql")
BEACON_API_KEY = os.environ.get("BEACON_API_KEY")  # None: anonymous
DATASET_ID = os.environ.get("BEACON_DATASET", "7")
PAGE_SIZE = int(os.environ.get("BEACON_PAGE_SIZE", "50"))  # 1-100
MODEL = os.environ.get("BEACON_MODEL", "OECD_ICIO")
COUNTRY = os.environ.get("BEACON_COUNTRY", "DEU")
SECTOR = os.environ.get("BEACON_SECTOR", "C29")


class BeaconError(Exception):
    """The API answered with errors; `code` is the first error's extensions.code (e.g. BAD_USER_INPUT, NOT_FOUND)."""

    def __init__(self, errors, status=None):
        first = errors[0] if errors else {}
        self.code = (first.get("extensions") or {}).get("code")
        self.errors = errors
        self.status = status
        super().__init__(f"{first.get('message', 'request failed')} ({self.code}, HTTP {status})")


def graphql(query, variables=None, operation_name=None):
    """Sends one operation; returns its `data`, or raises BeaconError with the API's message and code."""
    body = json.dumps({"query": query, "variables": variables or {}, "operationName": operation_name}).encode()
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if BEACON_API_KEY:
        headers["Authorization"] = f"Bearer {BEACON_API_KEY}"
    request = urllib.request.Request(BEACON_URL, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status, payload = response.status, json.load(response)
    except urllib.error.HTTPError as error:  # 4xx/5xx still carry GraphQL errors in the body
        try:
            payload = json.load(error)
        except ValueError:
            payload = {"errors": [{"message": error.reason}]}
        raise BeaconError(payload.get("errors") or [], error.code) from None
    if payload.get("errors"):
        raise BeaconError(payload["errors"], status)
    return payload["data"]


def show(step, **fields):
    print(json.dumps({"step": step, **fields}))


# 1. A query with variables: never paste values into the query text.
DATASET = """
query Dataset($id: ID!) {
  dataset(id: $id) { id name category rowCount columns { name type } quality { score completeness } }
}
"""
dataset = graphql(DATASET, {"id": DATASET_ID})["dataset"]
if dataset is None:
    raise SystemExit(f"no dataset {DATASET_ID}")
show("dataset", id=dataset["id"], name=dataset["name"], rowCount=dataset["rowCount"],
     columns=[c["name"] for c in dataset["columns"]], quality=dataset["quality"]["score"])


# 2. Every completed run of the dataset, newest first, page by page: pass the last page's endCursor as `after`
#    until hasNextPage is false. A cursor stays valid while runs are added, so no run is seen twice or skipped.
RUNS = """
query Runs($dataset: ID!, $first: Int!, $after: String) {
  modelRuns(datasetId: $dataset, status: COMPLETED, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id name algorithm createdAt metrics { accuracy f1 rocAuc r2 rmse } }
  }
}
"""


def iter_model_runs(dataset_id, page_size=PAGE_SIZE):
    after, page = None, 0
    while True:
        connection = graphql(RUNS, {"dataset": dataset_id, "first": page_size, "after": after})["modelRuns"]
        page += 1
        show("runs_page", page=page, count=len(connection["nodes"]), totalCount=connection["totalCount"],
             hasNextPage=connection["pageInfo"]["hasNextPage"])
        yield from connection["nodes"]
        if not connection["pageInfo"]["hasNextPage"]:
            return
        after = connection["pageInfo"]["endCursor"]


runs = [{"id": r["id"], "name": r["name"], "algorithm": r["algorithm"], "createdAt": r["createdAt"], **r["metrics"]}
        for r in iter_model_runs(DATASET_ID)]
# Classification runs have f1, regression runs r2: rank by whichever this dataset's runs carry.
metric = "f1" if any(r["f1"] is not None for r in runs) else "r2"
best = max(runs, key=lambda r: r[metric] if r[metric] is not None else float("-inf"), default=None)
show("runs", dataset=DATASET_ID, count=len(runs), ids=[r["id"] for r in runs], metric=metric, best=best)


# 3. A supply-chain risk assessment: how much of the world's output one unit of the sector's final demand needs,
#    and where it comes from.
RISK = """
query Risk($model: String!, $country: String!, $sector: String!) {
  assessment(model: $model, country: $country, sector: $sector) {
    outputMultiplier domesticShare foreignShare riskScore riskLevel
    topSuppliers(limit: 5) { country sector share }
  }
}
"""
risk = graphql(RISK, {"model": MODEL, "country": COUNTRY, "sector": SECTOR})["assessment"]
show("assessment", model=MODEL, country=COUNTRY, sector=SECTOR, **risk)
