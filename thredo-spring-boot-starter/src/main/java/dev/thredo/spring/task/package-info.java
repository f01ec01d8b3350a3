/**
 * Spring's own execution paths as thredo threads: the tasks of Boot's {@code applicationTaskExecutor}
 * and {@code taskScheduler} ({@link dev.thredo.spring.task.ThredoTaskDecorator}), {@code @Scheduled}
 * runs and {@code @Async} calls, named after their methods, listed by the kernel and cancellable, a
 * cancellation ending them quietly.
 */
package dev.thredo.spring.task;
