"""The export as the data ecosystem's own tools read it: frictionless, mlcroissant, Hugging Face
``datasets``, schema.org JSON-LD, pre-commit. Each test runs the real tool on a real export: the
seed corpus (``annotations/``, written as one file per table) and a bulk export of synthetic
JSONL written as folders of part files."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from frictionless import Package, validate

from newsanno import export_dataset
from newsanno.dataset.tables import TABLES
from newsanno.engines.bulk import export_bulk
from newsanno.engines.local import plan

from .conftest import ANNOTATIONS


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("seed") / "newsanno"
    result = export_dataset(ANNOTATIONS, target)
    assert result.written and result.report.valid
    return target


@pytest.fixture(scope="module")
def parted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed corpus written with tables cut into parts by row counts (library option)."""
    from newsanno import load_corpus
    from newsanno.dataset.write import write_dataset

    corpus, _report = load_corpus(ANNOTATIONS)
    assert corpus is not None
    target = tmp_path_factory.mktemp("parted") / "ds"
    write_dataset(corpus, target, rows_per_part=10)
    assert (target / "mentions" / "part-00001.parquet").is_file()
    return target


@pytest.fixture(scope="module")
def bulk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from newsanno.bench.synth import write_corpus

    source = tmp_path_factory.mktemp("synthetic")
    write_corpus(source, 60, per_shard=25)
    target = tmp_path_factory.mktemp("bulk") / "big"
    result = export_bulk(plan([source]), target, jobs=1, chunk_bytes=200_000, claims=True)
    assert result.written and result.report.valid
    assert (target / "mentions" / "part-00001.parquet").is_file()  # really written in parts
    return target


def manifest(folder: Path) -> dict:
    return json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------------------------
# Frictionless


def frictionless_errors(folder: Path) -> Counter[tuple[str, str]]:
    report = validate(str(folder / "datapackage.json"))
    return Counter((task.name, error.type) for task in report.tasks for error in task.errors)


@pytest.mark.parametrize("which", ["seed", "bulk", "parted"])
def test_frictionless_validates_the_data(which: str, request: pytest.FixtureRequest) -> None:
    folder: Path = request.getfixturevalue(which)
    assert Package.validate_descriptor(str(folder / "datapackage.json")).valid
    report = validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["taskName", "rowNumber", "fieldName", "message"])
    # every row was read: the rows per table, over all its part resources, are the manifest's
    rows: Counter[str] = Counter()
    data = manifest(folder)
    table_of = {
        r["name"]: r["path"].split("/")[0].removesuffix(".parquet") for r in data["resources"]
    }
    for task in report.tasks:
        rows[table_of[task.name]] += task.stats["rows"]
    assert dict(rows) == data["newsanno"]["rows"]


def test_seed_has_the_cases_that_broke_the_old_descriptor(seed: Path) -> None:
    """Empty strings that are values, nullable integers, list and struct columns, partly null
    composite keys: the seed export has each, so the clean report above is not vacuous."""
    import pyarrow.parquet as pq

    variants = pq.read_table(seed / "quote_variants.parquet").to_pylist()
    assert any(r["b_text"] == "" for r in variants)
    quotes = pq.read_table(seed / "quotes.parquet").to_pylist()
    assert any(r["cue_start"] is None for r in quotes)
    assert any(r["nested_in_quote_id"] is None for r in quotes)
    assert any(len(r["segments"]) > 1 for r in quotes)
    schema = next(r for r in manifest(seed)["resources"] if r["name"] == "quotes")["schema"]
    assert {
        "fields": ["doc_id", "nested_in_quote_id"],
        "reference": {"resource": "", "fields": ["doc_id", "quote_id"]},
    } in schema["optionalForeignKeys"]


