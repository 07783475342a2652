"""The insights tables: KB changes proposed from content gaps, writers' labels of live questions
(their audit events go to the console's audit_log); created with the rest of the schema."""

INSIGHT_SCHEMA = """
CREATE TABLE IF NOT EXISTS kb_changes (
    change_id TEXT PRIMARY KEY, kind TEXT NOT NULL, questions TEXT NOT NULL, article_id TEXT NOT NULL,
    gap_id TEXT NOT NULL, status TEXT NOT NULL, proposed_by TEXT NOT NULL,
    proposed_at DOUBLE PRECISION NOT NULL, decided_by TEXT NOT NULL, decided_at DOUBLE PRECISION,
    diff TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS labels (
    session_id TEXT NOT NULL, turn_id BIGINT NOT NULL, text TEXT NOT NULL, lang TEXT NOT NULL,
    article_id TEXT NOT NULL, labelled_by TEXT NOT NULL, at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (session_id, turn_id));
"""
