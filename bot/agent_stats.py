"""Agent figures: how fast people answered the conversations the bot handed them, per agent and queue.

First reply time: from the escalation to the first agent message in its session after it.
Resolution time: from the escalation to its resolution (resolved escalations only).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from bot.records import RESOLVED, Escalation, Turn


@dataclass(frozen=True)
class AgentStats:
    agent: str  # "all" for the queue's total; "" when nobody has taken it yet
    queue: str  # "all" for the agent's total over queues
    escalations: int = 0
    replied: int = 0
    resolved: int = 0
    first_reply_s_p50: float | None = None
    first_reply_s_avg: float | None = None
    resolution_s_p50: float | None = None
    resolution_s_avg: float | None = None


@dataclass(frozen=True)
class _Handled:
    agent: str
    queue: str
    first_reply: float | None
    resolution: float | None


def _p50(xs: Sequence[float]) -> float | None:
    return round(float(np.percentile(xs, 50)), 1) if xs else None


def _avg(xs: Sequence[float]) -> float | None:
    return round(float(np.mean(xs)), 1) if xs else None


def _handled(e: Escalation, turns: Sequence[Turn]) -> _Handled:
    reply = next((t for t in turns if t.role == "agent" and t.at >= e.created_at), None)
    agent = e.agent or (reply.agent if reply else "")
    resolution = e.updated_at - e.created_at if e.status == RESOLVED else None
    return _Handled(agent, e.queue, None if reply is None else reply.at - e.created_at, resolution)


def _row(agent: str, queue: str, rows: Sequence[_Handled]) -> AgentStats:
    firsts = [r.first_reply for r in rows if r.first_reply is not None]
    done = [r.resolution for r in rows if r.resolution is not None]
    return AgentStats(agent, queue, len(rows), len(firsts), len(done), _p50(firsts), _avg(firsts),
                      _p50(done), _avg(done))


def agent_stats(escalations: Iterable[Escalation],
                turns: Mapping[str, Sequence[Turn]]) -> tuple[AgentStats, ...]:
    """One row per (agent, queue), then per agent over all queues, per queue over all agents, and
    ("all", "all"); sorted by agent then queue."""
    handled = [_handled(e, turns.get(e.session_id, ())) for e in escalations]
    groups: dict[tuple[str, str], list[_Handled]] = defaultdict(list)
    for h in handled:
        for key in ((h.agent, h.queue), (h.agent, "all"), ("all", h.queue), ("all", "all")):
            groups[key].append(h)
    return tuple(_row(agent, queue, rows) for (agent, queue), rows in sorted(groups.items()))