def test_frictionless_checks_keys_between_parts(bulk: Path, tmp_path: Path) -> None:
    """A part's foreign keys point at the same-named part of the other table; pointing one at
    another part must fail, which shows the keys are checked (not just declared)."""
    copy = tmp_path / "copy"
    shutil.copytree(bulk, copy)
    data = manifest(copy)
    claims = next(r for r in data["resources"] if r["name"] == "claims-part-00001")
    fk = next(k for k in claims["schema"]["foreignKeys"] if k["fields"] == ["doc_id"])
    assert fk["reference"]["resource"] == "documents-part-00001"
    fk["reference"]["resource"] = "documents-part-00000"
    (copy / "datapackage.json").write_text(json.dumps(data), encoding="utf-8")
    errors = frictionless_errors(copy)
    assert errors[("claims-part-00001", "foreign-key")] > 0
    assert {name for name, _ in errors} == {"claims-part-00001"}


def test_every_table_and_part_is_a_resource(bulk: Path) -> None:
    data = manifest(bulk)
    names = [r["name"] for r in data["resources"]]
    assert len(names) == len(set(names))
    paths = {r["path"] for r in data["resources"]}
    files = {p.relative_to(bulk).as_posix() for p in bulk.rglob("*.parquet")}
    assert paths == files
    assert list(data["newsanno"]["rows"]) == [t for t in TABLES if not TABLES[t].derived]


# --------------------------------------------------------------------------------------------
# Croissant


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """No step may need the network: any attempt to connect fails the test."""
    import socket

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def _plain(value: object) -> object:
    """An mlcroissant value as pyarrow gives it: bytes → str, numpy → Python, nested alike."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, dict):
        return {k.rsplit("/", 1)[-1]: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)) or type(value).__name__ == "ndarray":
        return [_plain(v) for v in value]  # type: ignore[union-attr]
    if hasattr(value, "item"):
        return value.item()  # type: ignore[union-attr]
    return value


@pytest.mark.parametrize("which", ["seed", "bulk", "parted"])
def test_croissant_validates_and_loads_every_record_set(
    which: str, request: pytest.FixtureRequest, offline: None
) -> None:
    import subprocess
    import sys

    import mlcroissant as mlc

    from newsanno.dataset.loader import read_table

    folder: Path = request.getfixturevalue(which)
    jsonld = folder / "croissant.json"
    cli = Path(sys.executable).parent / "mlcroissant"
    run = subprocess.run(
        [str(cli), "validate", "--jsonld", str(jsonld)], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert "error" not in run.stderr.lower()
    rows = manifest(folder)["newsanno"]["rows"]
    names = [rs.uuid for rs in mlc.Dataset(jsonld).metadata.record_sets]
    assert names == list(rows)
    for name in names:
        # a fresh Dataset per RecordSet: mlcroissant 1.1.1 keeps a consumed generator from one
        # records() call to the next, and a join then fails on it
        records = list(mlc.Dataset(jsonld).records(name))
        assert len(records) == rows[name], name
        expected = read_table(folder, name).to_pylist()
        got = [{k.split("/", 1)[1]: _plain(v) for k, v in r.items()} for r in records]
        key = TABLES[name].primary_key
        order = sorted(range(len(got)), key=lambda i: tuple(str(got[i][k]) for k in key))
        wanted = sorted(expected, key=lambda r: tuple(str(r[k]) for k in key))
        assert [got[i] for i in order] == wanted, name


def test_croissant_pins_every_file(bulk: Path) -> None:
    import hashlib

    data = json.loads((bulk / "croissant.json").read_text(encoding="utf-8"))
    objects = {
        d["contentUrl"]: d["sha256"] for d in data["distribution"] if d["@type"] == "cr:FileObject"
    }
    files = {p.relative_to(bulk).as_posix() for p in bulk.rglob("*.parquet")}
    assert set(objects) == files | {"claims.jsonld"}
    for path, digest in objects.items():
        assert hashlib.sha256((bulk / path).read_bytes()).hexdigest() == digest
    sets = {d["includes"] for d in data["distribution"] if d["@type"] == "cr:FileSet"}
    assert "mentions/part-*.parquet" in sets
    assert "url" not in data  # no home page is invented


# --------------------------------------------------------------------------------------------
# Hugging Face datasets


def card_configs(folder: Path) -> list[str]:
    from ruamel.yaml import YAML

    text = (folder / "README.md").read_text(encoding="utf-8")
    _, header, _ = text.split("---\n", 2)
    return [c["config_name"] for c in YAML(typ="safe").load(header)["configs"]]


@pytest.mark.parametrize("which", ["seed", "bulk"])
def test_hugging_face_loads_every_config_of_the_card(
    which: str, request: pytest.FixtureRequest, offline: None, tmp_path: Path
) -> None:
    import datasets

    folder: Path = request.getfixturevalue(which)
    rows = manifest(folder)["newsanno"]["rows"]
    configs = card_configs(folder)
    assert configs == list(rows)
    for config in configs:
        loaded = datasets.load_dataset(str(folder), config, cache_dir=str(tmp_path / "cache"))
        train = loaded["train"]
        assert train.num_rows == rows[config], config
        assert train.features == datasets.Features.from_arrow_schema(TABLES[config].schema)
        if config == "quotes":
            segments = train.features["segments"]
            assert isinstance(segments, datasets.List)
            assert segments.feature["start"] == datasets.Value("int64")


# --------------------------------------------------------------------------------------------
# schema.org claims (claims.jsonld)

FACT_CHECK = {
    "url": "https://factcheck.example/acme-disagreed",  # test data: a reserved domain
    "fact_checker": "Example Fact Check",
    "rating": "Half true",
}


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The rich test corpus with a published fact-check on one claim, exported."""
    from .corpora import rich_corpus

    corpus = rich_corpus(tmp_path_factory.mktemp("reviewed"))
    path = corpus / "documents" / "b2.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["claims"][0]["fact_check"] = FACT_CHECK
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    target = tmp_path_factory.mktemp("reviewed-export") / "ds"
    result = export_dataset(corpus, target)
    assert result.written and result.report.valid, result.report.findings
    return target


