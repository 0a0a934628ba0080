-- Collective challenges: a goal the whole PR corps works towards by a deadline.
CREATE TABLE collective_challenges (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    title TEXT NOT NULL,
    -- NULL counts every kind of entry.
    kind TEXT,
    goal INTEGER NOT NULL CHECK (goal > 0),
    starts_on TEXT NOT NULL,
    deadline TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX collective_challenges_partnership ON collective_challenges(partnership_id, deadline);
