/**
 * Spring MVC request scope: each request runs as a thredo thread named {@code "<METHOD> <path>"}
 * with a request-scoped {@link dev.thredo.ThredoGroup}; cancelled or timed-out requests answer 503
 * with an RFC 9457 problem body.
 */
package dev.thredo.spring.web;
