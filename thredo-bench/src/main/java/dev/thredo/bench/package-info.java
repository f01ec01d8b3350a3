/**
 * JMH benchmarks measuring thredo against JDK baselines in the same run, the memory footprint main,
 * and {@link dev.thredo.bench.Runner}, which runs them and prints the figures table.
 */
package dev.thredo.bench;
