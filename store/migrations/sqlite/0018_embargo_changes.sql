-- Embargo changes and channels without a signing secret. Every change of an article's embargo
-- after its submission (set, moved or lifted; embargo_until NULL for lifted) is kept with who
-- made it and when: an embargo ended early is a decision the desk must be able to account for.
CREATE TABLE embargo_changes (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	article_id    INTEGER NOT NULL REFERENCES articles (id),
	embargo_until TIMESTAMP,
	changed_by    TEXT NOT NULL,
	changed_at    TIMESTAMP NOT NULL
);
CREATE INDEX embargo_changes_article ON embargo_changes (article_id, id);

-- Only webhooks sign what they send; WordPress sites and Telegram channels were issued a
-- secret they never used. '' is "none", as for a deleted subscriber.
UPDATE subscribers SET secret = '', previous_secret = '', previous_until = NULL WHERE kind <> 'webhook';
