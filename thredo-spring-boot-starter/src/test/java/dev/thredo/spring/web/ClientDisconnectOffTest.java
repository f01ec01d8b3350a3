package dev.thredo.spring.web;

import static dev.thredo.testing.KernelPolling.awaitThread;
import static org.assertj.core.api.Assertions.assertThat;

import dev.thredo.Kernel;
import dev.thredo.testing.KernelPolling;
import dev.thredo.testing.RawHttp;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.coyote.http11.Http11NioProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContext;

/** With {@code thredo.web.cancel-on-disconnect=false} nothing of the feature exists, and a leaving client's request runs to its end. */
@SpringBootTest(classes = DisconnectTestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "thredo.web.cancel-on-disconnect=false")
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ClientDisconnectOffTest {

    @LocalServerPort
    int port;

    @Autowired
    Kernel kernel;

    @Autowired
    ApplicationContext context;

    @Autowired
    MeterRegistry registry;

    @Autowired
    DisconnectTestApp.DisconnectController controller;

    @Test
    void noWatcherNoProtocolChangeNoMeter() {
        assertThat(context.getBeansOfType(ClientDisconnects.class)).isEmpty();
        assertThat(context.getBeansOfType(ThredoTomcatProtocolCustomizer.class)).isEmpty();
        TomcatWebServer server = (TomcatWebServer) ((WebServerApplicationContext) context).getWebServer();
        assertThat(server.getTomcat().getConnector().getProtocolHandler().getClass()).isEqualTo(Http11NioProtocol.class);
        assertThat(registry.find("thredo.web.disconnects").meter()).isNull();
    }

    @Test
    void aClientThatLeavesDoesNotCancelItsRequest() throws Exception {
        int completed = controller.completed.get();
        RawHttp client = RawHttp.connect(port).send(RawHttp.get("/slow?ms=2000"));
        long id = awaitThread(kernel, t -> t.name().equals("GET /slow")).id();
        long closed = System.nanoTime();
        client.close();
        // Ten times longer than a watched disconnect takes to cancel (see ClientDisconnectTest).
        Thread.sleep(TomcatClientDisconnects.TICK_MILLIS * 10);

        assertThat(kernel.thread(id)).as("the request still runs after its client left").isPresent();
        KernelPolling.awaitGone(kernel, id, closed);
        assertThat(controller.completed.get()).as("the request ran to its end").isEqualTo(completed + 1);
    }
}
