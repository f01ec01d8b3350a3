/**
 * JDBC statements cancelled in the database: a {@link javax.sql.DataSource} bean is wrapped so that,
 * in a thredo thread, each statement gets a query timeout from the thread's deadline and a cancel
 * action that cancels it in the database ({@code Statement.cancel()}) when the thread is cancelled or
 * the deadline passes; the kernel never interrupts a thread inside a JDBC call (an interrupt closes a
 * virtual thread's socket, and the pool throws the connection away), and a statement that fails
 * because of its thread's cancellation or deadline ends with {@link dev.thredo.ThreadCancelled} or
 * {@link dev.thredo.ThreadTimeout}. Outside thredo threads, nothing changes.
 */
package dev.thredo.spring.jdbc;
