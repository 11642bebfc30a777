"""Versioned schema migrations, append-only: a released migration is never edited, only followed."""

from __future__ import annotations

MIGRATIONS: list[tuple[int, str]] = [
    (
        1,
        """
CREATE TABLE feedback (
    rid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    channel TEXT NOT NULL CHECK (channel IN ('rating', 'call', 'social')),
    subtype TEXT,
    source TEXT NOT NULL,
    source_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    month TEXT NOT NULL,
    text TEXT NOT NULL,
    tokens TEXT NOT NULL DEFAULT '',
    context_tokens TEXT NOT NULL DEFAULT '',
    rating REAL,
    rating_scale TEXT CHECK (rating_scale IS NULL OR rating_scale IN ('star5', 'nps10', 'csat5')),
    customer_key TEXT,
    agent_id TEXT,
    branch TEXT,
    product TEXT,
    scene TEXT,
    extra TEXT NOT NULL DEFAULT '{}',
    run_id INTEGER,
    ingested_at TEXT NOT NULL,
    sentiment REAL,
    sentiment_label TEXT,
    sentiment_cues TEXT,
    sentiment_snownlp REAL,
    escalation INTEGER,
    theme_id INTEGER,
    theme_sim REAL,
    process_step TEXT,
    enriched_at TEXT
);
CREATE INDEX feedback_month ON feedback (month, channel);
CREATE INDEX feedback_created ON feedback (created_at);
CREATE INDEX feedback_customer ON feedback (customer_key, created_at);
CREATE INDEX feedback_theme ON feedback (theme_id, month);
CREATE INDEX feedback_source ON feedback (source);
CREATE INDEX feedback_unenriched ON feedback (enriched_at) WHERE enriched_at IS NULL;

CREATE TABLE turns (
    call_id TEXT NOT NULL REFERENCES feedback (id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    speaker TEXT NOT NULL CHECK (speaker IN ('customer', 'agent', 'system')),
    start REAL,
    "end" REAL,
    text TEXT NOT NULL,
    sentiment REAL,
    PRIMARY KEY (call_id, idx)
) WITHOUT ROWID;

CREATE TABLE ingest_runs (
    run_id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    kind TEXT NOT NULL,
    location TEXT NOT NULL DEFAULT '',
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL DEFAULT 'running',
    read INTEGER NOT NULL DEFAULT 0,
    new INTEGER NOT NULL DEFAULT 0,
    duplicates INTEGER NOT NULL DEFAULT 0,
    quarantined INTEGER NOT NULL DEFAULT 0,
    message TEXT NOT NULL DEFAULT ''
);

CREATE TABLE quarantine (
    qid INTEGER PRIMARY KEY,
    run_id INTEGER,
    source TEXT NOT NULL,
    file TEXT NOT NULL DEFAULT '',
    locator TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL,
    excerpt TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    UNIQUE (source, file, locator, reason)
);

CREATE TABLE cursors (
    source TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (source, key)
) WITHOUT ROWID;

CREATE TABLE erasures (
    eid INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    subject_hash TEXT NOT NULL,
    records INTEGER NOT NULL,
    at TEXT NOT NULL
);

CREATE TABLE themes (
    theme_id INTEGER PRIMARY KEY,
    label TEXT NOT NULL,
    keywords TEXT NOT NULL DEFAULT '[]',
    process_step TEXT,
    first_month TEXT,
    last_month TEXT,
    size INTEGER NOT NULL DEFAULT 0,
    coherence REAL,
    status TEXT NOT NULL DEFAULT 'active',
    related INTEGER,
    updated_at TEXT NOT NULL
);

CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE VIRTUAL TABLE feedback_fts USING fts5 (
    tokens, context_tokens, content = 'feedback', content_rowid = 'rid', tokenize = 'unicode61'
);
CREATE TRIGGER feedback_fts_ai AFTER INSERT ON feedback BEGIN
    INSERT INTO feedback_fts (rowid, tokens, context_tokens) VALUES (new.rid, new.tokens, new.context_tokens);
END;
CREATE TRIGGER feedback_fts_ad AFTER DELETE ON feedback BEGIN
    INSERT INTO feedback_fts (feedback_fts, rowid, tokens, context_tokens)
    VALUES ('delete', old.rid, old.tokens, old.context_tokens);
END;
CREATE TRIGGER feedback_fts_au AFTER UPDATE OF tokens, context_tokens ON feedback BEGIN
    INSERT INTO feedback_fts (feedback_fts, rowid, tokens, context_tokens)
    VALUES ('delete', old.rid, old.tokens, old.context_tokens);
    INSERT INTO feedback_fts (rowid, tokens, context_tokens) VALUES (new.rid, new.tokens, new.context_tokens);
END;
""",
    ),
]

