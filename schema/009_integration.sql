-- 009_integration: one privacy setting for online status and last seen.
-- 004_profiles added users.privacy (everyone | contacts | nobody, edited on
-- the preferences page and by PATCH /api/me); 005_readstate added
-- users.presence (everyone | nobody, edited on /settings/privacy). Both
-- meant "who sees my online status"; users.privacy is the one the code
-- reads from now on (it is the richer one, and part of the "me" object),
-- taking the stricter of the two. users.presence is no longer read or
-- written; it stays for a rolling upgrade (the previous version reads it)
-- and is dropped by a later migration marked "messly: contract".
UPDATE users SET privacy = 'nobody' WHERE presence = 'nobody' AND privacy <> 'nobody';
COMMENT ON COLUMN users.presence IS 'unused since 009_integration (see users.privacy); to be dropped';
