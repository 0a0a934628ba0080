-- After an event: a participant's short feedback, once per registration.
CREATE TABLE event_feedback (
    registration_id INTEGER PRIMARY KEY REFERENCES registrations(id) ON DELETE CASCADE,
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX event_feedback_event ON event_feedback(event_id);
