/** The Zoho products the mediator reads and writes, and the Books entities it works on. */

/** CRM and Desk since the first slice; Creator (REST API v2.1) and Books (REST API v3) beside them. */
export const ZOHO_PRODUCTS = ["crm", "desk", "creator", "books"] as const;
export type ZohoProduct = (typeof ZOHO_PRODUCTS)[number];

/** The Books entities a use case may read and write (the paths' plural names). */
export const BOOKS_ENTITIES = ["contacts", "invoices", "estimates", "salesorders"] as const;
export type BooksEntity = (typeof BOOKS_ENTITIES)[number];
