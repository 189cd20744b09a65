-- The reviewers' decisions on translation versions, for the history page: who approved or
-- rejected which version, when, and why. Versions say who wrote them; this says who judged them.
CREATE TABLE review_events (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	article_id INTEGER NOT NULL,
	lang       TEXT NOT NULL,
	version    INTEGER NOT NULL,
	actor      TEXT NOT NULL,
	action     TEXT NOT NULL CHECK (action IN ('approved', 'rejected')),
	comment    TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	FOREIGN KEY (article_id, lang, version) REFERENCES versions (article_id, lang, number)
);
CREATE INDEX review_events_translation ON review_events (article_id, lang, id);
