"""What the coverage report tabulates: per-article counts, confused article pairs, unanswered questions.

Plain data, no HTML: the numbers here are what tests check, and what a writer acts on.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from eval.clusters import cluster_questions
from eval.metrics import Outcome
from kb.models import KnowledgeBase

log = logging.getLogger(__name__)

Embed = Callable[[list[str]], np.ndarray]


@dataclass(frozen=True)
class ArticleStats:
    article_id: str
    title: str  # default-language title; "" when the test set names an article the KB lacks
    languages: tuple[str, ...]
    n_questions: int  # test questions that expect this article
    n_right: int  # ... auto-answered with it
    n_missed: int  # ... not auto-answered with it (held back, or answered with another article)
    n_wrongly_answered: int  # questions expecting something else (or nothing) auto-answered with it
    missed: tuple[Outcome, ...] = ()
    wrongly_answered: tuple[Outcome, ...] = ()

    @property
    def in_kb(self) -> bool:
        return bool(self.languages)

    @property
    def problems(self) -> int:
        return self.n_missed + self.n_wrongly_answered

    @property
    def needs_work(self) -> bool:
        """NEEDS_WORK_RULE: one miss among many right answers is noise, not a verdict."""
        return self.problems >= NEEDS_WORK_MIN and \
            self.problems >= NEEDS_WORK_SHARE * (self.n_questions + self.n_wrongly_answered)


# An article needs work when it has at least 2 problems (questions meant for it that the bot did
# not answer with it, plus questions it wrongly answered) and they are at least a quarter of all
# questions it was involved in.
NEEDS_WORK_MIN = 2
NEEDS_WORK_SHARE = 0.25
NEEDS_WORK_RULE = (f"an article needs work when it has at least {NEEDS_WORK_MIN} problems (missed plus "
                   f"wrongly answered) and they make up at least {NEEDS_WORK_SHARE:.0%} of the questions "
                   "it was involved in")


@dataclass(frozen=True)
class Confusion:
    """Two articles whose questions land on each other: `a` < `b`, `a_to_b` = expected a, ranked b first."""

    a: str
    b: str
    a_to_b: int
    b_to_a: int
    examples: tuple[Outcome, ...]

    @property
    def total(self) -> int:
        return self.a_to_b + self.b_to_a


@dataclass(frozen=True)
class QuestionGroup:
    """Questions that ask roughly the same thing, with where the bot took them."""

    size: int
    representative: str
    examples: tuple[str, ...]
    leaned_to: str | None  # the article the bot ranked first (or answered with) most often; None: none
    leaned_count: int  # how many of the group it leaned there
    n_out_of_scope: int  # questions no article covers yet
    expected: tuple[tuple[str, int], ...]  # articles the in-scope ones expected, most common first


def article_title(kb: KnowledgeBase, article_id: str) -> str:
    """The default-language title, else the title in the first language that has the article."""
    versions = kb.translations(article_id)
    chosen = versions.get(kb.default_lang) or next((versions[k] for k in sorted(versions)), None)
    return chosen.title if chosen else ""


def article_stats(outcomes: Sequence[Outcome], kb: KnowledgeBase) -> list[ArticleStats]:
    """One row per KB article (tested or not) and per unknown article the test set expects, worst first."""
    expecting: dict[str, list[Outcome]] = defaultdict(list)
    wrongly: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        if o.query.expected is not None:
            expecting[o.query.expected].append(o)
        if o.wrong and o.answered is not None:
            wrongly[o.answered].append(o)
    rows = []
    for aid in sorted(set(kb.ids) | set(expecting) | set(wrongly)):
        group = expecting.get(aid, [])
        right = sum(o.right for o in group)
        bad = wrongly.get(aid, [])
        rows.append(ArticleStats(aid, article_title(kb, aid), tuple(sorted(kb.translations(aid))),
                                 len(group), right, len(group) - right, len(bad),
                                 tuple(o for o in group if not o.right), tuple(bad)))
    # Most trouble first; among articles without trouble, untested ones (nobody knows if they
    # work) before ones that were tested and came through clean.
    return sorted(rows, key=lambda r: (-r.problems, r.n_questions > 0, r.article_id))


def confusions(outcomes: Sequence[Outcome], max_examples: int = 3) -> list[Confusion]:
    """Article pairs by how many in-scope questions ranked the other article first, most first.

    Counts retrieval (the first-ranked candidate), not the decision: a confusion held back by the
    threshold still costs an auto-answer.
    """
    if max_examples < 0:
        raise ValueError(f"max_examples must be ≥ 0, got {max_examples!r}")
    counts: Counter[tuple[str, str]] = Counter()
    examples: dict[tuple[str, str], list[Outcome]] = defaultdict(list)
    for o in outcomes:
        expected, top = o.query.expected, o.top
        if expected is None or top is None or top == expected:
            continue
        counts[(expected, top)] += 1
        pair = (min(expected, top), max(expected, top))
        if len(examples[pair]) < max_examples:
            examples[pair].append(o)
    pairs = []
    for a, b in {(min(k), max(k)) for k in counts}:
        pairs.append(Confusion(a, b, counts[(a, b)], counts[(b, a)], tuple(examples[(a, b)])))
    return sorted(pairs, key=lambda p: (-p.total, p.a, p.b))


def unanswered(outcomes: Sequence[Outcome]) -> list[Outcome]:
    """Questions the bot left to a person: in-scope misses and out-of-scope ones."""
    return [o for o in outcomes if o.answered is None]


def real_gaps(outcomes: Sequence[Outcome]) -> list[Outcome]:
    """Questions an article answers that the bot left to a person: what the articles must fix."""
    return [o for o in outcomes if o.answered is None and o.query.in_scope]


def held_out_of_scope(outcomes: Sequence[Outcome]) -> list[Outcome]:
    """Questions labelled out of scope that the bot rightly did not answer: no gap at all."""
    return [o for o in outcomes if o.answered is None and not o.query.in_scope]


def wrongly_answered(outcomes: Sequence[Outcome]) -> list[Outcome]:
    return [o for o in outcomes if o.wrong]


def group_questions(outcomes: Sequence[Outcome], embed: Embed | None, *, by_answer: bool = False,
                    max_groups: int = 20, stats: dict[str, float | int | None] | None = None
                    ) -> list[QuestionGroup]:
    """Similar questions together, biggest group first: clusters of their embeddings when `embed` is
    given, otherwise one group per article the bot leaned to (its answer if `by_answer`, else its
    first-ranked candidate). Groups mixing questions meant for different articles are split
    (`split_mixed`); `stats`, when given, receives the grouping's purity before and after that."""
    if max_groups < 1:
        raise ValueError(f"max_groups must be at least 1, got {max_groups!r}")
    if not outcomes:
        return []

    def lean(o: Outcome) -> str | None:
        return o.answered if by_answer else o.top

    if embed is None:
        by_article: dict[str | None, list[int]] = defaultdict(list)
        for i, o in enumerate(outcomes):
            by_article[lean(o)].append(i)
        member_lists = sorted(by_article.values(), key=lambda m: (-len(m), m[0]))
    else:
        texts = [o.query.text for o in outcomes]
        clusters = cluster_questions(texts, embed(texts), max_clusters=max_groups)
        member_lists = [list(c.members) for c in clusters]
    before = group_purity(member_lists, outcomes)
    split = split_mixed(member_lists, outcomes)
    if stats is not None:
        stats.update(purity_before=before, purity_after=group_purity(split, outcomes),
                     split=len(split) - len(member_lists))
    member_lists = split
    groups = [_group([outcomes[i] for i in members], lean) for members in member_lists[:max_groups]]
    log.debug("grouped %d questions into %d groups", len(outcomes), len(groups))
    return groups


