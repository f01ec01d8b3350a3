package dev.thredo;

/**
 * Counters of one kernel at one moment. The live counts come from one pass over the registry
 * (O(live threads)); the totals are monotonic.
 *
 * @param live threads alive now
 * @param running live threads {@link ThreadInfo.State#RUNNING}
 * @param blocked live threads {@link ThreadInfo.State#BLOCKED}
 * @param cancelling live threads {@link ThreadInfo.State#CANCELLING}
 * @param stuck cancelling threads past the stuck threshold
 * @param spawned threads ever spawned or adopted
 * @param succeeded threads ended {@link Outcome#SUCCEEDED}
 * @param failed threads ended {@link Outcome#FAILED}
 * @param cancelled threads ended {@link Outcome#CANCELLED}
 * @param liveGroups groups opened and not yet closed
 */
public record KernelStats(long live, long running, long blocked, long cancelling, long stuck,
        long spawned, long succeeded, long failed, long cancelled, long liveGroups) {
}
