-- Keys are looked up by their user (to list them, to count them against
-- the 2-key limit, to refuse deleting a user who has some). The owner
-- index leads with the account and cannot serve those queries, which
-- scanned every key. (Statements are split on semicolons: none in comments.)
CREATE INDEX access_keys_user ON access_keys (user_id);
