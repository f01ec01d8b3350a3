package dev.thredo.spring.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.coyote.http11.Http11Nio2Protocol;
import org.junit.jupiter.api.Test;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;

class ThredoTomcatProtocolCustomizerTest {

    private final ThredoTomcatProtocolCustomizer customizer = new ThredoTomcatProtocolCustomizer();

    @Test
    void replacesTomcatsDefaultProtocol() {
        TomcatServletWebServerFactory factory = new TomcatServletWebServerFactory();

        customizer.customize(factory);

        assertThat(factory.getProtocol()).isEqualTo(ThredoHttp11NioProtocol.class.getName());
    }

    @Test
    void leavesAProtocolTheApplicationChoseAlone() {
        TomcatServletWebServerFactory factory = new TomcatServletWebServerFactory();
        factory.setProtocol(Http11Nio2Protocol.class.getName());

        customizer.customize(factory);

        assertThat(factory.getProtocol()).isEqualTo(Http11Nio2Protocol.class.getName());
    }
}
