package dev.thredo.spring.web;

/**
 * Notices that the client of a running request has gone away, so that {@link ThredoRequestFilter}
 * can cancel the request's thredo thread (and so its group). Kept free of container types, so the
 * filter loads without Tomcat; {@link TomcatClientDisconnects} is the one implementation.
 */
interface ClientDisconnects {

    /**
     * Prepares to watch the connection of the request the calling (container) thread is serving.
     * Costs no system call: nothing is watched until {@link Watch#start()}.
     *
     * @param onDisconnect run once, on the watcher's thread, if the client disconnects while watched;
     *        it must not block
     * @return the watch, or {@code null} if this request's connection cannot be watched (another
     *         connector protocol, HTTP/2)
     */
    Watch prepare(Runnable onDisconnect);

    /**
     * Counts one request that ended because its client disconnected. Called by the filter, not by the
     * watcher: a client that reads its response and closes before the request thread has left the
     * filter is seen as gone too, but its request was not cut short and is not counted.
     */
    void countCancelled();

    /** The number of requests {@linkplain #countCancelled() counted} as cancelled by a client disconnect. */
    long disconnects();

    /**
     * One request's watch. {@link #start()} and {@link #end()} are called on the request thread;
     * the disconnect callback runs on the watcher's thread.
     */
    interface Watch {

        /**
         * Starts watching, once the request thread will not read from the connection any more (the
         * request has no body, or the handler has read all of it). Never blocks; idempotent.
         */
        void start();

        /** Whether {@link #start()} was called: the request thread does not read from the connection any more. */
        boolean isStarted();

        /**
         * Stops watching; after it returns, the watcher does not touch the connection again. Waits only
         * while the watcher is checking this connection, which takes microseconds. Idempotent.
         *
         * @return whether the client was seen to disconnect (and {@code onDisconnect} ran)
         */
        boolean end();
    }
}