def schema_org_terms() -> tuple[set[str], dict[str, set[str]], dict[str, set[str]]]:
    """Classes, each property's domains, each class's superclasses, from schema.org's vocabulary
    (release 30.0, tests/data/schemaorg/)."""
    import gzip

    here = Path(__file__).parent / "data" / "schemaorg" / "schemaorg-current-http.jsonld.gz"
    graph = json.loads(gzip.decompress(here.read_bytes()))["@graph"]

    def ids(value: object) -> set[str]:
        items = value if isinstance(value, list) else [value] if value else []
        return {i["@id"].replace("schema:", "http://schema.org/") for i in items}

    classes, domains, parents = set(), {}, {}
    for node in graph:
        iri = node["@id"].replace("schema:", "http://schema.org/")
        types = node["@type"] if isinstance(node["@type"], list) else [node["@type"]]
        if "rdfs:Class" in types:
            classes.add(iri)
            parents[iri] = ids(node.get("rdfs:subClassOf"))
        if "rdf:Property" in types:
            domains[iri] = ids(node.get("schema:domainIncludes"))
    return classes, domains, parents


def expanded(folder: Path) -> list[dict]:
    from pyld import jsonld

    from newsanno.dataset.claimreview import document_loader

    data = json.loads((folder / "claims.jsonld").read_text(encoding="utf-8"))
    return jsonld.expand(data, {"documentLoader": document_loader()})


