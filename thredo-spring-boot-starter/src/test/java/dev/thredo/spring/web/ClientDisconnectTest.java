package dev.thredo.spring.web;

import static dev.thredo.testing.KernelPolling.awaitThread;
import static dev.thredo.testing.Polling.until;
import static org.assertj.core.api.Assertions.assertThat;

import dev.thredo.Kernel;
import dev.thredo.Outcome;
import dev.thredo.testing.Disconnects;
import dev.thredo.testing.RawHttp;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;

/**
 * Client-disconnect cancellation over real loopback sockets: a client that leaves gets its request
 * and the request's group cancelled; clients that stay (slow, pipelining, keep-alive, sending a body)
 * are not touched.
 */
@SpringBootTest(classes = DisconnectTestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ClientDisconnectTest {

    private static final long ONE_SECOND = TimeUnit.SECONDS.toNanos(1);

    @LocalServerPort
    int port;

    @Autowired
    Kernel kernel;

    @Autowired
    MeterRegistry registry;

    @Autowired
    DisconnectTestApp.DisconnectController controller;

    @Autowired
    WebServerApplicationContext context;

    @Test
    void theConnectorRunsThredosProtocol() {
        TomcatWebServer server = (TomcatWebServer) context.getWebServer();
        assertThat(server.getTomcat().getConnector().getProtocolHandler()).isInstanceOf(ThredoHttp11NioProtocol.class);
    }

    @Test
    void aClientThatLeavesHasItsRequestAndTheRequestsGroupCancelledWithinASecond() throws Exception {
        List<Long> latencies = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            double before = Disconnects.count(registry);
            RawHttp client = RawHttp.connect(port).send(RawHttp.get("/block"));
            until("the member is spawned", () -> controller.lastMember.get() != null
                    && controller.lastMember.get().name().equals("member") && !controller.lastMember.get().isDone());
            long nanos = client.closeAndTimeUntilGone(kernel, "GET /block");
            latencies.add(nanos);

            assertThat(nanos).as("close → request thread gone").isLessThan(ONE_SECOND);
            assertThat(controller.lastMember.getAndSet(null).outcome()).isEqualTo(Outcome.CANCELLED);
            assertThat(Disconnects.count(registry)).isEqualTo(before + 1);
        }
        System.out.println("close → request thread gone (ms): "
                + latencies.stream().map(n -> String.format("%.1f", n / 1e6)).toList());
    }

    @Test
    void aClientThatStaysGetsItsAnswer() throws Exception {
        double before = Disconnects.count(registry);
        try (RawHttp client = RawHttp.connect(port)) {
            RawHttp.Response response = client.send(RawHttp.get("/slow?ms=400")).read(1).get(0);

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("slept 400");
        }
        assertThat(Disconnects.count(registry)).isEqualTo(before);
    }

    @Test
    void aPipeliningClientIsAnsweredInOrderAndNotCancelled() throws Exception {
        double before = Disconnects.count(registry);
        try (RawHttp client = RawHttp.connect(port)) {
            // The second request arrives while the first one is watched: its bytes must stay for Tomcat.
            List<RawHttp.Response> responses = client
                    .send(RawHttp.get("/slow?ms=400") + RawHttp.get("/slow?ms=300") + RawHttp.get("/fast"))
                    .read(3);

            assertThat(responses).extracting(RawHttp.Response::status).containsExactly(200, 200, 200);
            assertThat(responses).extracting(RawHttp.Response::body).containsExactly("slept 400", "slept 300", "fast");
        }
        assertThat(Disconnects.count(registry)).isEqualTo(before);
    }

    @Test
    void aPipelinedRequestSentWhileTheFirstIsWatchedIsServed() throws Exception {
        double before = Disconnects.count(registry);
        try (RawHttp client = RawHttp.connect(port)) {
            client.send(RawHttp.get("/slow?ms=600"));
            awaitThread(kernel, t -> t.name().equals("GET /slow"));
            Thread.sleep(TomcatClientDisconnects.TICK_MILLIS * 4); // registered within two ticks; two more of slack
            List<RawHttp.Response> responses = client.send(RawHttp.get("/fast")).read(2);

            assertThat(responses).extracting(RawHttp.Response::body).containsExactly("slept 600", "fast");
        }
        assertThat(Disconnects.count(registry)).isEqualTo(before);
    }

    @Test
    void aKeepAliveConnectionIsWatchedAndReleasedRequestByRequest() throws Exception {
        double before = Disconnects.count(registry);
        try (RawHttp client = RawHttp.connect(port)) {
            for (int i = 0; i < 3; i++) {
                RawHttp.Response response = client.send(RawHttp.get("/slow?ms=200")).read(1).get(0);
                assertThat(response.body()).isEqualTo("slept 200");
            }
        }
        assertThat(Disconnects.count(registry)).isEqualTo(before);
    }

    @Test
    void aBodyTheHandlerReadsDoesNotCancelItsRequest() throws Exception {
        double before = Disconnects.count(registry);
        String body = "x".repeat(10_000);
        String request = RawHttp.post("/read-slow?ms=300", body);
        int split = request.length() - 5_000;
        try (RawHttp client = RawHttp.connect(port)) {
            client.send(request.substring(0, split)); // headers and half the body: the handler waits for the rest
            awaitThread(kernel, t -> t.name().equals("POST /read-slow"));
            Thread.sleep(TomcatClientDisconnects.TICK_MILLIS * 4); // past the watcher's registration (within two ticks)
            RawHttp.Response response = client.send(request.substring(split)).read(1).get(0);

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("read 10000");
        }
        assertThat(Disconnects.count(registry)).isEqualTo(before);
    }

    @Test
    void aClientThatLeavesAfterItsBodyWasReadHasItsRequestCancelled() throws Exception {
        double before = Disconnects.count(registry);
        int read = controller.bodiesRead.get();
        int completed = controller.completed.get();
        RawHttp client = RawHttp.connect(port).send(RawHttp.post("/read-slow?ms=30000", "hello"));
        until("the handler has read the body", () -> controller.bodiesRead.get() > read);

        long nanos = client.closeAndTimeUntilGone(kernel, "POST /read-slow");

        assertThat(nanos).isLessThan(ONE_SECOND);
        assertThat(Disconnects.count(registry)).isEqualTo(before + 1);
        assertThat(controller.completed.get()).isEqualTo(completed);
    }
}
