-- 0021 (PostgreSQL's 0023): the connections to a mailbox provider each process holds for an identity, out of that
-- provider's concurrency (see ports/delivery-shares.ts ProviderSlotRepo). One process per SQLite file: kept for one contract.
CREATE TABLE provider_slots (
  identity_id TEXT NOT NULL,
  provider    TEXT NOT NULL,
  owner       TEXT NOT NULL,
  held        INTEGER NOT NULL,
  wanted      INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  PRIMARY KEY (identity_id, provider, owner)
);
CREATE INDEX provider_slots_owner ON provider_slots (owner);
