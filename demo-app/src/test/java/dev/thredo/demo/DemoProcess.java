package dev.thredo.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thredo.testing.Polling;
import dev.thredo.testing.TestHttp;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * demo-app's boot jar (built by the package phase; failsafe passes its path as {@code demo.jar})
 * running as a process of its own on 127.0.0.1 and a free port, for the {@code *IT} tests. Every line
 * it prints is kept; {@link #close()} kills it if it still runs and writes those lines to
 * {@code target/<name>.log}, to read when an assertion fails.
 */
final class DemoProcess implements AutoCloseable {

    private final String name;
    private final int port;
    private final Process process;
    private final Thread reader;
    private final List<String> output = new CopyOnWriteArrayList<>();

    private DemoProcess(String name, int port, List<String> command) throws IOException {
        this.name = name;
        this.port = port;
        this.process = new ProcessBuilder(command).redirectErrorStream(true).start();
        this.reader = Thread.ofPlatform().daemon(true).name("demo-output").start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null;) {
                    output.add(line);
                }
            } catch (IOException ended) {
                // the process is gone
            }
        });
    }

    /** Starts the jar with {@code args} after the port and address, and waits until its health is UP. */
    static DemoProcess start(String name, String... args) throws Exception {
        Path jar = Path.of(System.getProperty("demo.jar", "target/demo-app-0.1.0-SNAPSHOT.jar"));
        assertThat(Files.isRegularFile(jar)).as("the boot jar " + jar + " (built by the package phase)").isTrue();
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-jar", jar.toString(), "--server.port=" + port, "--server.address=127.0.0.1"));
        command.addAll(List.of(args));
        DemoProcess demo = new DemoProcess(name, port, command);
        Polling.until("the demo is up", Duration.ofSeconds(60), () -> {
            try {
                return demo.http().get("/actuator/health").statusCode() == 200;
            } catch (UncheckedIOException notYet) {
                return false;
            }
        });
        return demo;
    }

    int port() {
        return port;
    }

    /** A client of the demo. */
    TestHttp http() {
        return TestHttp.at("http://127.0.0.1:" + port);
    }

    Process process() {
        return process;
    }

    /** The lines printed so far. */
    List<String> output() {
        return output;
    }

    /** Waits until every line the process printed has been read (after it exited). */
    void awaitOutputRead() throws InterruptedException {
        reader.join(10_000);
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        Files.write(Path.of("target", name + ".log"), output);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
