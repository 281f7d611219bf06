-- Secrets every node of the cluster shares, made once by the first node that
-- needs one (io.actorkv.node.JournalDatabase.secret).
CREATE TABLE "actorkv_secret" (
  "name" VARCHAR(64) PRIMARY KEY,
  "secret" VARBINARY(256) NOT NULL
);

-- Room for a namespace's incarnation in persistence ids: kv|<name>~<n>|<key>.
ALTER TABLE "event_journal" ALTER COLUMN "persistence_id" SET DATA TYPE VARCHAR(1200);
ALTER TABLE "snapshot" ALTER COLUMN "persistence_id" SET DATA TYPE VARCHAR(1200);