def check_against_vocabulary(nodes: list[dict]) -> Counter[str]:
    """Every type is a schema.org class and every property a schema.org property that its
    subject's type (or a superclass) may carry; returns the types seen."""
    classes, domains, parents = schema_org_terms()

    def ancestors(c: str) -> set[str]:
        seen, todo = {c}, [c]
        while todo:
            for p in parents.get(todo.pop(), ()):
                if p not in seen:
                    seen.add(p)
                    todo.append(p)
        return seen

    seen: Counter[str] = Counter()

    def walk(node: dict) -> None:
        types = node.get("@type", [])
        assert types or set(node) <= {"@id", "@value"}, node
        for t in types:
            assert t in classes, t
            seen[t] += 1
        allowed = set().union(*(ancestors(t) for t in types)) if types else set()
        for key, values in node.items():
            if key.startswith("@"):
                continue
            assert key in domains, f"{key} is not a schema.org property"
            assert domains[key] & allowed, f"{key} does not apply to {types}"
            for value in values:
                if "@value" not in value:
                    walk(value)

    for node in nodes:
        walk(node)
    return seen


def test_seed_claims_expand_offline_to_schema_org_terms(seed: Path, offline: None) -> None:
    import pyarrow.parquet as pq

    nodes = expanded(seed)
    seen = check_against_vocabulary(nodes)
    claims = pq.read_table(seed / "claims.parquet").num_rows
    assert seen["http://schema.org/Claim"] == claims
    assert seen["http://schema.org/ClaimReview"] == 0  # the seed has no fact-check: no rating
    assert seen["http://schema.org/Quotation"] > 0 and seen["http://schema.org/Person"] > 0
    text = (seed / "claims.jsonld").read_text(encoding="utf-8")
    assert "reviewRating" not in text
    kim = [
        n
        for n in nodes
        if any(
            a.get("http://schema.org/sameAs") == [{"@id": "https://www.wikidata.org/wiki/Q186304"}]
            for a in n.get("http://schema.org/author", [])
        )
    ]
    assert kim and all(n.get("http://schema.org/appearance") for n in kim)


def test_a_fact_check_becomes_a_claim_review(reviewed: Path, offline: None) -> None:
    nodes = expanded(reviewed)
    seen = check_against_vocabulary(nodes)
    assert seen["http://schema.org/ClaimReview"] == 1
    review = next(n for n in nodes if n["@type"] == ["http://schema.org/ClaimReview"])
    claim = next(
        n for n in nodes if n.get("@id") == review["http://schema.org/itemReviewed"][0]["@id"]
    )
    assert claim["@type"] == ["http://schema.org/Claim"]
    assert review["http://schema.org/reviewRating"][0]["http://schema.org/alternateName"] == [
        {"@value": "Half true"}
    ]
    assert review["http://schema.org/url"] == [{"@id": FACT_CHECK["url"]}]
    # the model keeps it: the claims table has it, and the round trip gives it back
    from newsanno import dataset_to_corpus

    corpus = dataset_to_corpus(reviewed)
    checks = [c.fact_check for d in corpus.documents for c in d.model.claims if c.fact_check]
    assert [c.model_dump() for c in checks] == [FACT_CHECK]


def test_bulk_export_keeps_a_fact_check(tmp_path: Path) -> None:
    """A JSONL claim with a fact-check leaves the fast tiers (a key they do not know) and is
    exported with it by the full validator; the other claims keep empty columns."""
    from newsanno.bench.synth import write_corpus
    from newsanno.dataset.loader import read_table

    source = tmp_path / "src"
    write_corpus(source, 6, per_shard=3)
    shard = source / "shards" / "part-00000.jsonl"
    lines = shard.read_text(encoding="utf-8").splitlines()
    doc = json.loads(lines[1])
    doc["claims"][0]["fact_check"] = FACT_CHECK
    lines[1] = json.dumps(doc, ensure_ascii=False)
    shard.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = export_bulk(plan([source]), tmp_path / "out", jobs=1, claims=True)
    assert result.written and result.report.valid
    claims = read_table(tmp_path / "out", "claims").to_pylist()
    reviewed = [c for c in claims if c["fact_check_url"] is not None]
    assert [(c["doc_id"], c["claim_id"]) for c in reviewed] == [
        (doc["doc_id"], doc["claims"][0]["id"])
    ]
    assert reviewed[0]["fact_check_rating"] == "Half true"
    graph = json.loads((tmp_path / "out" / "claims.jsonld").read_text(encoding="utf-8"))["@graph"]
    assert [n["reviewRating"]["alternateName"] for n in graph if n["@type"] == "ClaimReview"] == [
        "Half true"
    ]
    assert sum(n["@type"] == "Claim" for n in graph) == len(claims)


