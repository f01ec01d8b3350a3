package dev.thredo.spring.scope;

import static dev.thredo.testing.KernelPolling.awaitNoThreads;
import static dev.thredo.testing.KernelPolling.awaitThread;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.thredo.Kernel;
import dev.thredo.Outcome;
import dev.thredo.ThreadCancelled;
import dev.thredo.ThreadInfo;
import dev.thredo.ThreadTimeout;
import dev.thredo.Thredo;
import dev.thredo.ThredoGroup;
import dev.thredo.ThredoThread;
import dev.thredo.spring.ThredoAutoConfiguration;
import dev.thredo.spring.ThredoScoped;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.aop.support.AopUtils;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Timeout(30)
class ThredoScopedTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, ThredoAutoConfiguration.class,
                    ThredoScopedAutoConfiguration.class))
            .withUserConfiguration(Beans.class)
            .withPropertyValues("test.scope-timeout=150ms");

    @Test
    void eachCallRunsInItsOwnGroupNamedAfterTheMethod() {
        runner.run(context -> {
            ScopedService service = context.getBean(ScopedService.class);
            Kernel kernel = context.getBean(Kernel.class);
            assertThat(AopUtils.isAopProxy(service)).isTrue();

            // From a thredo thread: the call's group is opened by that thread.
            List<String> inside = kernel.run(() -> {
                String first = service.groupName();
                String second = service.groupName();
                return List.of(first, second, String.valueOf(ThredoGroup.current().isPresent()));
            });
            assertThat(inside).containsExactly("ScopedService.groupName", "ScopedService.groupName", "false");
            awaitNoThreads(kernel);
        });
    }

    @Test
    void theScopeJoinsItsMembersBeforeTheCallReturns() {
        runner.run(context -> {
            ScopedService service = context.getBean(ScopedService.class);
            assertThat(service.spawnTwoAndReturn().get()).isEqualTo(2);
            awaitNoThreads(context.getBean(Kernel.class));
        });
    }

    @Test
    void waitPolicyNoneCancelsWhatIsStillRunning() {
        runner.run(context -> {
            ScopedService service = context.getBean(ScopedService.class);
            ThredoThread<?> member = service.leaveABlockedMember();
            assertThat(member.isDone()).isTrue();
            assertThat(member.outcome()).isEqualTo(Outcome.CANCELLED);
            awaitNoThreads(context.getBean(Kernel.class));
        });
    }

    @Test
    void aTimeoutWithAPlaceholderEndsTheCall() {
        runner.run(context -> {
            ScopedService service = context.getBean(ScopedService.class);
            long start = System.nanoTime();
            assertThatThrownBy(service::sleepPastThePlaceholderTimeout).isInstanceOf(ThreadTimeout.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            assertThat(service.lastMember().outcome()).isEqualTo(Outcome.CANCELLED);
            awaitNoThreads(context.getBean(Kernel.class));
        });
    }

    @Test
    void aClassLevelAnnotationAppliesToEveryPublicMethod() {
        runner.run(context -> {
            ClassScopedService service = context.getBean(ClassScopedService.class);
            assertThat(service.name()).isEqualTo("ClassScopedService.name");
            assertThat(service.toString()).isNotNull(); // Object methods pass through
            awaitNoThreads(context.getBean(Kernel.class));
        });
    }

    @Test
    void aCallFromAPlainThreadIsAdoptedForTheCall() {
        runner.run(context -> {
            ScopedService service = context.getBean(ScopedService.class);
            Kernel kernel = context.getBean(Kernel.class);
            CountDownLatch release = new CountDownLatch(1);
            AtomicReference<Object> result = new AtomicReference<>();
            Thread plain = new Thread(() -> {
                try {
                    result.set(service.waitFor(release));
                } catch (Throwable t) {
                    result.set(t);
                }
            }, "plain");
            plain.start();

            ThreadInfo adopted = awaitThread(kernel, t -> t.name().equals("ScopedService.waitFor"));
            assertThat(adopted.name()).isEqualTo("ScopedService.waitFor");
            release.countDown();
            plain.join(10_000);

            assertThat(plain.isAlive()).isFalse();
            assertThat(result.get()).isEqualTo("released");
            awaitNoThreads(kernel);
        });
    }

    @Test
    void anAdoptedCallCanBeCancelled() {
        runner.run(context -> {
            ScopedService service = context.getBean(ScopedService.class);
            Kernel kernel = context.getBean(Kernel.class);
            AtomicReference<Object> result = new AtomicReference<>();
            AtomicReference<Boolean> interruptedAfter = new AtomicReference<>();
            Thread plain = new Thread(() -> {
                try {
                    result.set(service.sleepLong());
                } catch (Throwable t) {
                    result.set(t);
                }
                interruptedAfter.set(Thread.currentThread().isInterrupted());
            }, "plain");
            plain.start();

            ThreadInfo adopted = awaitThread(kernel, t -> t.name().equals("ScopedService.sleepLong"));
            assertThat(kernel.cancel(adopted.id())).isTrue();
            plain.join(10_000);

            assertThat(plain.isAlive()).isFalse();
            assertThat(result.get()).isInstanceOf(ThreadCancelled.class);
            assertThat(interruptedAfter.get()).isFalse();
            assertThat(service.lastMember().outcome()).isEqualTo(Outcome.CANCELLED);
            awaitNoThreads(kernel);
        });
    }

    @Test
    void aBadTimeoutIsReportedWithTheMethod() {
        runner.withPropertyValues("test.scope-timeout=soon").run(context -> {
            ScopedService service = context.getBean(ScopedService.class);
            assertThatThrownBy(service::sleepPastThePlaceholderTimeout)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("ScopedService.sleepPastThePlaceholderTimeout")
                    .hasMessageContaining("soon");
        });
    }

    @Test
    void backsOffWithoutAKernel() {
        runner.withPropertyValues("thredo.enabled=false").run(context ->
                assertThat(context).doesNotHaveBean(ThredoScopedAdvisor.class));
    }

    @Configuration(proxyBeanMethods = false)
    static class Beans {
        @Bean
        ScopedService scopedService() {
            return new ScopedService();
        }

        @Bean
        ClassScopedService classScopedService() {
            return new ClassScopedService();
        }
    }

    public static class ScopedService {
        private final AtomicReference<ThredoThread<?>> lastMember = new AtomicReference<>();

        /** A method, not the field: callers hold the CGLIB proxy, whose own fields are unset. */
        public ThredoThread<?> lastMember() {
            return lastMember.get();
        }

        @ThredoScoped
        public String groupName() {
            return ThredoGroup.current().orElseThrow().name();
        }

        @ThredoScoped
        public AtomicInteger spawnTwoAndReturn() {
            ThredoGroup group = ThredoGroup.current().orElseThrow();
            AtomicInteger done = new AtomicInteger();
            for (int i = 0; i < 2; i++) {
                group.spawn(() -> {
                    Thredo.sleep(Duration.ofMillis(30));
                    done.incrementAndGet();
                });
            }
            return done; // the members are still sleeping: the scope joins them before the caller sees this
        }

        @ThredoScoped(waitPolicy = ThredoGroup.Wait.NONE)
        public ThredoThread<?> leaveABlockedMember() {
            return ThredoGroup.current().orElseThrow().spawn(() -> Thredo.sleep(Duration.ofDays(1)));
        }

        @ThredoScoped(timeout = "${test.scope-timeout}")
        public String sleepPastThePlaceholderTimeout() {
            lastMember.set(ThredoGroup.current().orElseThrow().spawn(() -> Thredo.sleep(Duration.ofDays(1))));
            Thredo.sleep(Duration.ofDays(1));
            return "never";
        }

        @ThredoScoped
        public String waitFor(CountDownLatch release) throws InterruptedException {
            if (!release.await(10, TimeUnit.SECONDS)) {
                return "not released";
            }
            return "released";
        }

        @ThredoScoped
        public String sleepLong() {
            lastMember.set(ThredoGroup.current().orElseThrow().spawn(() -> Thredo.sleep(Duration.ofDays(1))));
            Thredo.sleep(Duration.ofDays(1));
            return "never";
        }
    }

    @ThredoScoped
    public static class ClassScopedService {
        public String name() {
            return ThredoGroup.current().orElseThrow().name();
        }
    }
}
