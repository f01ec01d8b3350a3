/**
 * JMH benchmarks measuring thredo against JDK baselines in the same run, the memory footprint main,
 * the interleaved cancel main ({@link dev.thredo.bench.CancelInterleaved}), and
 * {@link dev.thredo.bench.Runner}, which runs them and prints the figures table.
 */
package dev.thredo.bench;
