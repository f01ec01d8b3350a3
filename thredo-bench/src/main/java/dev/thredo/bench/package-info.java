/**
 * JMH benchmarks measuring thredo against JDK baselines; filled in by a later issue.
 */
package dev.thredo.bench;
