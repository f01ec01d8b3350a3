package dev.thredo.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import dev.thredo.Kernel;
import dev.thredo.ThredoThread;
import dev.thredo.Thredo;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;

/** The endpoint without HTTP, as JMX or a direct caller sees it. */
@Timeout(30)
class ThredoEndpointTest {
    private final Kernel kernel = Kernel.create();
    private final ThredoEndpoint endpoint = new ThredoEndpoint(kernel);

    @AfterEach
    void close() {
        kernel.close();
    }

    @Test
    void listsWithTheDefaultLimitWhenNoneIsGiven() {
        for (int i = 0; i < ThredoEndpoint.DEFAULT_LIMIT + 1; i++) {
            kernel.spawn(() -> Thredo.sleep(Duration.ofDays(1)));
        }

        ThredoEndpoint.ThreadsDescriptor listing = endpoint.threads(null, null, null);

        assertThat(listing.threads()).hasSize(ThredoEndpoint.DEFAULT_LIMIT);
        assertThat(listing.truncated()).isTrue();
        assertThat(listing.kernel().live()).isEqualTo(ThredoEndpoint.DEFAULT_LIMIT + 1);
    }

    @Test
    void rejectsAnUnknownStateAndALimitOutOfRange() {
        assertThatExceptionOfType(InvalidEndpointRequestException.class)
                .isThrownBy(() -> endpoint.threads("SLEEPING", null, null));
        assertThatExceptionOfType(InvalidEndpointRequestException.class)
                .isThrownBy(() -> endpoint.threads(null, null, 0));
        assertThatExceptionOfType(InvalidEndpointRequestException.class)
                .isThrownBy(() -> endpoint.threads(null, null, ThredoEndpoint.MAX_LIMIT + 1));
    }

    @Test
    void answersNullForAnUnknownThread() {
        assertThat(endpoint.thread(42)).isNull();
        assertThat(endpoint.cancel(42, ThredoEndpoint.CANCEL)).isNull();
    }

    @Test
    void cancelsOnlyForTheCancelAction() {
        ThredoThread<Void> sleeper = kernel.spawn(() -> Thredo.sleep(Duration.ofDays(1)));

        assertThat(endpoint.cancel(sleeper.id(), "stop")).isNull();
        assertThat(sleeper.isCancelled()).isFalse();
        assertThat(endpoint.cancel(sleeper.id(), ThredoEndpoint.CANCEL)).isNotNull();
        sleeper.await();
        assertThat(sleeper.isCancelled()).isTrue();
    }
}
