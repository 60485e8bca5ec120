"""`signpost bench`: figures for speed, scale and retrieval quality, all from one run.

Everything is measured on the same corpus (the curated knowledge base plus SciFact abstracts)
and the golden questions, and compared as ratios taken in the same run on the same machine:

- ingest rate against the raw `model.encode` rate on the same chunks (`ingest_vs_encode`), and
  against the shipped embedding backend's own encode (`ingest_vs_backend_encode`);
- /ask over HTTP against the raw cost of one query embedding (sentence-transformers, and the
  shipped backend) plus one Chroma query (`ask_p50_vs_raw`, `ask_p50_vs_backend_raw`), and
  against a plain LangChain pipeline (`ask_p50_vs_peer`, `hit5`, `peer_hit5`);
- scale (1k, 10k, 100k chunks): query latency, index size, peak RSS, time to ready;
- load: 16 concurrent HTTP clients;
- BEIR SciFact nDCG@10 for dense, BM25 and the shipped hybrid.

It writes bench.json, bench.md and latency_vs_size.png to the output folder.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from assistant.config import Settings
from assistant.evaluation.golden import DEFAULT_QUESTIONS, load_questions
from assistant.factory import build_services
from assistant.schemas import AskRequest
from ingest.documents import DocumentRecord
from ingest.embedder import Embedder
from ingest.knowledge_index import retrieval_text

Figures = dict[str, Any]
ASK_BLOCK = 25  # questions per block when the floors and /ask alternate
BLOCK_PAUSE_S = 0.05


@dataclass
class BenchConfig:
    out: Path
    work: Path
    knowledge: Path  # the curated documents the corpus starts from
    scifact_dir: Path  # BEIR SciFact: corpus.jsonl, queries.jsonl, qrels/test.tsv
    quick: bool = False
    sizes: list[int] = field(default_factory=lambda: [1_000, 10_000, 100_000])
    corpus_abstracts: int = 1_000
    scifact: bool = True
    peer: bool = True
    load_seconds: float = 20.0
    say: Callable[[str], None] = print


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def summarise_ms(seconds: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(seconds) * 1000, 2) if seconds else 0.0,
        "p95_ms": round(percentile(seconds, 0.95) * 1000, 2),
    }


def folder_mb(path: Path) -> float:
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20, 2)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- corpus ----------------------------------------------------------------------------------
def scifact_rows(scifact_dir: Path) -> list[dict[str, str]]:
    path = scifact_dir / "corpus.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.open()]


def write_corpus(folder: Path, config: BenchConfig) -> None:
    """The bench corpus: the curated knowledge base plus the first N SciFact abstracts."""
    folder.mkdir(parents=True)
    shutil.copytree(config.knowledge, folder / "knowledge")
    for row in scifact_rows(config.scifact_dir)[: config.corpus_abstracts]:
        (folder / f"sf-{row['_id']}.txt").write_text(f"{row['title']}\n\n{row['text']}\n")


# -- 1. ingest against raw encode ------------------------------------------------------------
def measure_ingest(config: BenchConfig, embedder: Embedder) -> tuple[Figures, Path]:
    corpus, data = config.work / "corpus", config.work / "data"
    write_corpus(corpus, config)
    settings = Settings(data_dir=data, rate_limit_per_minute=0, _env_file=None)
    service = build_services(settings, embedder=embedder)
    embedder.embed_documents(["warm the model up"])
    started = time.perf_counter()
    report = service.curation.ingest([corpus])
    ingest_s = time.perf_counter() - started
    records = service.index.records()
    texts = [
        retrieval_text(records[c.doc_id].title, c.section, c.text)
        for c in service.index.store.iter_chunks()
    ]
    started = time.perf_counter()  # the raw floor: sentence-transformers' model.encode
    embedder.model.encode(texts, batch_size=64, normalize_embeddings=True)
    encode_s = time.perf_counter() - started
    started = time.perf_counter()  # the shipped backend's own encode, nothing around it
    embedder.embed_documents(texts)
    backend_s = time.perf_counter() - started
    ingest_rate, encode_rate = report.chunks / ingest_s, len(texts) / encode_s
    backend_rate = len(texts) / backend_s
    figures = {
        "documents": len(records),
        "chunks": report.chunks,
        "backend": embedder.backend,
        "ingest_chunks_per_s": round(ingest_rate, 1),
        "encode_chunks_per_s": round(encode_rate, 1),
        "backend_encode_chunks_per_s": round(backend_rate, 1),
        "ingest_vs_encode": round(ingest_rate / encode_rate, 3),
        "ingest_vs_backend_encode": round(ingest_rate / backend_rate, 3),
        "index_mb": folder_mb(data),
    }
    config.say(f"ingest: {figures}")
    return figures, data


# -- 2. /ask over HTTP, the raw floor, and the LangChain peer --------------------------------
def start_server(data: Path, work: Path) -> tuple[subprocess.Popen[bytes], str, float]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SIGNPOST_", "SLACK_"))} | {
        "HF_HUB_OFFLINE": "1",
        "SIGNPOST_DATA_DIR": str(data),
        "SIGNPOST_KNOWLEDGE_DIR": str(work / "no-knowledge-dir"),
        "SIGNPOST_RATE_LIMIT_PER_MINUTE": "0",
        "SIGNPOST_TRAINER_KEYS": "bench",
    }
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    while True:
        if process.poll() is not None:
            raise RuntimeError("signpost serve exited during the bench")
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return process, url, time.perf_counter() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.1)


class _PlainClient:
    """One keep-alive connection from the standard library, to time /ask with: the floors have
    no client at all, and httpx's own work per request (building it, parsing the URL, decoding
    the reply) added about 1 ms of the client's to every /ask (11.30 vs 10.09 ms at p50, the
    two clients alternating on one server)."""

    def __init__(self, url: str) -> None:
        parsed = httpx.URL(url)
        self.connection = http.client.HTTPConnection(parsed.host, parsed.port, timeout=60)

    def post_json(self, path: str, body: dict[str, Any]) -> int:
        self.connection.request(
            "POST", path, json.dumps(body).encode(), {"content-type": "application/json"}
        )
        response = self.connection.getresponse()
        response.read()
        return response.status

    def __enter__(self) -> _PlainClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.connection.close()


def measure_ask(config: BenchConfig, data: Path, embedder: Embedder) -> Figures:
    questions = load_questions(DEFAULT_QUESTIONS)
    in_scope = [q for q in questions if q.in_scope]
    service = build_services(
        Settings(data_dir=data, rate_limit_per_minute=0, _env_file=None), embedder=embedder
    )
    collection = service.index.store.chunks
    embedder.model.encode(["warm up"])
    embedder.embed_documents(["warm up"])
    raw: list[float] = []
    backend_raw: list[float] = []
    asked: list[float] = []

    def floors(block: list[Any]) -> None:
        for q in block:  # the floor: one embedding and one Chroma query, nothing else
            started = time.perf_counter()
            vector = embedder.model.encode([q.question], normalize_embeddings=True)
            collection.query(query_embeddings=vector.tolist(), n_results=5)
            raw.append(time.perf_counter() - started)
        for q in block:  # the same floor with the shipped backend's embedding (uncached)
            started = time.perf_counter()
            vector = embedder.embed_documents([q.question])
            collection.query(query_embeddings=vector.tolist(), n_results=5)
            backend_raw.append(time.perf_counter() - started)

    process, url, _ = start_server(data, config.work)
    try:
        with httpx.Client(base_url=url, timeout=60) as http, _PlainClient(url) as plain:
            plain.post_json("/ask", {"question": "warm up the server"})
            # the floors and /ask in alternating blocks, so that both meet the same spells of a
            # shared machine's speed (one after the other, their ratio moved by up to 25% from
            # run to run); a pause lets each side's threads go idle before the other runs
            for start in range(0, len(questions), ASK_BLOCK):
                block = questions[start : start + ASK_BLOCK]
                floors(block)
                time.sleep(BLOCK_PAUSE_S)
                for q in block:
                    started = time.perf_counter()
                    status = plain.post_json("/ask", {"question": q.question})
                    asked.append(time.perf_counter() - started)
                    if status != 200:
                        raise RuntimeError(f"/ask answered {status} during the bench")
                time.sleep(BLOCK_PAUSE_S)
            hits = 0
            for q in in_scope:
                found = http.post("/search", json={"query": q.question, "top_k": 5}).json()
                hits += any(r["doc_id"] in q.expected_docs for r in found["results"])
    finally:
        process.terminate()
        process.wait()
    ask, floor, own = summarise_ms(asked), summarise_ms(raw), summarise_ms(backend_raw)
    figures: Figures = {
        "ask_http": ask,
        "raw_embed_plus_query": floor,
        "ask_p50_vs_raw": round(ask["p50_ms"] / floor["p50_ms"], 3),
        "backend_raw_embed_plus_query": own,
        "ask_p50_vs_backend_raw": round(ask["p50_ms"] / own["p50_ms"], 3),
        "hit5": round(hits / len(in_scope), 4),
    }
    if config.peer:
        figures |= measure_peer(config, service, embedder, questions, ask["p50_ms"])
    config.say(f"ask: {figures}")
    return figures


def measure_peer(
    config: BenchConfig, service: Any, embedder: Embedder, questions: list[Any], ask_p50: float
) -> Figures:
    """A plain LangChain pipeline on the same chunks: HuggingFaceEmbeddings + langchain-chroma,
    similarity_search, the top passages joined as the answer."""
    try:
        from langchain_chroma import Chroma
        from langchain_huggingface import HuggingFaceEmbeddings
    except ImportError:
        config.say("peer skipped: pip install -e '.[bench]' for langchain-chroma")
        return {}
    chunks = list(service.index.store.iter_chunks())
    embeddings = HuggingFaceEmbeddings(
        model_name=str(embedder.model_path), encode_kwargs={"normalize_embeddings": True}
    )
    peer = Chroma(
        collection_name="peer",
        embedding_function=embeddings,
        persist_directory=str(config.work / "peer"),
        collection_metadata={"hnsw:space": "cosine"},
    )
    for start in range(0, len(chunks), 512):
        batch = chunks[start : start + 512]
        peer.add_texts(
            [c.text for c in batch],
            metadatas=[{"doc_id": c.doc_id} for c in batch],
            ids=[c.chunk_id for c in batch],
        )
    timings, hits, in_scope = [], 0, 0
    for q in questions:
        started = time.perf_counter()
        found = peer.similarity_search(q.question, k=5)
        " ".join(d.page_content for d in found)  # the peer's whole "answer"
        timings.append(time.perf_counter() - started)
        if q.in_scope:
            in_scope += 1
            hits += any(d.metadata["doc_id"] in q.expected_docs for d in found)
    peer_ms = summarise_ms(timings)
    return {
        "peer": peer_ms,
        "ask_p50_vs_peer": round(ask_p50 / peer_ms["p50_ms"], 3),
        "peer_hit5": round(hits / in_scope, 4),
    }


# -- 3. scale --------------------------------------------------------------------------------
def build_scaled_index(data: Path, size: int, base: Path, embedder: Embedder) -> None:
    """An index of `size` chunks made from the bench corpus's real chunks and vectors; beyond
    the corpus size, copies with a little noise (documents of 100 chunks each)."""
    source = build_services(Settings(data_dir=base, _env_file=None), embedder=embedder)
    got = source.index.store.chunks.get(include=["documents", "embeddings"])
    texts, vectors = got["documents"] or [], np.asarray(got["embeddings"], dtype=np.float32)
    target = build_services(Settings(data_dir=data, _env_file=None), embedder=embedder)
    rng = np.random.default_rng(7)
    per_doc = 100
    for d in range(math.ceil(size / per_doc)):
        n = min(per_doc, size - d * per_doc)
        picks = [(d * per_doc + i) % len(texts) for i in range(n)]
        noisy = vectors[picks] + rng.normal(0, 0.01, (n, vectors.shape[1])).astype(np.float32)
        noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
        version = f"v{d:06d}"
        doc_id = f"scale-{d:05d}"
        target.index.store.put_many(
            [(doc_id, version, [(None, f"{texts[p]} (copy {d})") for p in picks])], noisy
        )
        target.index.store.commit_documents(
            [
                DocumentRecord(
                    doc_id=doc_id,
                    title=f"Scale document {d}",
                    source_type="guidance",
                    topics=[],
                    origin=f"upload:scale-{d}",
                    content_hash=version,
                    version=version,
                    chunks=n,
                )
            ]
        )
    target.index.refresh()  # builds and saves BM25, so the timed start only loads it


def scale_worker(data: Path, questions_file: Path) -> Figures:
    """Run in a fresh process: time to ready, query latency, peak RSS."""
    started = time.perf_counter()
    service = build_services(Settings(data_dir=data, rate_limit_per_minute=0, _env_file=None))
    service.answering.warm_up()
    ready_s = time.perf_counter() - started
    timings = []
    for question in json.loads(questions_file.read_text()):
        t = time.perf_counter()
        service.answering.answer_with_passages(AskRequest(question=question), record=False)
        timings.append(time.perf_counter() - t)
    return {"ready_s": round(ready_s, 2), **summarise_ms(timings), "peak_rss_mb": peak_rss_mb()}


def peak_rss_mb(pid: int | str = "self") -> float | None:
    """A process's peak resident memory (None when unknown). Linux keeps `ru_maxrss` across
    exec, so a worker started by the (large) bench process would report the bench's peak;
    VmHWM belongs to the process's own address space."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    if pid != "self":
        return None
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def measure_scale(config: BenchConfig, base: Path, embedder: Embedder) -> list[Figures]:
    questions = [q.question for q in load_questions(DEFAULT_QUESTIONS)]
    questions_file = config.work / "questions.json"
    questions_file.write_text(json.dumps(questions))
    rows = []
    for size in config.sizes:
        data = config.work / f"scale-{size}"
        build_scaled_index(data, size, base, embedder)
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "assistant.evaluation.bench",
                "scale-worker",
                str(data),
                str(questions_file),
            ],
            capture_output=True,
            text=True,
            check=True,
            env=os.environ | {"HF_HUB_OFFLINE": "1"},
        )
        row = {"chunks": size, "index_mb": folder_mb(data), **json.loads(out.stdout)}
        config.say(f"scale: {row}")
        rows.append(row)
        shutil.rmtree(data, ignore_errors=True)
    return rows


