-- An e-mail may carry one calendar file (invite.ics) beside its text.
ALTER TABLE outbox ADD COLUMN calendar TEXT;
-- The day-before reminder is sent once.
ALTER TABLE registrations ADD COLUMN reminded_at INTEGER;
CREATE INDEX registrations_reminders ON registrations(status, reminded_at);

-- Personal calendar feeds: a secret URL (stored as its hash) that lists the
-- events a person is registered for; revoking deletes the row.
CREATE TABLE calendar_feeds (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);
CREATE INDEX calendar_feeds_person ON calendar_feeds(person_id);