MIGRATIONS.append(
    (
        2,
        """
ALTER TABLE feedback ADD COLUMN complaint INTEGER;
ALTER TABLE feedback ADD COLUMN repeat_contact INTEGER;
CREATE INDEX feedback_complaint ON feedback (month, complaint);
CREATE INDEX feedback_customer_theme ON feedback (customer_key, theme_id, created_at);

CREATE TABLE theme_runs (
    month TEXT PRIMARY KEY,
    complaints INTEGER NOT NULL,
    assigned INTEGER NOT NULL,
    new_themes INTEGER NOT NULL,
    stability REAL,
    model_fingerprint TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL
);

CREATE TABLE theme_lineage (
    month TEXT NOT NULL,
    theme_id INTEGER NOT NULL,
    event TEXT NOT NULL CHECK (event IN ('new', 'continued', 'split', 'merged', 'retired')),
    related INTEGER,
    records INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (month, theme_id, event)
);

CREATE TABLE theme_stats (
    theme_id INTEGER NOT NULL,
    month TEXT NOT NULL,
    channel TEXT NOT NULL,
    volume INTEGER NOT NULL,
    negative INTEGER NOT NULL,
    escalations INTEGER NOT NULL,
    calls INTEGER NOT NULL,
    keyed INTEGER NOT NULL,
    repeats INTEGER NOT NULL,
    rated INTEGER NOT NULL,
    rating_sum REAL NOT NULL,
    PRIMARY KEY (theme_id, month, channel)
) WITHOUT ROWID;

CREATE TABLE flags (
    month TEXT NOT NULL,
    theme_id INTEGER NOT NULL,
    status TEXT NOT NULL,
    severity REAL NOT NULL,
    payload TEXT NOT NULL,
    PRIMARY KEY (month, theme_id)
) WITHOUT ROWID;
""",
    )
)

MIGRATIONS.append(
    (
        3,
        """
CREATE INDEX feedback_kpi ON feedback (month, channel, sentiment_label, complaint, escalation, rating_scale, rating,
    customer_key, theme_id, repeat_contact);
""",
    )
)

MIGRATIONS.append(
    (
        4,
        """
ALTER TABLE feedback ADD COLUMN content_hash TEXT;
ALTER TABLE feedback ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE ingest_runs ADD COLUMN pid INTEGER;
ALTER TABLE ingest_runs ADD COLUMN updated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE quarantine ADD COLUMN customer_key TEXT;
CREATE INDEX quarantine_customer ON quarantine (customer_key) WHERE customer_key IS NOT NULL;

CREATE TABLE reports (
    path TEXT PRIMARY KEY,
    month TEXT NOT NULL,
    format TEXT NOT NULL,
    written_at TEXT NOT NULL
) WITHOUT ROWID;
""",
    )
)

MIGRATIONS.append(
    (
        5,
        """
ALTER TABLE themes ADD COLUMN kind TEXT NOT NULL DEFAULT 'complaint';
ALTER TABLE themes ADD COLUMN coverage REAL;
ALTER TABLE themes ADD COLUMN specificity REAL;

CREATE TABLE theme_labels (
    theme_id INTEGER NOT NULL,
    month TEXT NOT NULL,
    label TEXT NOT NULL,
    keywords TEXT NOT NULL DEFAULT '[]',
    size INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (theme_id, month)
) WITHOUT ROWID;
""",
    )
)

