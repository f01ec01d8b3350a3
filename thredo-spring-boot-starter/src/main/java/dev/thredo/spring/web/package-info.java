/**
 * Spring MVC request scope: each request runs as a thredo thread named {@code "<METHOD> <path>"}
 * with a request-scoped {@link dev.thredo.ThredoGroup}; cancelled or timed-out requests answer 503
 * with an RFC 9457 problem body. On embedded Tomcat (HTTP/1.1, NIO), a request whose client
 * disconnects is cancelled too: {@link dev.thredo.spring.web.ThredoHttp11NioProtocol} exposes the
 * connection to the request filter, and one watcher thread per application watches the connections of
 * requests older than a tick ({@code thredo.web.cancel-on-disconnect}). Spring MVC's async handlers
 * ({@code Callable}, {@code WebAsyncTask}, {@code DeferredResult}, {@code CompletableFuture}) go on as
 * the request's async thread, in its group, under its deadline ({@link dev.thredo.spring.web.AsyncRequest}).
 */
package dev.thredo.spring.web;