# -- 4. load ---------------------------------------------------------------------------------
def measure_load(config: BenchConfig, data: Path, clients: int = 16) -> Figures:
    questions = [q.question for q in load_questions(DEFAULT_QUESTIONS)]
    process, url, ready_s = start_server(data, config.work)
    timings: list[float] = []
    errors = 0
    lock = threading.Lock()
    try:
        stop_at = time.monotonic() + config.load_seconds

        def client(offset: int) -> None:
            nonlocal errors
            with httpx.Client(base_url=url, timeout=60) as http:
                i = offset
                while time.monotonic() < stop_at:
                    t = time.perf_counter()
                    try:
                        ok = http.post("/ask", json={"question": questions[i % len(questions)]})
                        failed = ok.status_code != 200
                    except httpx.HTTPError:
                        failed = True
                    with lock:
                        timings.append(time.perf_counter() - t)
                        errors += failed
                    i += clients

        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        server_rss = peak_rss_mb(process.pid)
    finally:
        process.terminate()
        process.wait()
    figures = {
        "clients": clients,
        "answers_per_s": round((len(timings) - errors) / elapsed, 1),
        **summarise_ms(timings),
        "errors": errors,
        "serve_ready_s": round(ready_s, 2),
        "server_peak_rss_mb": server_rss,
    }
    config.say(f"load: {figures}")
    return figures


