package dev.thredo.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** Settings of the demo's simulated services ({@code demo.*}); defaults in {@code application.properties}. */
@ConfigurationProperties("demo")
public class DemoProperties {

    private final Fares fares = new Fares();
    private final Mirror mirror = new Mirror();
    private final Reports reports = new Reports();

    public Fares getFares() {
        return fares;
    }

    public Mirror getMirror() {
        return mirror;
    }

    public Reports getReports() {
        return reports;
    }

    /** The fan-out fare search ({@code demo.fares.*}). */
    public static class Fares {

        /** How long a search waits for the providers; what has not answered by then is reported as timed out. */
        private Duration deadline = Duration.ofSeconds(1);

        /** The simulated providers by name, in the order they are asked. */
        private Map<String, Provider> providers = new LinkedHashMap<>();

        public Duration getDeadline() {
            return deadline;
        }

        public void setDeadline(Duration deadline) {
            this.deadline = deadline;
        }

        public Map<String, Provider> getProviders() {
            return providers;
        }

        public void setProviders(Map<String, Provider> providers) {
            this.providers = providers;
        }
    }

    /** One simulated fare provider ({@code demo.fares.providers.<name>.*}). */
    public static class Provider {

        /** How long the provider takes to answer. */
        private Duration latency = Duration.ofMillis(200);

        /** A random extra delay from zero up to this. */
        private Duration jitter = Duration.ZERO;

        /** The probability (0 to 1) that the provider fails instead of answering. */
        private double failureRate;

        public Duration getLatency() {
            return latency;
        }

        public void setLatency(Duration latency) {
            this.latency = latency;
        }

        public Duration getJitter() {
            return jitter;
        }

        public void setJitter(Duration jitter) {
            this.jitter = jitter;
        }

        public double getFailureRate() {
            return failureRate;
        }

        public void setFailureRate(double failureRate) {
            this.failureRate = failureRate;
        }
    }

    /** The fastest-mirror race ({@code demo.mirror.*}). */
    public static class Mirror {

        /** How long mirror n ({@code /api/mirrors/{n}}, n from 1) takes to answer; one entry per mirror. */
        private List<Duration> delays = new ArrayList<>(List.of(Duration.ofMillis(1500), Duration.ofMillis(300),
                Duration.ofMillis(800)));

        /** How long a race waits for any mirror before it answers 504. */
        private Duration timeout = Duration.ofSeconds(10);

        public List<Duration> getDelays() {
            return delays;
        }

        public void setDelays(List<Duration> delays) {
            this.delays = delays;
        }

        public Duration getTimeout() {
            return timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }
    }

    /** Report generation in the background ({@code demo.reports.*}). */
    public static class Reports {

        private final Refresh refresh = new Refresh();

        public Refresh getRefresh() {
            return refresh;
        }
    }

    /** The scheduled report refresh ({@code demo.reports.refresh.*}), a {@code @Scheduled} job. */
    public static class Refresh {

        /** Whether the refresh job is scheduled. */
        private boolean enabled = true;

        /** How long after the application starts the first run begins. */
        private Duration initialDelay = Duration.ofSeconds(5);

        /** The pause between the end of one run and the start of the next. */
        private Duration every = Duration.ofSeconds(30);

        /** How long each run works (a JDK sleep, which a cancel's interrupt ends). */
        private Duration takes = Duration.ofSeconds(20);

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getInitialDelay() {
            return initialDelay;
        }

        public void setInitialDelay(Duration initialDelay) {
            this.initialDelay = initialDelay;
        }

        public Duration getEvery() {
            return every;
        }

        public void setEvery(Duration every) {
            this.every = every;
        }

        public Duration getTakes() {
            return takes;
        }

        public void setTakes(Duration takes) {
            this.takes = takes;
        }
    }
}
