"""Knowledge-base search quality and latency (not a test: figures go to docs/BENCHMARKS.md).

Builds a knowledge base from ../shared/data (read in place, never copied):
- PQuAD Validation.json: each paragraph an article (title = its document's title),
  each answerable question a query whose right answer is its paragraph;
- banking77 train.csv: one English article per intent (title = the intent, body =
  80% of its example questions); the other 20% are the queries.
Reports recall@1, recall@5, MRR@10, also for the Persian queries retyped on an
Arabic keyboard (ي, ك, Arabic-Indic digits, ZWNJ dropped or turned into a space),
then pads the base with filler articles to 10,000 and reports p50/p95 latency
of a full search (ranking + snippets) per query.

    .venv/bin/python bench/kb_search_quality.py --quick       # <= 60 s
    .venv/bin/python bench/kb_search_quality.py               # every query
    DATABASE_URL=postgres://.../scratch_db .venv/bin/python bench/kb_search_quality.py --quick

With DATABASE_URL it runs on that (scratch!) database, deleting its articles;
otherwise on a temporary SQLite file. The last line printed is the headline.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
RESULTS = ROOT / "bench" / "results" / "kb_search.jsonl"
ZWNJ = "\u200c"
_TO_ARABIC = str.maketrans(
    {"ی": "ي", "ک": "ك"}
    | {chr(0x06F0 + i): chr(0x0660 + i) for i in range(10)}
    | {str(i): chr(0x0660 + i) for i in range(10)}
)


def arabic_keyboard(text: str, n: int) -> str:
    """`text` as typed on an Arabic keyboard; ZWNJ dropped (even n) or a space (odd n)."""
    return text.translate(_TO_ARABIC).replace(ZWNJ, "" if n % 2 == 0 else " ")


def setup_django(tmp: Path) -> str:
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'kb-bench.sqlite3'}"
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("HELPDESK_VAR_DIR", str(tmp))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    return str(connection.vendor)


def load_pquad() -> tuple[list[dict[str, str]], list[tuple[str, int]]]:
    data = json.loads((DATA / "pquad" / "Validation.json").read_text(encoding="utf-8"))
    articles: list[dict[str, str]] = []
    queries: list[tuple[str, int]] = []
    for doc in data["data"]:
        for paragraph in doc["paragraphs"]:
            index = len(articles)
            articles.append({"title": doc["title"], "body": paragraph["context"], "locale": "fa"})
            queries += [
                (qa["question"], index) for qa in paragraph["qas"] if not qa.get("is_impossible")
            ]
    return articles, queries


def load_banking77() -> tuple[list[dict[str, str]], list[tuple[str, int]]]:
    by_intent: dict[str, list[str]] = defaultdict(list)
    with (DATA / "banking77" / "train.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            by_intent[row["category"]].append(row["text"])
    articles: list[dict[str, str]] = []
    queries: list[tuple[str, int]] = []
    for intent in sorted(by_intent):
        texts = by_intent[intent]
        cut = int(len(texts) * 0.8)  # held-out split: the last 20% of each intent
        index = len(articles)
        title = intent.replace("_", " ").capitalize()
        articles.append({"title": title, "body": "\n\n".join(texts[:cut]), "locale": "en"})
        queries += [(text, index) for text in texts[cut:]]
    return articles, queries


def build(rows: list[dict[str, str]], prefix: str) -> list[int]:
    """Insert articles the way the app saves them (rendered, normalized); returns ids."""
    from knowledge_base.models import Article

    objs = []
    for n, row in enumerate(rows):
        article = Article(slug=f"{prefix}-{n}", status="published", visibility="public", **row)
        article.refresh_derived()
        objs.append(article)
    created = Article.objects.bulk_create(objs, batch_size=500)
    analyze()
    return [a.pk for a in created]


def analyze() -> None:
    """Fresh planner statistics and visibility map after a bulk load (autovacuum
    would do it, later): the search index is then read by index-only scans."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "VACUUM ANALYZE knowledge_base_article, kb_search_posting, kb_search_term"
            )
        else:
            cursor.execute("ANALYZE")


def fillers(words: list[str], count: int, rng: random.Random) -> list[dict[str, str]]:
    """Distractor articles: random Persian words from the corpus, paragraph-sized."""
    return [
        {
            "title": " ".join(rng.choices(words, k=4)),
            "body": " ".join(rng.choices(words, k=110)),
            "locale": "fa",
        }
        for _ in range(count)
    ]


