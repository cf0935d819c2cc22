export { prepareQuery, type PreparedQuery } from "./prepare-query.js";
