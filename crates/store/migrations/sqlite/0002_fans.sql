-- Fans (the PR corps, 広報隊) and one support ledger per person.

ALTER TABLE partnerships ADD COLUMN ledger_edit_days INTEGER NOT NULL DEFAULT 30;

CREATE TABLE fans (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    display_name TEXT NOT NULL,
    full_name TEXT NOT NULL,
    full_name_kana TEXT NOT NULL,
    organisation_id INTEGER REFERENCES organisations(id),
    department TEXT,
    home_region TEXT,
    availability_hours INTEGER,
    -- 1 when the fan agreed to be named to the local-government side.
    named_to_government INTEGER NOT NULL DEFAULT 0,
    on_leaderboard INTEGER NOT NULL DEFAULT 0,
    joined_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (person_id, partnership_id)
);
CREATE INDEX fans_partnership ON fans(partnership_id, id);

CREATE TABLE fan_interests (
    fan_id INTEGER NOT NULL REFERENCES fans(id) ON DELETE CASCADE,
    pillar_key TEXT NOT NULL,
    PRIMARY KEY (fan_id, pillar_key)
);

CREATE TABLE fan_skills (
    fan_id INTEGER NOT NULL REFERENCES fans(id) ON DELETE CASCADE,
    skill TEXT NOT NULL,
    level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 3),
    PRIMARY KEY (fan_id, skill)
);

CREATE TABLE fan_tags (
    fan_id INTEGER NOT NULL REFERENCES fans(id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (fan_id, tag)
);

CREATE TABLE fan_languages (
    fan_id INTEGER NOT NULL REFERENCES fans(id) ON DELETE CASCADE,
    language TEXT NOT NULL,
    PRIMARY KEY (fan_id, language)
);

-- Every change of a consent, per purpose: the current state is the newest row.
CREATE TABLE fan_consents (
    id INTEGER PRIMARY KEY,
    fan_id INTEGER NOT NULL REFERENCES fans(id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    granted INTEGER NOT NULL,
    changed_at INTEGER NOT NULL
);
CREATE INDEX fan_consents_fan ON fan_consents(fan_id, purpose, id);

-- PR goods (badge) requests: the address exists for this purpose alone.
CREATE TABLE goods_requests (
    id INTEGER PRIMARY KEY,
    fan_id INTEGER NOT NULL REFERENCES fans(id) ON DELETE CASCADE,
    recipient TEXT,
    postal_code TEXT,
    address TEXT,
    requested_at INTEGER NOT NULL,
    sent_at INTEGER,
    erased_at INTEGER
);
CREATE INDEX goods_requests_fan ON goods_requests(fan_id);

-- Uploaded files live in the database so any server process can serve them.
CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    owner_id INTEGER REFERENCES people(id) ON DELETE CASCADE,
    content_type TEXT NOT NULL,
    bytes BLOB NOT NULL,
    sha256 TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE point_rules (
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    kind TEXT NOT NULL,
    points INTEGER NOT NULL CHECK (points >= 0),
    PRIMARY KEY (partnership_id, kind)
);

CREATE TABLE ledger_entries (
    id INTEGER PRIMARY KEY,
    fan_id INTEGER NOT NULL REFERENCES fans(id) ON DELETE CASCADE,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    kind TEXT NOT NULL CHECK (kind IN ('visit','purchase','post','talk','attendance',
        'donation','in_kind','volunteer_hours','pro_bono_hours')),
    occurred_on TEXT NOT NULL,
    municipality_code TEXT REFERENCES municipalities(code),
    amount_yen INTEGER,
    channel TEXT,
    products TEXT,
    url TEXT,
    platform TEXT,
    audience INTEGER,
    minutes INTEGER,
    note TEXT,
    evidence_url TEXT,
    photo_id INTEGER REFERENCES files(id),
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','flagged','rejected','withdrawn')),
    status_reason TEXT,
    points INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX ledger_fan ON ledger_entries(fan_id, occurred_on);
CREATE INDEX ledger_partnership ON ledger_entries(partnership_id, occurred_on);
CREATE INDEX ledger_municipality ON ledger_entries(municipality_code);
