// The read-path benchmark's peer: PostGraphile 5 on Sinergi's own tables (its foreign keys
// give city.projects and project.city), as a team would run it instead of writing a server:
// the Amber preset with simplified names, no GraphiQL, no schema watching.
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { PgSimplifyInflectionPreset } from "@graphile/simplify-inflection";
import { makePgService } from "postgraphile/adaptors/pg";
export default {
  extends: [PostGraphileAmberPreset, PgSimplifyInflectionPreset],
  pgServices: [makePgService({ connectionString: process.env.DATABASE_URL, schemas: ["public"], poolConfig: { max: 32 } })],
  grafserv: { port: Number(process.env.PORT || 5678), host: "127.0.0.1", graphiql: false, watch: false },
  grafast: { explain: false },
};
