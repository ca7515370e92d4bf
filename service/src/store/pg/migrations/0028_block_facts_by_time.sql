-- 0028: block facts by time (SQLite's 0024). A block reported by a DSN slows or pauses a provider for the identity
-- only once several addresses reported one lately (a recipient can forge a DSN to their own VERP address); that
-- count reads the recent blocks alone, not every fact ever recorded. Blocks are few: the index is small.
CREATE INDEX engagement_facts_blocks ON engagement_facts (at) WHERE fact = 'block';
