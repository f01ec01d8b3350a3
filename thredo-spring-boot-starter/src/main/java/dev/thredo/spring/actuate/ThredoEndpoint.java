package dev.thredo.spring.actuate;

import dev.thredo.Kernel;
import dev.thredo.KernelStats;
import dev.thredo.ThreadInfo;
import dev.thredo.ThreadQuery;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * {@link Endpoint @Endpoint} that lists the live threads of a thredo {@link Kernel}, shows one with
 * its stack, and cancels one.
 *
 * <p>Cancelling changes state, so the endpoint's default access is read-only: the write operation
 * needs {@code management.endpoint.thredo.access=unrestricted}. Over HTTP,
 * {@link ThredoEndpointWebExtension} answers bad input with RFC 9457 problem details.
 *
 * <p>The descriptors it answers with are {@link OperationResponseBody}s: the actuator writes them
 * with its own JSON mapper, so their field names are the record components' (camelCase:
 * {@code parentId}, {@code groupId}, {@code blockedOn}, ...) and instants ISO-8601 strings, whatever
 * the application configures for its own JSON ({@code spring.jackson.*}).
 *
 * <p>No operation stops a thread or walks more than one stack: a listing and a cancel take
 * snapshots without stacks, and only the one thread asked for shows its stack.
 */
@Endpoint(id = "thredo", defaultAccess = Access.READ_ONLY)
public class ThredoEndpoint {

    /** The number of threads listed when no limit is given. */
    public static final int DEFAULT_LIMIT = ThreadQuery.DEFAULT_LIMIT;

    /** The largest limit a listing accepts. */
    public static final int MAX_LIMIT = 10_000;

    /** The only action of the write operation. */
    public static final String CANCEL = "cancel";

    private final Kernel kernel;

    /**
     * Creates the endpoint; the endpoint auto-configuration registers one for the application's
     * kernel.
     *
     * @param kernel the kernel whose threads the endpoint lists and cancels
     * @throws NullPointerException if {@code kernel} is {@code null}
     */
    public ThredoEndpoint(Kernel kernel) {
        this.kernel = Objects.requireNonNull(kernel, "kernel");
    }

    /**
     * The kernel's counters and its live threads, the lowest ids first.
     *
     * @param state only threads in this state ({@code RUNNING}, {@code BLOCKED} or
     *     {@code CANCELLING}, in any case), or {@code null} for any
     * @param name only threads whose name contains this, or {@code null} for any
     * @param limit at most this many threads, 1 to {@value #MAX_LIMIT}; {@value #DEFAULT_LIMIT} if
     *     {@code null}
     * @return the counters, at most {@code limit} threads, and whether more matched
     * @throws InvalidEndpointRequestException for an unknown state or a limit out of range
     */
    @ReadOperation
    public ThreadsDescriptor threads(@Nullable String state, @Nullable String name, @Nullable Integer limit) {
        int max = checkLimit(limit);
        ThreadQuery query = ThreadQuery.all().withLimit(max + 1);
        if (state != null && !state.isBlank()) {
            query = query.withState(parseState(state));
        }
        if (name != null && !name.isEmpty()) {
            query = query.withNameContaining(name);
        }
        KernelStats stats = kernel.stats();
        List<ThreadInfo> found = kernel.threads(query);
        boolean truncated = found.size() > max;
        Instant now = Instant.now();
        List<ThreadDescriptor> threads = found.stream().limit(max).map(t -> ThreadDescriptor.of(t, now)).toList();
        return new ThreadsDescriptor(KernelDescriptor.of(stats), threads, truncated);
    }

    /**
     * The live thread with this id, with its stack and the ids of its live children; {@code null}
     * if no such thread is alive.
     *
     * @param id the thread's id
     * @return the thread with its stack (top frame first) and the ids of its live children, or
     *     {@code null} (the web extension answers 404)
     */
    @ReadOperation
    public @Nullable ThreadDetailDescriptor thread(@Selector long id) {
        Optional<ThreadInfo> info = kernel.thread(id);
        if (info.isEmpty()) {
            return null;
        }
        List<Long> children = kernel.threads(ThreadQuery.all().withParent(id).withLimit(Integer.MAX_VALUE)).stream()
                .map(ThreadInfo::id)
                .toList();
        return ThreadDetailDescriptor.of(info.get(), children, Instant.now());
    }

