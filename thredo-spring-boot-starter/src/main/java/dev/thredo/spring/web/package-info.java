/**
 * Spring MVC request scope: each request runs as a thredo thread named {@code "<METHOD> <path>"}
 * with a request-scoped {@link dev.thredo.ThredoGroup}; cancelled or timed-out requests answer 503
 * with an RFC 9457 problem body. On embedded Tomcat (HTTP/1.1, NIO), a request whose client
 * disconnects is cancelled too: {@link dev.thredo.spring.web.ThredoHttp11NioProtocol} exposes the
 * connection to the request filter, and one watcher thread per application watches the connections of
 * requests older than a tick ({@code thredo.web.cancel-on-disconnect}).
 */
package dev.thredo.spring.web;
