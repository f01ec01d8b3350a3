/**
 * {@link dev.thredo.spring.ThredoScoped}: bean method calls that each run in their own
 * {@link dev.thredo.ThredoGroup}, adopting non-thredo callers into the kernel for the call.
 */
package dev.thredo.spring.scope;