    /**
     * Requests cancellation of the live thread with this id, without waiting for it to end.
     *
     * @param id the thread's id
     * @param action must be {@value #CANCEL}
     * @return the thread as it is after the request (or just before it, if it has already ended);
     *     {@code null} if no such thread is alive or the action is not {@value #CANCEL}
     */
    @WriteOperation
    public @Nullable ThreadDescriptor cancel(@Selector long id, @Selector String action) {
        if (!CANCEL.equals(action)) {
            return null;
        }
        Optional<ThreadInfo> before = kernel.find(id);
        if (before.isEmpty() || !kernel.cancel(id)) {
            return null;
        }
        ThreadInfo info = kernel.find(id).orElse(before.get());
        return ThreadDescriptor.of(info, Instant.now());
    }

    static int checkLimit(@Nullable Integer limit) {
        if (limit == null) {
            return DEFAULT_LIMIT;
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new InvalidEndpointRequestException("limit must be between 1 and " + MAX_LIMIT + ", was " + limit,
                    "Invalid limit");
        }
        return limit;
    }

    private static ThreadInfo.State parseState(String state) {
        try {
            return ThreadInfo.State.valueOf(state.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidEndpointRequestException(
                    "state must be one of RUNNING, BLOCKED, CANCELLING, was '" + state + "'", "Invalid state");
        }
    }

    /**
     * A listing: the kernel's counters, the threads found, and whether more matched than the limit.
     *
     * @param kernel the kernel's counters when the listing was made
     * @param threads the threads found, the lowest ids first
     * @param truncated whether more threads matched than the limit let through
     */
    public record ThreadsDescriptor(KernelDescriptor kernel, List<ThreadDescriptor> threads, boolean truncated)
            implements OperationResponseBody {
    }

    /**
     * The kernel's counters; see {@link KernelStats}.
     *
     * @param live threads alive now
     * @param running live threads running code
     * @param blocked live threads waiting
     * @param cancelling live threads asked to cancel and not ended yet
     * @param stuck cancelling threads past the stuck threshold
     * @param spawned threads ever spawned or adopted
     * @param succeeded threads ended {@code SUCCEEDED}
     * @param failed threads ended {@code FAILED}
     * @param cancelled threads ended {@code CANCELLED}
     * @param liveGroups groups opened and not yet closed
     */
    public record KernelDescriptor(long live, long running, long blocked, long cancelling, long stuck,
            long spawned, long succeeded, long failed, long cancelled, long liveGroups) {

        static KernelDescriptor of(KernelStats s) {
            return new KernelDescriptor(s.live(), s.running(), s.blocked(), s.cancelling(), s.stuck(),
                    s.spawned(), s.succeeded(), s.failed(), s.cancelled(), s.liveGroups());
        }
    }

    /**
     * One live thread; see {@link ThreadInfo}. {@code parentId} and {@code groupId} are {@code 0} for
     * none; {@code ageMillis} is measured when the response is built.
     *
     * @param id the thread's id, unique within the kernel
     * @param name the thread's name
     * @param state {@code RUNNING}, {@code BLOCKED} or {@code CANCELLING}
     * @param blockedOn what it waits for ({@code "Queue.take"}, {@code "join #12"}, a JDK call), or
     *     {@code null} while running
     * @param parentId the id of the thread that spawned it, {@code 0} for a root thread
     * @param groupId the id of its group, {@code 0} for none
     * @param groupName the name of its group, {@code null} for none
     * @param daemon whether it is a daemon member of its group
     * @param virtual whether it runs on a virtual thread
     * @param startedAt when it was spawned or adopted
     * @param ageMillis milliseconds since {@code startedAt}, when the response was built
     * @param deadline its effective deadline, {@code null} for none
     * @param cancelRequestedAt when its cancellation was requested, {@code null} if it was not
     * @param stuck whether it has run on past the kernel's stuck threshold since its cancellation
     */
    public record ThreadDescriptor(long id, String name, ThreadInfo.State state, @Nullable String blockedOn,
            long parentId, long groupId, @Nullable String groupName, boolean daemon, boolean virtual,
            Instant startedAt, long ageMillis, @Nullable Instant deadline, @Nullable Instant cancelRequestedAt,
            boolean stuck) implements OperationResponseBody {

        static ThreadDescriptor of(ThreadInfo t, Instant now) {
            return new ThreadDescriptor(t.id(), t.name(), t.state(), t.blockedOn(), t.parentId(), t.groupId(),
                    t.groupName(), t.daemon(), t.virtual(), t.startedAt(), ageMillisOf(t, now), t.deadline(),
                    t.cancelRequestedAt(), t.stuck());
        }
    }

    /**
     * One live thread with its stack (top frame first) and the ids of its live children.
     *
     * @param id the thread's id, unique within the kernel
     * @param name the thread's name
     * @param state {@code RUNNING}, {@code BLOCKED} or {@code CANCELLING}
     * @param blockedOn what it waits for ({@code "Queue.take"}, {@code "join #12"}, a JDK call), or
     *     {@code null} while running
     * @param parentId the id of the thread that spawned it, {@code 0} for a root thread
     * @param groupId the id of its group, {@code 0} for none
     * @param groupName the name of its group, {@code null} for none
     * @param daemon whether it is a daemon member of its group
     * @param virtual whether it runs on a virtual thread
     * @param startedAt when it was spawned or adopted
     * @param ageMillis milliseconds since {@code startedAt}, when the response was built
     * @param deadline its effective deadline, {@code null} for none
     * @param cancelRequestedAt when its cancellation was requested, {@code null} if it was not
     * @param stuck whether it has run on past the kernel's stuck threshold since its cancellation
     * @param stack its frames, top first
     * @param children the ids of the live threads it spawned
     */
    public record ThreadDetailDescriptor(long id, String name, ThreadInfo.State state, @Nullable String blockedOn,
            long parentId, long groupId, @Nullable String groupName, boolean daemon, boolean virtual,
            Instant startedAt, long ageMillis, @Nullable Instant deadline, @Nullable Instant cancelRequestedAt,
            boolean stuck, List<StackFrameDescriptor> stack, List<Long> children) implements OperationResponseBody {

        static ThreadDetailDescriptor of(ThreadInfo t, List<Long> children, Instant now) {
            return new ThreadDetailDescriptor(t.id(), t.name(), t.state(), t.blockedOn(), t.parentId(), t.groupId(),
                    t.groupName(), t.daemon(), t.virtual(), t.startedAt(), ageMillisOf(t, now), t.deadline(),
                    t.cancelRequestedAt(), t.stuck(), t.stack().stream().map(StackFrameDescriptor::of).toList(),
                    children);
        }
    }

    /**
     * One stack frame; {@code fileName} is {@code null} and {@code lineNumber} negative when unknown.
     *
     * @param className the fully qualified name of the frame's class
     * @param methodName the frame's method
     * @param fileName the source file, or {@code null} when unknown
     * @param lineNumber the source line, negative when unknown (-2 for a native method)
     */
    public record StackFrameDescriptor(String className, String methodName, @Nullable String fileName,
            int lineNumber) {

        static StackFrameDescriptor of(StackTraceElement e) {
            return new StackFrameDescriptor(e.getClassName(), e.getMethodName(), e.getFileName(), e.getLineNumber());
        }
    }

    private static long ageMillisOf(ThreadInfo t, Instant now) {
        return Math.max(0, now.toEpochMilli() - t.startedAt().toEpochMilli());
    }
}
