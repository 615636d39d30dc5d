"""UIMA CAS XMI, as INCEpTION and WebAnno export it, read and written with dkpro-cassis.

UIMA is Java, and its ``begin``/``end`` count UTF-16 code units. dkpro-cassis converts them to
code points when it loads an XMI and back when it writes one (``Utf16CodepointOffsetConverter``
in ``cassis/cas.py``: "the offsets used in UIMA XMI represent offsets of the 16bit units in UTF-16
strings. We convert them internally to Unicode codepoints"), so this module works in code points.
An XMI needs its type system (``TypeSystem.xml``) to be read; INCEpTION puts one beside each XMI.

Read: DKPro Core ``NamedEntity`` (``value`` is the label, an ``identifier`` that is a Wikidata URI
becomes ``wikidata``); ``CoreferenceChain``/``CoreferenceLink`` become chains (a link over the same
characters as a named entity joins that entity; another link becomes a span labelled with its
``referenceType``); a project's own layers (``webanno.custom.X``): a span layer is a span labelled
``X`` whose text features are its attributes, a relation layer (``Governor``, ``Dependent``) a
relation labelled with its one text feature's value, else ``X``. Other types are counted and
reported, not imported.
Write: mentions as ``NamedEntity`` (the label in ``value``, Wikidata in ``identifier``), the
mentions of one entity as a ``CoreferenceChain``, and quotes, claims, regions and event mentions
in the custom layers :data:`LAYERS`, with the relations :data:`RELATIONS`; mention kinds and notes
are reported as not carried.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from itertools import pairwise
from pathlib import Path, PurePosixPath
from typing import Any

from newsanno.interop.ir import Findings, Relation, SourceDoc, SpanAnn, Where
from newsanno.model.findings import Code

NE = "de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity"
CHAIN = "de.tudarmstadt.ukp.dkpro.core.api.coref.type.CoreferenceChain"
LINK = "de.tudarmstadt.ukp.dkpro.core.api.coref.type.CoreferenceLink"
META = "de.tudarmstadt.ukp.dkpro.core.api.metadata.type.DocumentMetaData"
STRUCTURE = (
    "de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.",
    "de.tudarmstadt.ukp.dkpro.core.api.metadata.type.",
    "uima.tcas.DocumentAnnotation",
)
"""Tokens, sentences and metadata: structure, not annotation; not reported."""
WIKIDATA = re.compile(r"^https?://(?:www\.)?wikidata\.org/(?:entity|wiki)/(Q[1-9][0-9]*)$")
TYPESYSTEM = "TypeSystem.xml"
SEGMENT = "Segment"
"""The relation that joins the further segments of a quote to its first (a span is one range)."""
CUSTOM = "webanno.custom."
"""INCEpTION's namespace for a project's own layers."""


def _cassis() -> Any:
    try:
        import cassis
    except ImportError:  # pragma: no cover - an install without the extra
        from newsanno.model.findings import NewsannoError

        raise NewsannoError(
            "INCEpTION/UIMA needs dkpro-cassis: pip install 'newsanno[interop]'"
        ) from None
    return cassis


def read_cas(
    xmi: bytes, typesystem: bytes, display: str, name: str, findings: Findings
) -> SourceDoc | None:
    cassis = _cassis()
    try:
        ts = cassis.load_typesystem(io.BytesIO(typesystem))
        cas = cassis.load_cas_from_xmi(io.BytesIO(xmi), typesystem=ts)
    except Exception as exc:  # cassis raises plain exceptions (XML, type, offset errors)
        findings.add(
            Code.IMPORT_MALFORMED,
            Where(display),
            f"dkpro-cassis cannot read this XMI with its type system: {type(exc).__name__}: {exc}",
            "export the document again from INCEpTION as UIMA CAS XMI, with its TypeSystem.xml",
        )
        return None
    text = cas.sofa_string
    if not isinstance(text, str):
        findings.add(Code.IMPORT_MALFORMED, Where(display), "the CAS has no text (sofa string)")
        return None
    doc = SourceDoc(name=name, text=text, where=Where(display))
    language = None
    for meta in cas.select(META) if ts.contains_type(META) else []:
        lang = getattr(meta, "language", None)
        if isinstance(lang, str) and re.match(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", lang):
            language = lang
    doc.language = language
    by_offsets: dict[tuple[int, int], str] = {}
    by_xmi: dict[int, SpanAnn] = {}
    relations: list[Any] = []
    skipped: Counter[str] = Counter()
    for fs in cas.select_all_annotations():
        type_name = fs.type.name
        if (
            type_name in (CHAIN, LINK)
            or type_name.startswith(STRUCTURE)
            or not hasattr(fs, "begin")
        ):
            continue
        where = Where(display, 0, f"xmi:id {fs.xmiID}")
        custom = type_name.startswith(CUSTOM)
        if custom and _is_relation(fs):
            relations.append(fs)
            continue
        if type_name != NE and not custom:
            skipped[type_name] += 1
            continue
        if not doc_check(findings, text, fs.begin, fs.end, where):
            continue
        if type_name == NE:
            ann = SpanAnn(f"ne{fs.xmiID}", fs.value or "NamedEntity", [(fs.begin, fs.end)], where)
            match = WIKIDATA.match(fs.identifier or "")
            if match:
                ann.wikidata = match.group(1)
        else:  # a custom span layer: its name is the label, its text features are attributes
            ann = SpanAnn(f"span{fs.xmiID}", _short(type_name), [(fs.begin, fs.end)], where)
            ann.attributes = _strings(fs)
        doc.spans.append(ann)
        by_xmi[fs.xmiID] = ann
        by_offsets.setdefault((fs.begin, fs.end), ann.id)
    for fs in relations:
        where = Where(display, 0, f"xmi:id {fs.xmiID}")
        governor, dependent = fs.Governor, fs.Dependent
        a = by_xmi.get(getattr(governor, "xmiID", -1))
        b = by_xmi.get(getattr(dependent, "xmiID", -1))
        if a is None or b is None:
            findings.warn(
                Code.IMPORT_NOT_CARRIED,
                where,
                f"a {_short(fs.type.name)} relation whose ends are not imported spans; left out",
            )
            continue
        values = _strings(fs)
        label = next(iter(values.values())) if len(values) == 1 else _short(fs.type.name)
        if label == SEGMENT and b in doc.spans:
            a.segments = sorted(a.segments + b.segments)  # one quote's further segment
            doc.spans.remove(b)
            by_xmi[dependent.xmiID] = a
            continue
        doc.relations.append(Relation(f"rel{fs.xmiID}", label, a.id, b.id, where))
    if ts.contains_type(CHAIN):
        for chain in cas.select(CHAIN):
            members: list[str] = []
            link = chain.first
            seen: set[int] = set()
            while link is not None and link.xmiID not in seen:
                seen.add(link.xmiID)
                where = Where(display, 0, f"xmi:id {link.xmiID}")
                if doc_check(findings, text, link.begin, link.end, where):
                    ident = by_offsets.get((link.begin, link.end))
                    if ident is None:
                        ident = f"link{link.xmiID}"
                        label = link.referenceType or "CoreferenceLink"
                        doc.spans.append(SpanAnn(ident, label, [(link.begin, link.end)], where))
                        by_offsets[(link.begin, link.end)] = ident
                    members.append(ident)
                link = link.next
            if len(members) > 1:
                doc.chains.append(members)
    for type_name, n in sorted(skipped.items()):
        findings.warn(
            Code.IMPORT_NOT_CARRIED,
            Where(display),
            f"{n} annotation(s) of type {type_name}: of DKPro Core's types only named entities "
            "and coreference are imported, and a project's own layers (webanno.custom.*)",
        )
    return doc


def _short(type_name: str) -> str:
    return type_name.rsplit(".", 1)[-1]


def _is_relation(fs: Any) -> bool:
    names = {f.name for f in fs.type.all_features}
    return {"Governor", "Dependent"} <= names


def _strings(fs: Any) -> dict[str, str]:
    """The text features of an annotation that have a value (INCEpTION's string features)."""
    out = {}
    for feature in fs.type.all_features:
        if getattr(feature.rangeType, "name", feature.rangeType) == "uima.cas.String":
            value = fs.get(feature.name)
            if isinstance(value, str) and value:
                out[feature.name] = value
    return out


def doc_check(findings: Findings, text: str, begin: int, end: int, where: Where) -> bool:
    return findings.check_span(text, begin, end, None, where)


def _safe(member: str) -> bool:
    path = PurePosixPath(member.replace("\\", "/"))
    return not path.is_absolute() and ".." not in path.parts and not re.match(r"^[A-Za-z]:", member)


Item = tuple[str, str, bytes, bytes | None]  # display, document name, XMI, type system


def _from_zip(
    data: bytes, display: str, findings: Findings, annotator: str | None, depth: int = 0
) -> list[Item] | None:
    """The XMIs of a zip: a single-document export (``doc.xmi`` + ``TypeSystem.xml``), or a
    project export, whose ``annotation/<document>/<user>.zip`` and ``curation/<document>/
    CURATION_USER.zip`` are such zips (INCEpTION zips a writer's output when it is more than one
    file). None when a path climbs out (nothing is read then)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        findings.add(Code.IMPORT_MALFORMED, Where(display), f"not a zip file: {exc}")
        return []
    with zf:
        names = zf.namelist()
        bad = [n for n in names if not _safe(n)]
        for n in bad:
            findings.add(
                Code.IMPORT_UNSAFE_PATH,
                Where(f"{display}!{n}"),
                "a path in the zip climbs out of its folder (absolute, or with ..)",
                "this zip is not an INCEpTION export; nothing is extracted",
            )
        if bad:
            return None
        items: list[Item] = []
        for n in sorted(names):
            path = PurePosixPath(n)
            if n.lower().endswith(".xmi"):
                ts_name = str(path.parent / TYPESYSTEM).removeprefix("./")
                ts = zf.read(ts_name) if ts_name in names else None
                if ts is None and TYPESYSTEM in names:
                    ts = zf.read(TYPESYSTEM)
                items.append((f"{display}!{n}", str(path.with_suffix("")), zf.read(n), ts))
            elif (
                n.lower().endswith(".zip")
                and depth == 0
                and len(path.parts) == 3
                and path.parts[0] in ("annotation", "curation")
            ):
                user = path.stem
                if user == "INITIAL_CAS" or (annotator is not None and user != annotator):
                    continue  # the unannotated initial state, or another annotator
                inner = _from_zip(zf.read(n), f"{display}!{n}", findings, annotator, depth + 1)
                if inner is None:
                    return None
                document = path.parts[1]
                items.extend(
                    (
                        where,
                        f"{document}/{user}" if len(inner) == 1 else f"{document}/{user}/{name}",
                        xmi,
                        ts,
                    )
                    for where, name, xmi, ts in inner
                )
        return items


def read(
    source: Path, findings: Findings, annotator: str | None = None, **_: object
) -> list[SourceDoc]:
    """An INCEpTION/WebAnno export (.zip: one document's, or a whole project's), a folder, or one
    .xmi; each XMI needs its TypeSystem.xml beside it (or at the root of the zip). From a project
    export, every annotator's document (``<document>/<user>``) and the curated one
    (``<document>/CURATION_USER``), or only ``annotator``'s."""
    items: list[Item] = []
    if source.suffix.lower() == ".zip":
        try:
            data = source.read_bytes()
        except OSError as exc:
            findings.add(Code.IMPORT_MALFORMED, Where(str(source)), f"cannot read: {exc}")
            return []
        found = _from_zip(data, str(source), findings, annotator)
        if found is None:
            return []
        items = found
    else:
        paths = [source] if source.is_file() else sorted(source.rglob("*.xmi"))
        base = source.parent if source.is_file() else source
        for p in paths:
            ts_path = p.parent / TYPESYSTEM
            ts = ts_path.read_bytes() if ts_path.is_file() else None
            name = p.relative_to(base).with_suffix("").as_posix()
            items.append((str(p), name, p.read_bytes(), ts))
    if not items:
        findings.add(Code.IMPORT_MALFORMED, Where(str(source)), "no .xmi files here")
    docs = []
    for display, name, xmi, ts in items:
        if ts is None:
            findings.add(
                Code.IMPORT_MALFORMED,
                Where(display),
                f"no {TYPESYSTEM} beside this XMI: an XMI cannot be read without its type system",
                "export from INCEpTION as 'UIMA CAS XMI', which writes TypeSystem.xml beside it",
            )
            continue
        doc = read_cas(xmi, ts, display, name.replace("/", "__"), findings)
        if doc is not None:
            docs.append(doc)
    return docs


LAYERS: dict[str, list[str]] = {
    "Quote": ["quoteType"],
    "Claim": ["claimType"],
    "Region": ["regionKind"],
    "EventMention": ["eventType", "realis"],
}
"""The span layers ``export --to inception`` defines, with their text features."""
RELATIONS: dict[str, list[str]] = {"Speaker": [], "Argument": ["role"], SEGMENT: []}
"""The relation layers it defines (each also has ``Governor`` and ``Dependent``)."""


def newsanno_typesystem() -> Any:
    """DKPro Core's type system with newsanno's custom layers added."""
    ts = _cassis().load_dkpro_core_typesystem()
    for name, features in LAYERS.items():
        t = ts.create_type(CUSTOM + name, supertypeName="uima.tcas.Annotation")
        for feature in features:
            ts.create_feature(t, feature, "uima.cas.String")
    for name, features in RELATIONS.items():
        t = ts.create_type(CUSTOM + name, supertypeName="uima.tcas.Annotation")
        ts.create_feature(t, "Governor", "uima.tcas.Annotation")
        ts.create_feature(t, "Dependent", "uima.tcas.Annotation")
        for feature in features:
            ts.create_feature(t, feature, "uima.cas.String")
    return ts


def write(docs: list[SourceDoc], folder: Path, findings: Findings) -> None:
    """One ``<name>.xmi`` per document and one ``TypeSystem.xml``: DKPro Core's, with the custom
    layers Quote, Claim, Region and EventMention and the relations Speaker, Argument and Segment
    (``webanno.custom.*``, as INCEpTION names a project's own layers)."""
    cassis = _cassis()
    ts = newsanno_typesystem()
    NamedEntity, Chain, Link = ts.get_type(NE), ts.get_type(CHAIN), ts.get_type(LINK)
    layer = {name: ts.get_type(CUSTOM + name) for name in [*LAYERS, *RELATIONS]}
    lost: Counter[str] = Counter()
    first: dict[str, Where] = {}

    def drop(what: str, where: Where) -> None:
        lost[what] += 1
        first.setdefault(what, where)

    for doc in docs:
        cas = cassis.Cas(typesystem=ts)
        cas.sofa_string = doc.text
        cas.document_language = doc.language or "x-unspecified"
        events = {e.trigger: e for e in doc.events}
        by_id: dict[str, Any] = {}
        for span in doc.spans:
            kind, _, subtype = span.label.partition(".")
            fss = []
            for s, e in span.segments:
                if span.id in events:
                    event = events[span.id]
                    realis = event.attributes.get("Realis")
                    fs = layer["EventMention"](begin=s, end=e, eventType=span.label, realis=realis)
                elif kind == "Quote":
                    fs = layer["Quote"](begin=s, end=e, quoteType=subtype)
                elif kind == "Claim":
                    fs = layer["Claim"](begin=s, end=e, claimType=subtype)
                elif kind == "Region":
                    fs = layer["Region"](begin=s, end=e, regionKind=subtype)
                else:
                    wikidata = span.wikidata
                    identifier = f"http://www.wikidata.org/entity/{wikidata}" if wikidata else None
                    fs = NamedEntity(begin=s, end=e, value=span.label, identifier=identifier)
                    if span.attributes:
                        drop("mention kinds", span.where)
                cas.add(fs)
                fss.append(fs)
            for other in fss[1:]:
                cas.add(
                    layer[SEGMENT](
                        begin=other.begin, end=other.end, Governor=fss[0], Dependent=other
                    )
                )
            by_id[span.id] = fss[0]
            if span.notes:
                drop("notes", span.where)
        for event in doc.events:
            governor = by_id[event.trigger]
            for role, ref in event.arguments:
                dependent = by_id[ref]
                cas.add(
                    layer["Argument"](
                        begin=dependent.begin,
                        end=dependent.end,
                        Governor=governor,
                        Dependent=dependent,
                        role=role,
                    )
                )
            if event.notes:
                drop("notes", event.where)
        for rel in doc.relations:
            if rel.label != "Speaker":
                drop(f"{rel.label} relations", rel.where)
                continue
            governor, dependent = by_id[rel.arg1], by_id[rel.arg2]
            cas.add(
                layer["Speaker"](
                    begin=dependent.begin, end=dependent.end, Governor=governor, Dependent=dependent
                )
            )
        for chain in doc.chains:
            links = []
            for ident in chain:
                ne = by_id.get(ident)
                if ne is not None:
                    links.append(Link(begin=ne.begin, end=ne.end, referenceType=ne.value))
            for a, b in pairwise(links):
                a.next = b
            for link in links:
                cas.add(link)
            if links:
                cas.add(Chain(first=links[0]))
        (folder / f"{doc.name}.xmi").write_text(cas.to_xmi(), encoding="utf-8")
    (folder / TYPESYSTEM).write_text(ts.to_xml(), encoding="utf-8")
    for what, n in sorted(lost.items()):
        findings.warn(
            Code.EXPORT_NOT_CARRIED,
            first[what],
            f"not carried to UIMA: {n} {what} (INCEpTION layers have no place for them here)",
        )
