-- One delivery at a time per channel, article and language. A delivery takes the lease on its
-- placement row (holder, until lease_until) before its connector is called and reads the state
-- under it; recording the attempt writes the state and frees the lease in one transaction. Two
-- deliveries in flight together (an old one retrying beside a correction, a withdrawal beside a
-- publish) would otherwise each read "no post yet" and each make one. The lease expires, so a
-- killed worker's is taken over. A row whose state is '' was leased before the channel held
-- anything of the article in that language.
ALTER TABLE channel_placements ADD COLUMN holder INTEGER;
ALTER TABLE channel_placements ADD COLUMN lease_until TIMESTAMP;
