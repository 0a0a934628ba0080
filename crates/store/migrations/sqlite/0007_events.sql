-- Events: dialogue sessions (対話会), tours, workations, product fairs,
-- volunteer shifts, inquiry-learning sessions. Times are Unix seconds (UTC).

-- Repeating events share a series; each occurrence is an event of its own.
CREATE TABLE event_series (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    title TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    organiser_id INTEGER NOT NULL REFERENCES organisations(id),
    series_id INTEGER REFERENCES event_series(id),
    -- A shift or slot within another event: own times and places.
    parent_id INTEGER REFERENCES events(id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    title_en TEXT,
    description TEXT NOT NULL DEFAULT '',
    description_en TEXT,
    pillar_key TEXT,
    municipality_code TEXT REFERENCES municipalities(code),
    venue TEXT,
    address TEXT,
    online_url TEXT,
    starts_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL,
    -- NULL: no limit. Seats count people: a registrant and their guests.
    capacity INTEGER,
    seats_taken INTEGER NOT NULL DEFAULT 0,
    registration_opens_at INTEGER,
    registration_closes_at INTEGER,
    needs_approval INTEGER NOT NULL DEFAULT 0,
    -- public | partnership | organisation
    visibility TEXT NOT NULL,
    -- How long a waitlist offer stays open.
    offer_hours INTEGER NOT NULL DEFAULT 24,
    -- scheduled | cancelled
    status TEXT NOT NULL DEFAULT 'scheduled',
    created_by INTEGER REFERENCES people(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK (ends_at > starts_at),
    CHECK (seats_taken >= 0),
    -- The last guard against overbooking: whatever the code does, the
    -- database refuses more seats than places (and a capacity below them).
    CHECK (capacity IS NULL OR seats_taken <= capacity)
);
CREATE INDEX events_partnership_start ON events(partnership_id, starts_at);
CREATE INDEX events_start ON events(starts_at, id);
-- Top-level events (shifts have a parent) in time order: the event list.
CREATE INDEX events_parent_start ON events(parent_id, starts_at, id);

-- Questions an organiser asks at registration; answers live on the registration.
CREATE TABLE event_questions (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    label TEXT NOT NULL,
    -- text | choice
    kind TEXT NOT NULL,
    -- For choice questions, one choice per line.
    choices TEXT NOT NULL DEFAULT '',
    required INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX event_questions_event ON event_questions(event_id, position);

CREATE TABLE registrations (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    -- confirmed | waitlisted | offered | pending | cancelled | declined | expired | rejected
    status TEXT NOT NULL,
    guests INTEGER NOT NULL DEFAULT 0 CHECK (guests >= 0),
    -- Seats held now: 1 + guests while confirmed or offered, else 0.
    seats INTEGER NOT NULL DEFAULT 0,
    -- The short code in the QR code and typed at check-in.
    code TEXT NOT NULL UNIQUE,
    -- JSON object: question id → answer.
    answers TEXT NOT NULL DEFAULT '{}',
    -- Place in the waitlist: the time of joining it.
    queued_at INTEGER NOT NULL,
    offer_expires_at INTEGER,
    checked_in_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (event_id, person_id)
);
CREATE INDEX registrations_queue ON registrations(event_id, status, queued_at, id);
CREATE INDEX registrations_person ON registrations(person_id, status);
CREATE INDEX registrations_offers ON registrations(status, offer_expires_at);

-- Every change of a registration's status: who, when, why.
CREATE TABLE registration_history (
    id INTEGER PRIMARY KEY,
    registration_id INTEGER NOT NULL REFERENCES registrations(id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    actor_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
    note TEXT,
    at INTEGER NOT NULL
);
CREATE INDEX registration_history_registration ON registration_history(registration_id, id);
