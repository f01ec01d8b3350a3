package dev.thredo.spring.web;

import org.apache.coyote.http11.Http11NioProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.tomcat.TomcatWebServerFactory;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;

/**
 * Switches Tomcat's main connector from {@link Http11NioProtocol} to its subclass
 * {@link ThredoHttp11NioProtocol}, which lets {@link ThredoRequestFilter} see a request's connection
 * and so notice a client disconnect. Runs last among the factory customizers, so it sees the
 * protocol the application chose: any protocol other than Tomcat's default is left alone and one
 * warning says that disconnects are not detected. Additional connectors are not changed.
 */
class ThredoTomcatProtocolCustomizer implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

    private static final Logger log = LoggerFactory.getLogger(ThredoTomcatProtocolCustomizer.class);

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        String protocol = factory.getProtocol();
        if (TomcatWebServerFactory.DEFAULT_PROTOCOL.equals(protocol)
                || Http11NioProtocol.class.getName().equals(protocol)) {
            factory.setProtocol(ThredoHttp11NioProtocol.class.getName());
        } else if (!ThredoHttp11NioProtocol.class.getName().equals(protocol)) {
            log.warn("thredo.web.cancel-on-disconnect: the Tomcat connector uses {}, not {}; client disconnects "
                    + "are not detected (set thredo.web.cancel-on-disconnect=false to silence this)", protocol,
                    Http11NioProtocol.class.getName());
            return;
        }
        if (factory.getHttp2() != null && factory.getHttp2().isEnabled()) {
            log.info("thredo.web.cancel-on-disconnect covers HTTP/1.1 requests only; HTTP/2 streams are not watched");
        }
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
