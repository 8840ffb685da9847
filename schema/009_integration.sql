-- 009_integration: one privacy setting for online status and last seen.
-- 004_profiles added users.privacy (everyone | contacts | nobody, edited on
-- the preferences page and by PATCH /api/me); 005_readstate added
-- users.presence (everyone | nobody, edited on /settings/privacy). Both
-- meant "who sees my online status"; users.privacy stays (it is the richer
-- one, and part of the "me" object), taking the stricter of the two, and
-- users.presence goes. "contacts" means people who share a chat with me.
UPDATE users SET privacy = 'nobody' WHERE presence = 'nobody';
ALTER TABLE users DROP COLUMN presence;
