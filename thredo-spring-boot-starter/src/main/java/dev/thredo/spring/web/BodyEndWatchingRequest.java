package dev.thredo.spring.web;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.IOException;

/**
 * A request with a body whose connection is watched for a client disconnect only once the handler
 * has read the whole body through {@link #getInputStream()}: before that, bytes on the connection are
 * the body, which the request thread reads itself. A body read any other way (a {@code Reader},
 * form parameters) never starts the watch, so such requests are simply not watched.
 */
final class BodyEndWatchingRequest extends HttpServletRequestWrapper {

    private final ClientDisconnects.Watch watch;
    private ServletInputStream stream;

    BodyEndWatchingRequest(HttpServletRequest request, ClientDisconnects.Watch watch) {
        super(request);
        this.watch = watch;
    }

    /** Whether {@code request} announces a body (a positive Content-Length, or a Transfer-Encoding). */
    static boolean hasBody(HttpServletRequest request) {
        return request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
    }

    @Override
    public ServletInputStream getInputStream() throws IOException {
        ServletInputStream in = super.getInputStream();
        if (stream == null || ((WatchingStream) stream).in != in) {
            stream = new WatchingStream(in);
        }
        return stream;
    }

    /** Starts the watch once a read reports the end of the body. */
    private final class WatchingStream extends ServletInputStream {
        final ServletInputStream in;

        WatchingStream(ServletInputStream in) {
            this.in = in;
        }

        private int afterRead(int n) {
            if (n < 0 || in.isFinished()) {
                watch.start();
            }
            return n;
        }

        @Override
        public int read() throws IOException {
            return afterRead(in.read());
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return afterRead(in.read(b, off, len));
        }

        @Override
        public int available() throws IOException {
            return in.available();
        }

        @Override
        public void close() throws IOException {
            in.close();
        }

        @Override
        public boolean isFinished() {
            return in.isFinished();
        }

        @Override
        public boolean isReady() {
            return in.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
        }
    }
}
