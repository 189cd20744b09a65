-- A memory key is a whole normalised sentence, and a btree entry holds at most 2704 bytes: a
-- long enough sentence could not be remembered, and the approval teaching it failed. The memory
-- is unique by the key's md5 instead, which lookups send in place of the sentences. Two keys
-- sharing an md5 (never by chance) cost a memory miss, not a wrong text: a lookup answers by
-- the key it reads back, and an entry's key and text are replaced together.
ALTER TABLE translation_memory DROP CONSTRAINT translation_memory_pkey;
CREATE UNIQUE INDEX translation_memory_key_md5 ON translation_memory (source_lang, target_lang, md5(key));
