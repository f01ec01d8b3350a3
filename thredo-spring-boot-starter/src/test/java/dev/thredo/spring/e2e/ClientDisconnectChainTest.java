package dev.thredo.spring.e2e;

import static dev.thredo.testing.KernelPolling.awaitThread;
import static org.assertj.core.api.Assertions.assertThat;

import dev.thredo.Kernel;
import dev.thredo.testing.Disconnects;
import dev.thredo.testing.KernelPolling;
import dev.thredo.testing.RawHttp;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Client → service A → service B, two application contexts on random ports: when the client leaves
 * A, A's request is cancelled, which aborts its {@code RestClient} call (JDK {@code HttpClient}); B
 * sees its client (A) leave and cancels its own request.
 */
@Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ClientDisconnectChainTest {

    private static final long ONE_SECOND = TimeUnit.SECONDS.toNanos(1);

    private static ConfigurableApplicationContext a;
    private static ConfigurableApplicationContext b;

    @BeforeAll
    static void startServices() {
        b = start("chain-b");
        a = start("chain-a");
    }

    @AfterAll
    static void stopServices() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    private static ConfigurableApplicationContext start(String name) {
        return new SpringApplicationBuilder(ChainApp.class)
                .properties("server.port=0", "spring.application.name=" + name, "spring.main.banner-mode=off")
                .run();
    }

    @Test
    void aClientLeavingACancelsAsRequestAndThenBsRequestWithRestClient() throws Exception {
        chain("/a/call");
    }

    @Test
    void aClientLeavingACancelsAsRequestAndThenBsRequestWithHttpClientSend() throws Exception {
        chain("/a/send");
    }

    private void chain(String pathA) throws Exception {
        Kernel kernelA = a.getBean(Kernel.class);
        Kernel kernelB = b.getBean(Kernel.class);
        List<String> rounds = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            double disconnectsA = disconnects(a);
            double disconnectsB = disconnects(b);
            RawHttp client = RawHttp.connect(port(a)).send(RawHttp.get(pathA + "?port=" + port(b)));
            long idA = awaitThread(kernelA, t -> t.name().equals("GET " + pathA)).id();
            long idB = awaitThread(kernelB, t -> t.name().equals("GET /b/slow")).id();

            long closed = System.nanoTime();
            client.close();
            long goneA = KernelPolling.awaitGone(kernelA, idA, closed);
            long goneB = KernelPolling.awaitGone(kernelB, idB, closed);
            rounds.add(String.format("A %.1f ms, B %.1f ms", goneA / 1e6, goneB / 1e6));

            assertThat(goneA).as("client close → A's request gone").isLessThan(ONE_SECOND);
            assertThat(goneB).as("client close → B's request gone").isLessThan(ONE_SECOND);
            assertThat(disconnects(a)).isEqualTo(disconnectsA + 1);
            assertThat(disconnects(b)).as("B saw A's connection close").isEqualTo(disconnectsB + 1);
        }
        System.out.println(pathA + ": client close → request gone: " + rounds);
    }

    private static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    private static double disconnects(ConfigurableApplicationContext context) {
        return Disconnects.count(context.getBean(MeterRegistry.class));
    }
}