# A group whose in-scope questions agree on their article less than this is split by article.
MIN_PURITY = 0.75


def group_purity(member_lists: Sequence[Sequence[int]], outcomes: Sequence[Outcome]) -> float | None:
    """Share of in-scope grouped questions whose group's most common expected article is theirs."""
    agree = total = 0
    for members in member_lists:
        expected = Counter(outcomes[i].query.expected for i in members if outcomes[i].query.in_scope)
        agree += max(expected.values(), default=0)
        total += sum(expected.values())
    return agree / total if total else None


def split_mixed(member_lists: list[list[int]], outcomes: Sequence[Outcome]) -> list[list[int]]:
    """Groups whose questions are meant for different articles (purity below MIN_PURITY) split
    into one group per article, plus one of the questions no article covers; biggest first."""
    out: list[list[int]] = []
    for members in member_lists:
        if (group_purity([members], outcomes) or 1.0) >= MIN_PURITY:
            out.append(members)
            continue
        parts: dict[str | None, list[int]] = defaultdict(list)
        for i in members:
            parts[outcomes[i].query.expected].append(i)
        out.extend(parts.values())
    return sorted(out, key=lambda m: (-len(m), m[0]))


def _group(members: list[Outcome], lean: Callable[[Outcome], str | None]) -> QuestionGroup:
    distinct = list(dict.fromkeys(o.query.text for o in members))
    leaned, leaned_count = Counter(lean(o) for o in members).most_common(1)[0]
    expected = Counter(o.query.expected for o in members if o.query.expected is not None)
    return QuestionGroup(
        size=len(members), representative=distinct[0], examples=tuple(distinct[:5]),
        leaned_to=leaned, leaned_count=leaned_count,
        n_out_of_scope=sum(not o.query.in_scope for o in members),
        expected=tuple(sorted(expected.items(), key=lambda kv: (-kv[1], kv[0]))))