def evaluate(queries: list[tuple[str, int]], ids: list[int], locale: str) -> dict[str, float]:
    from knowledge_base.search import search_ids
    from knowledge_base.search.base import SearchQuery

    hits1 = hits5 = 0
    rr = 0.0
    for text, index in queries:
        # A finished question (trailing newline): no prefix matching on its last word.
        ranked = [pk for pk, _ in search_ids(SearchQuery(text + "\n", locale=locale, limit=10))]
        want = ids[index]
        if want in ranked:
            rank = ranked.index(want) + 1
            hits1 += rank == 1
            hits5 += rank <= 5
            rr += 1 / rank
    n = max(1, len(queries))
    return {"recall@1": hits1 / n, "recall@5": hits5 / n, "mrr@10": rr / n, "queries": len(queries)}


def latency(queries: list[str], locale: str) -> dict[str, float]:
    from knowledge_base.search import search_articles

    times = []
    for text in queries:
        start = time.perf_counter()
        search_articles(text, locale=locale, limit=10)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "p50_ms": statistics.median(times),
        "p95_ms": times[min(len(times) - 1, int(len(times) * 0.95))],
        "queries": len(times),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="sampled queries, <= 60 s")
    parser.add_argument("--articles", type=int, default=10_000, help="size for the latency run")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if not (DATA / "pquad" / "Validation.json").exists():
        sys.exit(f"missing data: {DATA}/pquad/Validation.json (see ../shared/data/README.md)")
    rng = random.Random(args.seed)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        vendor = setup_django(Path(tmp))
        from knowledge_base.models import Article

        Article.objects.all().delete()
        fa_rows, fa_queries = load_pquad()
        en_rows, en_queries = load_banking77()
        fa_ids, en_ids = build(fa_rows, "pquad"), build(en_rows, "b77")
        if args.quick:
            fa_queries = rng.sample(fa_queries, 400)
            en_queries = rng.sample(en_queries, 300)
        arabic = [(arabic_keyboard(q, n), i) for n, (q, i) in enumerate(fa_queries)]
        quality = {
            "pquad": evaluate(fa_queries, fa_ids, "fa"),
            "pquad_arabic_keyboard": evaluate(arabic, fa_ids, "fa"),
            "banking77": evaluate(en_queries, en_ids, "en"),
        }
        words = [w for row in fa_rows[:300] for w in row["body"].split()]
        pad = max(0, args.articles - Article.objects.count())
        build(fillers(words, pad, rng), "filler")
        total = Article.objects.count()
        sample = [
            q for q, _ in rng.sample(fa_queries, min(300 if args.quick else 1000, len(fa_queries)))
        ]
        timing = latency(sample, "fa")
        quality["pquad_at_size"] = evaluate(fa_queries[:300], fa_ids, "fa")
    report(vendor, total, quality, timing, args.quick, time.perf_counter() - started)


def report(
    vendor: str,
    total: int,
    quality: dict[str, dict[str, float]],
    timing: dict[str, float],
    quick: bool,
    seconds: float,
) -> None:
    print(f"{'set':<24}{'queries':>8}{'R@1':>8}{'R@5':>8}{'MRR@10':>8}")
    for name, row in quality.items():
        print(
            f"{name:<24}{int(row['queries']):>8}{row['recall@1']:>8.3f}"
            f"{row['recall@5']:>8.3f}{row['mrr@10']:>8.3f}"
        )
    print(
        f"latency at {total} articles ({vendor}, ranking + snippets, {int(timing['queries'])} "
        f"queries): p50 {timing['p50_ms']:.1f} ms, p95 {timing['p95_ms']:.1f} ms"
    )
    record: dict[str, Any] = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "backend": vendor,
        "quick": quick,
        "articles": total,
        "quality": quality,
        "latency": timing,
        "seconds": round(seconds, 1),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")
    p, a, b = quality["pquad"], quality["pquad_arabic_keyboard"], quality["banking77"]
    print(
        f"headline ({vendor}): PQuAD R@5 {p['recall@5']:.3f} MRR@10 {p['mrr@10']:.3f} | "
        f"Arabic keyboard R@5 {a['recall@5']:.3f} | banking77 intent@1 {b['recall@1']:.3f} "
        f"intent@5 {b['recall@5']:.3f} | p50 {timing['p50_ms']:.1f} ms p95 "
        f"{timing['p95_ms']:.1f} ms at {total} articles"
    )


if __name__ == "__main__":
    main()
