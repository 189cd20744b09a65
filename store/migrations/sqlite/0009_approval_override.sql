-- An approval of a version with open issues (untranslated or empty segments) is an override:
-- the reviewer's reason, and the issues approved anyway as JSON ([{"segment": "p1.s2", "kind":
-- "untranslated"}]), so the history shows who published what unfinished and why. Both are ''
-- for every other decision.
ALTER TABLE review_events ADD COLUMN override_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE review_events ADD COLUMN override_issues TEXT NOT NULL DEFAULT '';
