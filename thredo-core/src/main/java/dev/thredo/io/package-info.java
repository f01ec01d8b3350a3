/**
 * Cancellable, timeout-aware stream I/O over TCP sockets: thredo's {@code Socket} and
 * {@code SocketStream}.
 *
 * <pre>{@code
 * try (ThredoSocket socket = ThredoSocket.connect("example.org", 80)) {
 *     SocketStream s = socket.stream();
 *     s.write("HEAD / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
 *     byte[] reply = Thredo.timeoutAfter(Duration.ofSeconds(5), s::readAll);
 * }
 * }</pre>
 *
 * <ul>
 * <li>{@link dev.thredo.io.ThredoSocket}: connect (name lookup included), addresses, options, close.</li>
 * <li>{@link dev.thredo.io.ThredoServerSocket}: bind and accept.</li>
 * <li>{@link dev.thredo.io.SocketStream}: read, readLine, readExactly, readAll, readLines, lines,
 *     write, writeLines; {@code InputStream}/{@code OutputStream} views.</li>
 * <li>{@link dev.thredo.io.PartialProgress}: what a cancelled, timed-out or failed operation had done.</li>
 * </ul>
 *
 * <h2>The rules</h2>
 * <ul>
 * <li><b>Delivery points.</b> An operation first does what it can without waiting; only when it must
 *     wait (no data, no room in the socket, no connection yet) is it a delivery point, where a
 *     cancellation arrives as {@link dev.thredo.ThreadCancelled} and an expired
 *     {@code Thredo.timeoutAfter} deadline as {@link dev.thredo.ThreadTimeout}. Cancellation is
 *     level-triggered: after one, every later wait throws again.</li>
 * <li><b>Virtual and platform threads.</b> Sockets are non-blocking and waits select with a timeout
 *     up to the thread's deadline, so both kinds of thread are cancelled and timed out the same way,
 *     and a cancellation never closes the socket behind the caller's back (as the JDK's interruptible
 *     socket calls do on virtual threads). Outside thredo threads, an interrupt ends a wait with
 *     {@code ThreadCancelled}.</li>
 * <li><b>Nothing is lost.</b> Every byte taken from the socket is returned, or carried by the
 *     exception as {@link dev.thredo.io.PartialProgress}, or still buffered for the next read;
 *     a cancelled write reports exactly how many bytes the peer will receive. See
 *     {@link dev.thredo.io.SocketStream}.</li>
 * <li><b>Name lookups</b> cannot be interrupted in the JDK; a cancelled {@code connect} abandons its
 *     lookup to a helper thread instead of waiting for it.</li>
 * </ul>
 *
 * <p>Cost: a socket keeps one {@link java.nio.channels.Selector} (two file descriptors) once it has
 * waited, and one more while a reader and a writer wait at the same time; closing the socket
 * releases them. Before JDK 25, a <em>virtual</em> thread waiting in {@code Selector.select} pins
 * its carrier thread (the JDK compensates with extra carriers, up to
 * {@code jdk.virtualThreadScheduler.maxPoolSize}); from JDK 25 it unmounts like any blocking call.
 */
package dev.thredo.io;
