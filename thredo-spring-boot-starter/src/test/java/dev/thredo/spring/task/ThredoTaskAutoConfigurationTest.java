package dev.thredo.spring.task;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thredo.Kernel;
import dev.thredo.Outcome;
import dev.thredo.ThreadInfo;
import dev.thredo.ThredoThread;
import dev.thredo.Thredo;
import dev.thredo.testing.KernelPolling;
import dev.thredo.spring.ThredoAutoConfiguration;
import dev.thredo.testing.Polling;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.AsyncTaskExecutor;
import org.springframework.core.task.SyncTaskExecutor;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/**
 * The conditions of {@link ThredoTaskAutoConfiguration}: on by default, off with
 * {@code thredo.task.enabled=false}; an executor the application defines itself is left alone unless it
 * applies {@code thredoTaskDecorator}; {@code @Async} and {@code @Scheduled} methods run as named
 * thredo threads on whatever executor or scheduler they use, with {@code @Scheduled(scheduler = ...)}
 * still choosing the scheduler.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ThredoTaskAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ThredoAutoConfiguration.class, ThredoTaskAutoConfiguration.class,
                    TaskExecutionAutoConfiguration.class, TaskSchedulingAutoConfiguration.class));

    @Test
    void bootsExecutorRunsItsTasksAsThredoThreads() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(ThredoTaskDecorator.class);
            assertThat(context).hasSingleBean(ThredoSchedulingConfigurer.class);
            assertThat(context).hasSingleBean(ThredoAsyncPostProcessor.class);
            AsyncTaskExecutor executor = context.getBean("applicationTaskExecutor", AsyncTaskExecutor.class);
            assertThat(threadNameOfATask(executor)).hasValueSatisfying(name -> assertThat(name).startsWith("task-"));
        });
    }

    @Test
    void offWithThredoTaskEnabledFalse() {
        ApplicationContextRunner off = runner.withPropertyValues("thredo.task.enabled=false");
        off.run(context -> {
            assertThat(context).doesNotHaveBean(ThredoTaskDecorator.class);
            assertThat(context).doesNotHaveBean(ThredoSchedulingConfigurer.class);
            assertThat(context).doesNotHaveBean(ThredoAsyncPostProcessor.class);
            assertThat(threadNameOfATask(context.getBean("applicationTaskExecutor", AsyncTaskExecutor.class))).isEmpty();
        });
        off.withUserConfiguration(OwnExecutors.class, OwnSchedulers.class, Jobs.class).run(context -> {
            Jobs jobs = context.getBean(Jobs.class);
            Polling.until("a scheduled run", () -> Jobs.tick.get() != null);
            assertThat(Jobs.tick.get()).as("not a thredo thread").isEqualTo("none");
            assertThat(jobs.whereAmI().get(10, TimeUnit.SECONDS)).isEqualTo("none");
        });
    }

    /** Boot creates no executor then; the application's own is untouched until it applies the decorator. */
    @Test
    void anExecutorOfTheApplicationIsLeftAloneUnlessItAppliesTheDecorator() {
        runner.withUserConfiguration(OwnExecutors.class).run(context -> {
            assertThat(context).doesNotHaveBean("applicationTaskExecutor");
            assertThat(threadNameOfATask(context.getBean("taskExecutor", AsyncTaskExecutor.class))).isEmpty();
            assertThat(threadNameOfATask(context.getBean("optedInExecutor", AsyncTaskExecutor.class)))
                    .hasValueSatisfying(name -> assertThat(name).startsWith("opted-in-"));
        });
    }

    /**
     * {@code @Async} and {@code @Scheduled} methods are thredo threads named after them whatever runs
     * them: here an executor and two schedulers of the application's own, one chosen by
     * {@code @Scheduled(scheduler = "other")}; a {@code CompletableFuture.cancel} still reaches the run.
     */
    @Test
    void asyncAndScheduledMethodsAreThredoThreadsOnTheApplicationsOwnExecutorAndSchedulers() {
        runner.withUserConfiguration(OwnExecutors.class, OwnSchedulers.class, Jobs.class).run(context -> {
            Jobs jobs = context.getBean(Jobs.class);
            Kernel kernel = context.getBean(Kernel.class);
            Polling.until("both jobs ran", () -> Jobs.tick.get() != null && Jobs.otherTick.get() != null);
            assertThat(Jobs.tick.get()).isEqualTo("@Scheduled Jobs.tick on main-1");
            assertThat(Jobs.otherTick.get()).isEqualTo("@Scheduled Jobs.otherTick on other-1");
            assertThat(jobs.whereAmI().get(10, TimeUnit.SECONDS)).isEqualTo("@Async Jobs.whereAmI on plain-1");

            CompletableFuture<Void> slow = jobs.slow();
            ThreadInfo run = KernelPolling.awaitThread(kernel, t -> t.name().equals("@Async Jobs.slow")
                    && t.state() == ThreadInfo.State.BLOCKED);
            slow.cancel(false);
            Polling.until("the run is over", () -> kernel.thread(run.id()).isEmpty());
        });
    }

    /**
     * An {@code @Async} method whose executor runs it in the caller's thread is part of the caller's
     * work: here the caller is a task of a decorated pool, whose thredo thread keeps its name.
     */
    @Test
    void anAsyncMethodRunInTheCallersThreadLeavesTheCallerAsItIs() {
        runner.withUserConfiguration(InlineAsync.class).run(context -> {
            InlineAsync inline = context.getBean(InlineAsync.class);
            AsyncTaskExecutor pool = context.getBean("pool", AsyncTaskExecutor.class);
            String names = pool.submit(() -> inline.whoAmI().get() + " then " + Thredo.current().name())
                    .get(10, TimeUnit.SECONDS);
            assertThat(names).isEqualTo("pool-1 then pool-1");
        });
    }

    /** A {@code CompletableFuture} cancelled before its run starts cancels the run as soon as it does. */
    @Test
    void aFutureCancelledBeforeTheRunStartsCancelsItWhenItStarts() throws Exception {
        AsyncCall call = new AsyncCall("@Async Early.call");
        CompletableFuture<String> future = new CompletableFuture<>();
        call.linkTo(future);
        future.cancel(true);
        try (Kernel kernel = Kernel.create()) {
            ThredoThread<Object> run = kernel.spawn("run", () -> {
                call.runsIn(Thredo.current());
                Thredo.sleep(Duration.ofSeconds(30));
                return null;
            });
            run.await();
            assertThat(run.outcome()).isEqualTo(Outcome.CANCELLED);
        }
    }

    /** The name of the thredo thread a task runs as on {@code executor}, empty if it is none. */
    private static Optional<String> threadNameOfATask(Executor executor) throws Exception {
        CompletableFuture<Optional<String>> name = new CompletableFuture<>();
        executor.execute(() -> name.complete(currentName()));
        return name.get(10, TimeUnit.SECONDS);
    }

    private static Optional<String> currentName() {
        try {
            return Optional.of(Thredo.current().name());
        } catch (IllegalStateException notThredo) {
            return Optional.empty();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnExecutors {
        /** Named so that {@code @Async} picks it (Spring's fallback when there are several executors). */
        @Bean
        ThreadPoolTaskExecutor taskExecutor() {
            ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
            executor.setThreadNamePrefix("plain-");
            return executor;
        }

        @Bean
        ThreadPoolTaskExecutor optedInExecutor(ObjectProvider<ThredoTaskDecorator> thredoTaskDecorator) {
            ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
            executor.setThreadNamePrefix("opted-in-");
            thredoTaskDecorator.ifAvailable(executor::setTaskDecorator);
            return executor;
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAsync
    static class InlineAsync {
        @Bean
        SyncTaskExecutor sync() {
            return new SyncTaskExecutor();
        }

        @Bean
        ThreadPoolTaskExecutor pool(ThredoTaskDecorator thredoTaskDecorator) {
            ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
            executor.setThreadNamePrefix("pool-");
            executor.setTaskDecorator(thredoTaskDecorator);
            return executor;
        }

        @Async("sync")
        public CompletableFuture<String> whoAmI() {
            return CompletableFuture.completedFuture(Thredo.current().name());
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnSchedulers {
        @Bean
        TaskScheduler taskScheduler() {
            ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
            scheduler.setThreadNamePrefix("main-");
            return scheduler;
        }

        @Bean
        TaskScheduler other() {
            ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
            scheduler.setThreadNamePrefix("other-");
            return scheduler;
        }
    }

    /** Scheduled and async methods reporting the thredo thread they run as, and the JDK thread. */
    @Configuration(proxyBeanMethods = false)
    @EnableAsync
    @EnableScheduling
    static class Jobs {
        /** Where the first run of each job ran (static: the bean is an {@code @Async} proxy). */
        static final AtomicReference<String> tick = new AtomicReference<>();
        static final AtomicReference<String> otherTick = new AtomicReference<>();

        Jobs() {
            tick.set(null);
            otherTick.set(null);
        }

        @Scheduled(fixedDelay = 50)
        public void tick() {
            tick.compareAndSet(null, where());
        }

        @Scheduled(fixedDelay = 50, scheduler = "other")
        public void otherTick() {
            otherTick.compareAndSet(null, where());
        }

        @Async
        public CompletableFuture<String> whereAmI() {
            return CompletableFuture.completedFuture(where());
        }

        @Async
        public CompletableFuture<Void> slow() {
            Thredo.sleep(Duration.ofSeconds(30));
            return CompletableFuture.completedFuture(null);
        }

        private static String where() {
            return currentName().map(n -> n + " on " + Thread.currentThread().getName()).orElse("none");
        }
    }
}
