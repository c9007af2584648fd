-- An address held in one tenant can also be a member (who never signs in) of another tenant, so that adding it
-- reveals nothing: the address is unique among accounts with a password, which the write side guarantees.
DROP INDEX ux_users_email;
CREATE INDEX ix_users_email ON users (email);
