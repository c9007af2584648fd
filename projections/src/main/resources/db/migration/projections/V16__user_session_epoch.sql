-- Each deactivation moves a user's session epoch on; sessions (and their tokens) of an earlier epoch are over,
-- even after a reactivation. Users deactivated before this version start at 1, so their existing sessions end.
ALTER TABLE users ADD COLUMN session_epoch INTEGER DEFAULT 0 NOT NULL;
UPDATE users SET session_epoch = 1 WHERE active = FALSE;
