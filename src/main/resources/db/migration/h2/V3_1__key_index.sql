-- The key index: each strong key's latest live state, fed from the journal
-- in ordering order (io.actorkv.audit.JournalKeyIndex), for listings in byte
-- order (H2 compares VARBINARY unsigned). applied_through is the journal
-- offset the index holds every change up to; it moves in the same
-- transaction as the rows.
CREATE TABLE "actorkv_key_index" (
  "ns" VARCHAR(100) NOT NULL,
  "key_bytes" VARBINARY(1024) NOT NULL,
  "revision" BIGINT NOT NULL,
  "content_type" VARCHAR NOT NULL,
  "value_size" INTEGER NOT NULL,
  "modified_at" BIGINT NOT NULL,
  "expires_at" BIGINT,
  "counter" BOOLEAN NOT NULL,
  "value_bytes" BLOB NOT NULL,
  PRIMARY KEY ("ns", "key_bytes")
);

CREATE TABLE "actorkv_key_index_offset" (
  "id" INTEGER PRIMARY KEY,
  "applied_through" BIGINT NOT NULL
);

INSERT INTO "actorkv_key_index_offset" ("id", "applied_through") VALUES (1, 0);
