package dev.thredo.spring.web;

import java.io.IOException;
import org.apache.coyote.Processor;
import org.apache.coyote.http11.Http11NioProtocol;
import org.apache.coyote.http11.Http11Processor;
import org.apache.tomcat.util.net.AbstractEndpoint.Handler.SocketState;
import org.apache.tomcat.util.net.SocketWrapperBase;

/**
 * Tomcat's default HTTP/1.1 NIO connector protocol, unchanged except that while a processor serves
 * a connection, the serving thread can see that connection's socket: {@link #currentSocket()}.
 * {@link ThredoRequestFilter} needs it to notice that a request's client has disconnected; the
 * Servlet API gives no access to the connection, and Tomcat keeps it in a protected field of its
 * processor, so the processor is subclassed instead of opened by reflection.
 *
 * <p>Installed by {@link ThredoWebMvcAutoConfiguration} (through {@code server.tomcat}'s factory) only
 * when the connector would otherwise use the default {@link Http11NioProtocol}, and only with
 * {@code thredo.web.cancel-on-disconnect=true}. Requests served by other processors (HTTP/2 streams,
 * upgraded connections) have no current socket and are not watched.
 */
public class ThredoHttp11NioProtocol extends Http11NioProtocol {

    /** The socket of the connection the current thread is serving, while {@code service} runs. */
    private static final ThreadLocal<SocketWrapperBase<?>> SERVING = new ThreadLocal<>();

    /** Public and without arguments: Tomcat creates the protocol from its class name. */
    public ThredoHttp11NioProtocol() {
    }

    /**
     * The socket of the HTTP/1.1 connection the calling thread is serving right now, or {@code null}
     * if the thread is not inside this protocol's request processing.
     */
    static SocketWrapperBase<?> currentSocket() {
        return SERVING.get();
    }

    @Override
    protected Processor createProcessor() {
        return new SocketExposingProcessor(this);
    }

    /** Publishes the socket to the serving thread for as long as it serves the connection's requests. */
    private static final class SocketExposingProcessor extends Http11Processor {

        SocketExposingProcessor(ThredoHttp11NioProtocol protocol) {
            super(protocol, protocol.getAdapter());
        }

        @Override
        public SocketState service(SocketWrapperBase<?> socketWrapper) throws IOException {
            SERVING.set(socketWrapper);
            try {
                return super.service(socketWrapper);
            } finally {
                SERVING.remove(); // a pooled thread must not keep a closed connection reachable
            }
        }
    }
}