# -- 5. SciFact ------------------------------------------------------------------------------
def ndcg_at_10(ranked: list[str], relevant: set[str]) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, d in enumerate(ranked[:10]) if d in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(10, len(relevant))))
    return dcg / ideal if ideal else 0.0


def measure_scifact(config: BenchConfig, embedder: Embedder) -> Figures:
    rows = scifact_rows(config.scifact_dir)
    if not rows:
        config.say(f"SciFact skipped: no BEIR files in {config.scifact_dir}")
        return {"skipped": f"no BEIR files in {config.scifact_dir}"}
    qrels: dict[str, set[str]] = {}
    for line in (config.scifact_dir / "qrels" / "test.tsv").read_text().splitlines()[1:]:
        query_id, doc_id, score = line.split("\t")
        if int(score) > 0:
            qrels.setdefault(query_id, set()).add(f"sf-{doc_id}")
    queries = {
        q["_id"]: q["text"]
        for q in map(json.loads, (config.scifact_dir / "queries.jsonl").open())
        if q["_id"] in qrels
    }
    data = config.work / "scifact-data"  # kept between runs: embedding 5,183 abstracts is slow
    settings = Settings(data_dir=data, chunk_size=2000, chunk_overlap=200, _env_file=None)
    service = build_services(settings, embedder=embedder)
    if len(service.index.records()) < len(rows):
        folder = config.work / "scifact-docs"
        folder.mkdir(parents=True, exist_ok=True)
        for row in rows:
            (folder / f"sf-{row['_id']}.md").write_text(
                f"---\nid: sf-{row['_id']}\n---\n# {row['title']}\n\n{row['text']}\n"
            )
        service.curation.ingest([folder])
    retriever = service.answering.retriever
    retriever.candidates = 100
    results: Figures = {}
    modes = {
        "dense": ("convex", 1.0),
        "bm25": ("convex", 0.0),
        "hybrid": (settings.fusion, settings.fusion_alpha),
        "hybrid_rrf": ("rrf", 0.0),
    }
    for name, (fusion, alpha) in modes.items():
        retriever.fusion, retriever.alpha = fusion, alpha
        scores = []
        for query_id, text in queries.items():
            passages = retriever.retrieve(text, 40)
            ranked = list(dict.fromkeys(p.record.doc_id for p in passages))
            scores.append(ndcg_at_10(ranked, qrels[query_id]))
        results[f"{name}_ndcg10"] = round(sum(scores) / len(scores), 4)
    results["scifact_ndcg10"] = results["hybrid_ndcg10"]
    results["queries"] = len(queries)
    config.say(f"scifact: {results}")
    return results