# --------------------------------------------------------------------------------------------
# pre-commit


@pytest.mark.slow
def test_pre_commit_hook_gates_a_corpus(tmp_path: Path) -> None:
    """`pre-commit try-repo` with this repository's .pre-commit-hooks.yaml, as a corpus's
    maintainers would use it: a clean corpus passes, a broken annotation fails with its finding.
    pre-commit builds the hook's environment (`language: python`: a virtualenv with this package
    pip-installed), which needs the package index."""
    import os
    import subprocess
    import sys

    from .conftest import MINIMAL, REPO

    if not (REPO / ".git").exists():
        pytest.skip("pre-commit try-repo needs this repository as a git checkout")
    project = tmp_path / "project"
    shutil.copytree(MINIMAL, project / "corpus")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org"}  # fmt: skip
    env.pop("VIRTUAL_ENV", None)

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=project, env=env, check=True, capture_output=True)

    def try_repo() -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "newsanno-validate"]
        return subprocess.run(
            [*command, "--all-files"], cwd=project, env=env, capture_output=True, text=True
        )

    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "corpus")
    clean = try_repo()
    if (
        clean.returncode != 0
        and "Installing environment" in clean.stdout
        and "Passed" not in clean.stdout
    ):
        log = tmp_path / "cache" / "pre-commit.log"
        text = log.read_text(encoding="utf-8") if log.is_file() else clean.stdout
        if "Could not find a version" in text or "NewConnectionError" in text:
            pytest.skip("pre-commit could not build the hook's environment: no package index")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert re.search(r"newsanno validate\.+Passed", clean.stdout)

    doc = project / "corpus" / "documents" / "a1.yaml"
    doc.write_text(
        doc.read_text(encoding="utf-8").replace("span: We will win.", "span: We shall win."),
        encoding="utf-8",
    )
    git("add", "-A")
    broken = try_repo()
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert re.search(r"newsanno validate\.+Failed", broken.stdout)
    assert re.search(r"corpus/documents/a1\.yaml:\d+:\d+: error\[anchor-not-found\]", broken.stdout)


def test_claims_jsonld_by_default_for_folders_on_request_for_shards(tmp_path: Path) -> None:
    """The CLI writes claims.jsonld for an annotation folder; for JSONL shards (streamed, any size)
    only with --claims, as it grows with the claims (like the derived quote_variants tables)."""
    from click.testing import CliRunner

    from newsanno.bench.synth import write_corpus
    from newsanno.cli import main

    from .conftest import MINIMAL

    runner = CliRunner()
    folder = runner.invoke(main, ["export", str(MINIMAL), "--out", str(tmp_path / "a")])
    assert folder.exit_code == 0, folder.output
    assert (tmp_path / "a" / "claims.jsonld").is_file()
    write_corpus(tmp_path / "src", 4, per_shard=2)
    plain = runner.invoke(main, ["export", str(tmp_path / "src"), "--out", str(tmp_path / "b")])
    assert plain.exit_code == 0, plain.output
    assert not (tmp_path / "b" / "claims.jsonld").exists()
    asked = ["export", str(tmp_path / "src"), "--out", str(tmp_path / "c"), "--claims"]
    assert runner.invoke(main, asked).exit_code == 0
    graph = json.loads((tmp_path / "c" / "claims.jsonld").read_text(encoding="utf-8"))["@graph"]
    assert graph and {n["@type"] for n in graph} == {"Claim"}
    none = ["export", str(MINIMAL), "--out", str(tmp_path / "d"), "--no-claims"]
    assert runner.invoke(main, none).exit_code == 0
    assert not (tmp_path / "d" / "claims.jsonld").exists()
