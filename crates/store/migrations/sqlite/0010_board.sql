-- The challenge board (行政DX): challenges municipalities post, "we have
-- this too" from others, the discussion, follows and their digest, and
-- on-site issues that arrive through Open311.

-- Raised by every transaction that changes what the similarity index holds
-- (a challenge's text, status or visibility); each process's in-memory
-- index catches up by reading the challenges whose `rev` is newer.
CREATE TABLE board_rev (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    rev INTEGER NOT NULL
);
INSERT INTO board_rev (id, rev) VALUES (1, 0);

CREATE TABLE challenges (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    -- The municipality (or school) that has the challenge.
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    -- NULL once the author's account is erased.
    author_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    category TEXT NOT NULL,
    current_process TEXT,
    pain TEXT,
    burden_hours INTEGER NOT NULL CHECK (burden_hours BETWEEN 0 AND 5000),
    desired_outcome TEXT,
    lgwan INTEGER NOT NULL DEFAULT 0,
    budget TEXT,
    timing TEXT,
    visibility TEXT NOT NULL CHECK (visibility IN ('public', 'partnership')),
    -- 1: the author's name is not shown to the company side.
    hide_author INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL CHECK (status IN ('draft', 'open', 'under_review', 'matched', 'in_progress', 'solved', 'rolled_out', 'closed', 'merged')),
    -- A duplicate merged into another keeps its own row, history and
    -- endorsements; splitting restores the status it had.
    merged_into INTEGER REFERENCES challenges(id),
    status_before_merge TEXT,
    -- Municipalities that share it (itself, those who said "we have this
    -- too", those of challenges merged into it) and their total burden:
    -- kept by every write, so lists need not add them up.
    shared_count INTEGER NOT NULL DEFAULT 1,
    total_burden INTEGER NOT NULL DEFAULT 0,
    rev INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK ((status = 'merged') = (merged_into IS NOT NULL))
);
-- The board, newest first, and each filter's own path to its rows.
CREATE INDEX challenges_board ON challenges(updated_at, id);
CREATE INDEX challenges_status ON challenges(status, updated_at, id);
CREATE INDEX challenges_category ON challenges(category, updated_at, id);
CREATE INDEX challenges_partnership ON challenges(partnership_id, updated_at, id);
CREATE INDEX challenges_organisation ON challenges(organisation_id, updated_at, id);
CREATE INDEX challenges_author ON challenges(author_id);
CREATE INDEX challenges_rev ON challenges(rev);
CREATE INDEX challenges_merged ON challenges(merged_into);

-- Every move of a challenge: who, when, why.
CREATE TABLE challenge_history (
    id INTEGER PRIMARY KEY,
    challenge_id INTEGER NOT NULL REFERENCES challenges(id),
    actor_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
    -- created, moved, edited, merged_into, merged_from, split, split_from,
    -- endorsed, report_attached
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT,
    other_id INTEGER,
    reason TEXT,
    at INTEGER NOT NULL
);
CREATE INDEX challenge_history_challenge ON challenge_history(challenge_id, id);

-- "We have this too" (うちも同じ): one per municipality and challenge.
CREATE TABLE challenge_endorsements (
    id INTEGER PRIMARY KEY,
    challenge_id INTEGER NOT NULL REFERENCES challenges(id),
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
    burden_hours INTEGER NOT NULL CHECK (burden_hours BETWEEN 0 AND 5000),
    note TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (challenge_id, organisation_id)
);

-- Questions and answers between the municipality and coordinators.
CREATE TABLE challenge_comments (
    id INTEGER PRIMARY KEY,
    challenge_id INTEGER NOT NULL REFERENCES challenges(id),
    person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX challenge_comments_challenge ON challenge_comments(challenge_id, id);

-- Files that belong to the challenge (the municipality's), not to the
-- person who uploaded them: erasing that person keeps them.
CREATE TABLE challenge_attachments (
    id INTEGER PRIMARY KEY,
    challenge_id INTEGER NOT NULL REFERENCES challenges(id),
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    uploaded_by INTEGER REFERENCES people(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX challenge_attachments_challenge ON challenge_attachments(challenge_id);

-- Follows of a challenge or of a municipality's challenges.
CREATE TABLE board_follows (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    challenge_id INTEGER REFERENCES challenges(id),
    organisation_id INTEGER REFERENCES organisations(id),
    created_at INTEGER NOT NULL,
    CHECK ((challenge_id IS NULL) <> (organisation_id IS NULL))
);
CREATE UNIQUE INDEX board_follows_challenge ON board_follows(challenge_id, person_id) WHERE challenge_id IS NOT NULL;
CREATE UNIQUE INDEX board_follows_organisation ON board_follows(organisation_id, person_id) WHERE organisation_id IS NOT NULL;
CREATE INDEX board_follows_person ON board_follows(person_id);

-- What happened to what a person follows, until the digest sends it.
CREATE TABLE board_notices (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    challenge_id INTEGER NOT NULL REFERENCES challenges(id),
    -- created, moved, endorsed, commented, merged, split
    kind TEXT NOT NULL,
    detail TEXT,
    created_at INTEGER NOT NULL,
    sent_at INTEGER
);
CREATE INDEX board_notices_unsent ON board_notices(sent_at, person_id);

-- Open311 API keys, one jurisdiction (municipality) each; only a hash is kept.
CREATE TABLE open311_keys (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    jurisdiction_id TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    created_by INTEGER REFERENCES people(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX open311_keys_partnership ON open311_keys(partnership_id);

-- On-site issues (service requests) that arrived through Open311.
CREATE TABLE site_reports (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    jurisdiction_id TEXT NOT NULL,
    key_id INTEGER NOT NULL REFERENCES open311_keys(id),
    service_code TEXT NOT NULL,
    description TEXT,
    lat REAL,
    lon REAL,
    address TEXT,
    address_id TEXT,
    zipcode TEXT,
    media_url TEXT,
    device_id TEXT,
    -- The reporter's contact, to answer them about this report only; erased
    -- when the report is closed.
    contact_email TEXT,
    contact_name TEXT,
    contact_phone TEXT,
    -- The service definition's answers, as a JSON object.
    attributes TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    status_notes TEXT,
    challenge_id INTEGER REFERENCES challenges(id),
    requested_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX site_reports_jurisdiction ON site_reports(jurisdiction_id, requested_at);
CREATE INDEX site_reports_partnership ON site_reports(partnership_id, status, requested_at);
CREATE INDEX site_reports_challenge ON site_reports(challenge_id);