# -- report ----------------------------------------------------------------------------------
def write_report(figures: Figures, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(figures, indent=2))
    scale = figures.get("scale", [])
    if scale:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        sizes = [r["chunks"] for r in scale]
        fig, ax = plt.subplots(figsize=(6, 4))
        ax.plot(sizes, [r["p50_ms"] for r in scale], marker="o", label="p50")
        ax.plot(sizes, [r["p95_ms"] for r in scale], marker="o", label="p95")
        ax.set_xscale("log")
        ax.set_xlabel("chunks in the index")
        ax.set_ylabel("answer latency (ms, in process)")
        ax.set_title("Signpost: latency against corpus size")
        ax.grid(True, alpha=0.3)
        ax.legend()
        fig.tight_layout()
        fig.savefig(out / "latency_vs_size.png", dpi=120)
    lines = ["# Signpost benchmark", "", f"Run {figures['when']} on {figures['machine']}.", ""]
    for section in ("ingest", "ask", "load", "scifact"):
        if section in figures:
            lines += [f"## {section}", "", "| figure | value |", "| --- | --- |"]
            lines += [f"| {k} | {v} |" for k, v in figures[section].items()]
            lines.append("")
    if scale:
        lines += [
            "## scale",
            "",
            "| chunks | index MB | ready s | p50 ms | p95 ms | peak RSS MB |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        lines += [
            f"| {r['chunks']} | {r['index_mb']} | {r['ready_s']} | {r['p50_ms']} | {r['p95_ms']} "
            f"| {r['peak_rss_mb']} |"
            for r in scale
        ]
        lines += ["", "![latency against corpus size](latency_vs_size.png)", ""]
    (out / "bench.md").write_text("\n".join(lines))


def run_bench(config: BenchConfig) -> Figures:
    shutil.rmtree(config.work / "corpus", ignore_errors=True)
    shutil.rmtree(config.work / "data", ignore_errors=True)
    shutil.rmtree(config.work / "peer", ignore_errors=True)
    config.work.mkdir(parents=True, exist_ok=True)
    embedder = Embedder()
    figures: Figures = {
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "machine": f"{os.cpu_count()} cores",
        "quick": config.quick,
    }
    figures["ingest"], data = measure_ingest(config, embedder)
    figures["ask"] = measure_ask(config, data, embedder)
    figures["load"] = measure_load(config, data)
    figures["scale"] = measure_scale(config, data, embedder)
    if config.scifact:
        figures["scifact"] = measure_scifact(config, embedder)
    write_report(figures, config.out)
    return figures


if __name__ == "__main__" and len(sys.argv) == 4 and sys.argv[1] == "scale-worker":
    print(json.dumps(scale_worker(Path(sys.argv[2]), Path(sys.argv[3]))))