MIGRATIONS.append(
    (
        6,
        """
ALTER TABLE themes ADD COLUMN prior_volume REAL;
""",
    )
)

MIGRATIONS.append(
    (
        7,
        """
CREATE TABLE fixes (
    fix_id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    step TEXT,
    owner TEXT,
    shipped TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    created_at TEXT NOT NULL,
    closed_at TEXT
);

CREATE TABLE fix_themes (
    fix_id INTEGER NOT NULL,
    theme_id INTEGER NOT NULL,
    PRIMARY KEY (fix_id, theme_id)
) WITHOUT ROWID;
""",
    )
)

MIGRATIONS.append(
    (
        8,
        """
CREATE TABLE alerts_sent (
    alert_key TEXT NOT NULL,
    channel TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (alert_key, channel)
) WITHOUT ROWID;
""",
    )
)

MIGRATIONS.append(
    (
        9,
        """
CREATE TABLE theme_curations (
    curation_id INTEGER PRIMARY KEY,
    theme_id INTEGER NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('rename', 'merge', 'pin', 'unpin')),
    value TEXT,
    actor TEXT NOT NULL,
    at TEXT NOT NULL
);
""",
    )
)

MIGRATIONS.append(
    (
        10,
        """
CREATE TABLE users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('admin', 'analyst', 'branch')),
    branch TEXT,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CHECK ((role = 'branch') = (branch IS NOT NULL))
);

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    user_name TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
    created_at TEXT NOT NULL
);

CREATE TABLE audit_log (
    event_id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);
""",
    )
)

MIGRATIONS.append(
    (
        11,
        """
CREATE TABLE theme_curations_v11 (
    curation_id INTEGER PRIMARY KEY,
    theme_id INTEGER NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('rename', 'merge', 'pin', 'unpin', 'split')),
    value TEXT,
    actor TEXT NOT NULL,
    at TEXT NOT NULL
);
INSERT INTO theme_curations_v11 SELECT curation_id, theme_id, action, value, actor, at FROM theme_curations;
DROP TABLE theme_curations;
ALTER TABLE theme_curations_v11 RENAME TO theme_curations;
""",
    )
)

MIGRATIONS.append(
    (
        12,
        """
ALTER TABLE theme_curations ADD COLUMN tracked_through TEXT;
""",
    )
)

MIGRATIONS.append(
    (
        13,
        """
ALTER TABLE feedback ADD COLUMN grams TEXT NOT NULL DEFAULT '';
DROP TRIGGER feedback_fts_ai;
DROP TRIGGER feedback_fts_ad;
DROP TRIGGER feedback_fts_au;
DROP TABLE feedback_fts;
CREATE VIRTUAL TABLE feedback_fts USING fts5 (
    tokens, context_tokens, grams, content = 'feedback', content_rowid = 'rid', tokenize = 'unicode61'
);
CREATE TRIGGER feedback_fts_ai AFTER INSERT ON feedback BEGIN
    INSERT INTO feedback_fts (rowid, tokens, context_tokens, grams)
    VALUES (new.rid, new.tokens, new.context_tokens, new.grams);
END;
CREATE TRIGGER feedback_fts_ad AFTER DELETE ON feedback BEGIN
    INSERT INTO feedback_fts (feedback_fts, rowid, tokens, context_tokens, grams)
    VALUES ('delete', old.rid, old.tokens, old.context_tokens, old.grams);
END;
CREATE TRIGGER feedback_fts_au AFTER UPDATE OF tokens, context_tokens, grams ON feedback BEGIN
    INSERT INTO feedback_fts (feedback_fts, rowid, tokens, context_tokens, grams)
    VALUES ('delete', old.rid, old.tokens, old.context_tokens, old.grams);
    INSERT INTO feedback_fts (rowid, tokens, context_tokens, grams)
    VALUES (new.rid, new.tokens, new.context_tokens, new.grams);
END;
INSERT INTO feedback_fts (feedback_fts) VALUES ('rebuild');
""",
    )
)

LATEST = MIGRATIONS[-1][0]
