package dev.thredo.spring;

import dev.thredo.ThredoGroup;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs each call of the annotated bean method (or of every public method of the annotated bean class)
 * in its own {@link ThredoGroup}, named after the method ({@code "SimpleClassName.method"}):
 * {@link ThredoGroup#current()} returns it inside the call; when the method returns, the group is
 * joined as {@link #waitPolicy()} says and closed, so nothing spawned into it outlives the call.
 *
 * <p>A call from a thread that is not a thredo thread (a scheduler, a listener, a plain thread) is
 * adopted into the application's kernel for the call: it is listed and can be cancelled.
 *
 * <p>A method annotation takes precedence over the class annotation. Applies to calls through the
 * Spring proxy (not to self-invocation).
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
public @interface ThredoScoped {

    /**
     * Deadline of each call, as a duration string ({@code "2s"}, {@code "500ms"}, or ISO-8601
     * {@code "PT2S"}); property placeholders ({@code "${app.timeout:2s}"}) are resolved against the
     * environment. Empty (the default): no deadline. The deadline reaches what the call blocks in,
     * thredo waits and JDK blocking calls alike (a JDBC statement is cancelled in the database). A call
     * that exceeds it throws {@link ThredoScopedTimeout}, a {@link dev.thredo.ThreadTimeout} (members are
     * cancelled and waited for first).
     *
     * @return the deadline of each call, relative to its start; empty for none
     */
    String timeout() default "";

    /**
     * What the scope waits for when the method returns ({@link ThredoGroup#join()} under this policy).
     * Named {@code waitPolicy}, as {@link ThredoGroup#waitPolicy()}, because an annotation attribute
     * cannot be called {@code wait} ({@code Object.wait()} is final).
     *
     * @return the policy the call's group is joined with; {@link ThredoGroup.Wait#ALL} by default
     */
    ThredoGroup.Wait waitPolicy() default ThredoGroup.Wait.ALL;
}
