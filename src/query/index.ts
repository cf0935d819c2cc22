export { prepareQuery, type PreparedQuery } from "./prepare-query.js";
export { paginate, type Page, type PaginateOptions } from "./paginate.js";
export { paginateByKey, type KeysetPage, type KeysetOptions } from "./paginate-by-key.js";
