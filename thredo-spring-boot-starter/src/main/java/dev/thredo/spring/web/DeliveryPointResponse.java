package dev.thredo.spring.web;

import dev.thredo.Thredo;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.PrintWriter;

/**
 * The handler's view of the response, on which starting to write is a delivery point: once the
 * request thread is cancelled or its deadline has passed, {@link #getOutputStream()},
 * {@link #getWriter()} and {@link #flushBuffer()} throw the pending {@link dev.thredo.ThreadCancelled}
 * (or {@link dev.thredo.ThreadTimeout}) instead of handing out the stream.
 *
 * <p>Why: a handler whose call nothing could end (a platform thread in a plain socket read) comes back
 * from it after the cancellation and would write its ordinary answer, with the thread's interrupt
 * flag set; Tomcat then fails the write and the client gets an empty reply. Thrown here, the
 * cancellation takes the usual way out and {@link ThredoRequestFilter} answers 503 once the thread
 * has left the kernel, its interrupt flag cleared.
 */
final class DeliveryPointResponse extends HttpServletResponseWrapper {

    DeliveryPointResponse(HttpServletResponse response) {
        super(response);
    }

    @Override
    public ServletOutputStream getOutputStream() throws IOException {
        Thredo.checkCancellation();
        return super.getOutputStream();
    }

    @Override
    public PrintWriter getWriter() throws IOException {
        Thredo.checkCancellation();
        return super.getWriter();
    }

    @Override
    public void flushBuffer() throws IOException {
        Thredo.checkCancellation();
        super.flushBuffer();
    }
}
