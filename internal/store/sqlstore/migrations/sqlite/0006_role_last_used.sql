-- When and where each role was last used: assumed, or acting through a
-- session. Written in coalesced batches, as access keys' last use is.
-- (Statements are split on semicolons: none in comments.)
ALTER TABLE roles ADD COLUMN last_used_at INTEGER;
ALTER TABLE roles ADD COLUMN last_used_region TEXT NOT NULL DEFAULT '';
