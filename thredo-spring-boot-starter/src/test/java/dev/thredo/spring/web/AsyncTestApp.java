package dev.thredo.spring.web;

import dev.thredo.Thredo;
import dev.thredo.ThredoGroup;
import dev.thredo.ThredoThread;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;
import org.springframework.web.context.request.async.WebAsyncTask;

/**
 * The MVC async tests' application: one handler per async return type ({@link Kind}), whose async
 * part ends after {@code ms} milliseconds (by default far later than any deadline of the tests).
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(AsyncTestApp.AsyncController.class)
class AsyncTestApp {

    /** The async return types of Spring MVC, by the path segment that serves each. */
    enum Kind {
        CALLABLE("callable"), WEB_ASYNC_TASK("web-async-task"), DEFERRED_RESULT("deferred-result"),
        COMPLETABLE_FUTURE("completable-future");

        final String path;

        Kind(String path) {
            this.path = "/async/" + path;
        }
    }

    /** How long an async part lasts unless the request asks otherwise: far past every deadline of the tests. */
    static final long FOREVER_MS = 30_000;

    /** Counted down when a request's async part has begun (the callable is about to block, the handler returned). */
    static final Map<String, CountDownLatch> PENDING = new ConcurrentHashMap<>();

    static CountDownLatch pending(String path) {
        return PENDING.computeIfAbsent(path, p -> new CountDownLatch(1));
    }

    @RestController
    static class AsyncController {
        /** The member the last /async/with-member spawned, to check it is cancelled with its request. */
        final AtomicReference<ThredoThread<?>> lastMember = new AtomicReference<>();

        @GetMapping("/async/callable")
        Callable<String> callable(@RequestParam(defaultValue = "" + FOREVER_MS) long ms) {
            return sleeper(Kind.CALLABLE, ms);
        }

        @GetMapping("/async/web-async-task")
        WebAsyncTask<String> webAsyncTask(@RequestParam(defaultValue = "" + FOREVER_MS) long ms) {
            return new WebAsyncTask<>(sleeper(Kind.WEB_ASYNC_TASK, ms));
        }

        @GetMapping("/async/deferred-result")
        DeferredResult<String> deferredResult(@RequestParam(defaultValue = "" + FOREVER_MS) long ms) {
            DeferredResult<String> result = new DeferredResult<>();
            if (ms < FOREVER_MS) {
                CompletableFuture.delayedExecutor(ms, TimeUnit.MILLISECONDS).execute(() -> result.setResult(Kind.DEFERRED_RESULT.path + " " + ms));
            }
            pending(Kind.DEFERRED_RESULT.path).countDown();
            return result;
        }

        @GetMapping("/async/completable-future")
        CompletableFuture<String> completableFuture(@RequestParam(defaultValue = "" + FOREVER_MS) long ms) {
            CompletableFuture<String> future = new CompletableFuture<>();
            if (ms < FOREVER_MS) {
                future.completeAsync(() -> Kind.COMPLETABLE_FUTURE.path + " " + ms, CompletableFuture.delayedExecutor(ms, TimeUnit.MILLISECONDS));
            }
            pending(Kind.COMPLETABLE_FUTURE.path).countDown();
            return future;
        }

        /** Where the async part runs: its thread's name and group, and the deadline it sees. */
        @GetMapping("/async/where/{kind}")
        Object where(@PathVariable String kind) {
            Callable<String> where = () -> {
                try {
                    ThredoThread<?> self = Thredo.current();
                    return self.name() + "|deadline " + Thredo.deadline().isPresent();
                } catch (IllegalStateException notAThredoThread) {
                    return "not a thredo thread";
                }
            };
            return switch (kind) {
                case "callable" -> where;
                case "web-async-task" -> new WebAsyncTask<>(where);
                default -> throw new IllegalArgumentException(kind);
            };
        }

        /**
         * A member spawned by the handler into the request's group, joined by the async part: the group
         * outlives the handler's return, and is closed (its members cancelled) when the request completes.
         */
        @GetMapping("/async/with-member")
        Callable<String> withMember(ThredoGroup group) {
            ThredoThread<String> worker = group.spawn("worker", () -> {
                Thredo.sleep(Duration.ofMillis(50));
                return "from the member";
            });
            lastMember.set(group.spawn("leftover", () -> Thredo.sleep(Duration.ofDays(1))));
            return worker::join;
        }

        /** Servlet async processing started by the handler itself, completed from another thread. */
        @GetMapping("/async/raw")
        void raw(HttpServletRequest request) {
            AsyncContext context = request.startAsync();
            CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS).execute(() -> {
                try {
                    context.getResponse().setContentType("text/plain");
                    context.getResponse().getWriter().write("raw");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } finally {
                    context.complete();
                }
            });
        }

        /** A synchronous handler that fails on a request thread left interrupted. */
        @GetMapping("/async/sync")
        String sync() throws InterruptedException {
            Thread.sleep(1);
            return "sync";
        }

        private static Callable<String> sleeper(Kind kind, long ms) {
            return () -> {
                pending(kind.path).countDown();
                Thread.sleep(ms);
                return kind.path + " " + ms;
            };
        }
    }
}
