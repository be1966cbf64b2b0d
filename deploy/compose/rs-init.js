// Run by the mongo-init service of deploy/compose.yaml on every start:
// initiates the replica set rs0 once, then makes (or updates) the user the
// API connects as. Idempotent. Passwords come from the environment.
const members = ["mongo1:27017", "mongo2:27017", "mongo3:27017"];

// Connected to mongo1 directly: before rs.initiate there is no replica set
// to connect to. Only mongo1 has the root user (see compose.yaml).
db.getSiblingDB("admin").auth("root", process.env.MONGO_ROOT_PASSWORD);
try {
  rs.status();
  print("mongo-init: rs0 is already initiated");
} catch (e) {
  if (e.codeName !== "NotYetInitialized") throw e;
  rs.initiate({
    _id: "rs0",
    // mongo1 is preferred as primary, so that the first election settles
    // where the root user already is.
    members: members.map((host, i) => ({ _id: i, host, priority: i === 0 ? 2 : 1 })),
  });
  print("mongo-init: initiated rs0 with " + members.join(", "));
}

// Users are written on the primary, wherever it is now.
const set = new Mongo("mongodb://" + members.join(",") + "/?replicaSet=rs0&serverSelectionTimeoutMS=60000");
const admin = set.getDB("admin");
admin.auth("root", process.env.MONGO_ROOT_PASSWORD);
const roles = [{ role: "readWrite", db: "veikart" }];
if (admin.getUser("veikart")) {
  admin.updateUser("veikart", { pwd: process.env.MONGO_VEIKART_PASSWORD, roles });
  print("mongo-init: updated the user veikart");
} else {
  admin.createUser({ user: "veikart", pwd: process.env.MONGO_VEIKART_PASSWORD, roles });
  print("mongo-init: created the user veikart");
}
