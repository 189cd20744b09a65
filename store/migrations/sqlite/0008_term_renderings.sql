-- How each MT engine renders each glossary spelling on its own, per glossary version: the
-- Translator finds the engine's rendering of a term in its sentence and puts the desk's form in
-- its place, and asks the engine once per spelling, engine, language and glossary version.
CREATE TABLE term_renderings (
	provider         TEXT NOT NULL,
	lang             TEXT NOT NULL,
	glossary_version BIGINT NOT NULL,
	source_key       TEXT NOT NULL,
	rendering        TEXT NOT NULL,
	PRIMARY KEY (provider, lang, glossary_version, source_key)
);
