// Shards Veikart's collections on a MongoDB sharded cluster. Run it once with
// mongosh against a mongos, after the first `veikart serve` has created the
// collections and their indexes (EnsureSchema), before the data grows:
//
//   VEIKART_DB=veikart mongosh "mongodb://mongos.example:27017/admin" deploy/mongo/shard.js
//
// Every hot path reads and writes one document by _id (a roadmap, a session,
// an access-log entry "<roadmap>/<seq>", a reminder job), so a hashed _id
// spreads the load evenly and routes each of those to exactly one shard.
// Queries on other fields (a person's sessions at sign-out everywhere,
// erasure's clean-up by prefix) are rare and go to every shard; their
// secondary indexes exist on every shard. backend/storage's tests fail when a
// collection is added without a decision here.
const name = process.env.VEIKART_DB || 'veikart';
const target = db.getSiblingDB(name);

// Large, growing with households and use: sharded on a hashed _id.
const hashed = [
  'roadmaps', 'access_log', 'users', 'sessions', 'push_subscriptions',
  'reminder_jobs', 'reminder_claims', 'invitations', 'once',
  'passkeys', 'passkey_users', 'enrolments', 'conversations', 'calendar_feeds', 'reviews',
  'checkins', // a document per roadmap and year of check-ins
];

// Small (one document per agency, per minute or per erasure under way, per
// quarter and municipality of blocker reports, per published quarter, and
// readiness's one write probe):
// left unsharded on the primary shard.
const unsharded = ['agencies', 'agency_roadmaps', 'agency_notices', 'message_inbox', 'reminder_slots', 'erasures', 'health_probe',
  'blocker_reports', 'blocker_counts'];

sh.enableSharding(name);
for (const c of hashed) {
  const ns = `${name}.${c}`;
  if (target.getCollectionInfos({ name: c }).length === 0) {
    throw new Error(`${ns} does not exist: start veikart once first, so that it creates collections and indexes`);
  }
  sh.shardCollection(ns, { _id: 'hashed' });
  print(`sharded ${ns} on { _id: "hashed" }`);
}
print(`left unsharded: ${unsharded.join(', ')}`);
