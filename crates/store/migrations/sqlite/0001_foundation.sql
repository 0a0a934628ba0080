-- Foundation: organisations, partnerships, people, roles, sign-in, outbox, audit.
-- Timestamps are Unix seconds (UTC) in BIGINT on both backends: sqlx's Any
-- driver moves integers losslessly, and ranges compare the same everywhere.

CREATE TABLE organisations (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('prefecture','municipality','company','school','npo')),
    name TEXT NOT NULL,
    name_kana TEXT,
    name_en TEXT,
    local_gov_code TEXT UNIQUE,
    parent_id INTEGER REFERENCES organisations(id),
    website TEXT,
    description TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX organisations_kind ON organisations(kind, name);

CREATE TABLE municipalities (
    organisation_id INTEGER PRIMARY KEY REFERENCES organisations(id),
    code TEXT NOT NULL UNIQUE,
    prefecture_id INTEGER NOT NULL REFERENCES organisations(id),
    name TEXT NOT NULL,
    name_kana TEXT NOT NULL,
    romaji TEXT NOT NULL,
    muni_type TEXT NOT NULL,
    district TEXT,
    region TEXT NOT NULL,
    office_name TEXT,
    office_postal TEXT,
    office_address TEXT,
    office_lat REAL,
    office_lon REAL,
    official_url TEXT
);
CREATE INDEX municipalities_region ON municipalities(region, code);

CREATE TABLE partnerships (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    name_en TEXT,
    description TEXT,
    visibility TEXT NOT NULL CHECK (visibility IN ('public','members')),
    signed_on TEXT,
    created_at INTEGER NOT NULL
);

CREATE TABLE partnership_parties (
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    PRIMARY KEY (partnership_id, organisation_id)
);
CREATE INDEX partnership_parties_org ON partnership_parties(organisation_id);

CREATE TABLE pillars (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    key TEXT NOT NULL,
    name_ja TEXT NOT NULL,
    name_en TEXT NOT NULL,
    sort_order INTEGER NOT NULL,
    UNIQUE (partnership_id, key)
);

CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    email_verified_at INTEGER,
    password_hash TEXT NOT NULL,
    display_name TEXT NOT NULL,
    name_kana TEXT,
    locale TEXT NOT NULL DEFAULT 'ja',
    is_instance_admin INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE memberships (
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    department TEXT,
    PRIMARY KEY (person_id, organisation_id)
);
CREATE INDEX memberships_org ON memberships(organisation_id);

CREATE TABLE role_assignments (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    role TEXT NOT NULL CHECK (role IN ('member','municipal_staff','coordinator','administrator')),
    organisation_id INTEGER REFERENCES organisations(id),
    -- 0 when no organisation: lets one UNIQUE constraint cover both cases.
    organisation_key INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    UNIQUE (person_id, partnership_id, role, organisation_key)
);
CREATE INDEX role_assignments_partnership ON role_assignments(partnership_id, role);

CREATE TABLE consents (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    notice_version TEXT NOT NULL,
    granted_at INTEGER NOT NULL,
    withdrawn_at INTEGER
);
CREATE INDEX consents_person ON consents(person_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_person ON sessions(person_id);

CREATE TABLE auth_tokens (
    token_hash TEXT PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    purpose TEXT NOT NULL CHECK (purpose IN ('verify_email','reset_password')),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);
CREATE INDEX auth_tokens_person ON auth_tokens(person_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER
);
CREATE INDEX api_tokens_person ON api_tokens(person_id);

CREATE TABLE login_attempts (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL,
    ip TEXT NOT NULL,
    attempted_at INTEGER NOT NULL,
    succeeded INTEGER NOT NULL
);
CREATE INDEX login_attempts_email ON login_attempts(email, attempted_at);
CREATE INDEX login_attempts_ip ON login_attempts(ip, attempted_at);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    to_addr TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    locked_until INTEGER,
    sent_at INTEGER,
    last_error TEXT
);
CREATE INDEX outbox_pending ON outbox(sent_at, next_attempt_at);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    actor_id INTEGER,
    action TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id INTEGER,
    detail TEXT,
    logged_at INTEGER NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(logged_at);
