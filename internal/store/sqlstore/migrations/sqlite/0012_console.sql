-- When each user's console password last signed it in (Unix
-- milliseconds, NULL for never). Kept on the user, as AWS keeps
-- PasswordLastUsed after the password is removed.
ALTER TABLE users ADD COLUMN password_last_used INTEGER;
-- A key deactivated by a quarantine rule: when (Unix milliseconds, NULL
-- for a key not quarantined) and why. Any later status change clears both.
ALTER TABLE access_keys ADD COLUMN quarantined_at INTEGER;
ALTER TABLE access_keys ADD COLUMN quarantine_reason TEXT NOT NULL DEFAULT '';
