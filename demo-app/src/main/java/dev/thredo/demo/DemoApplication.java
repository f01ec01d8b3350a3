package dev.thredo.demo;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.thredo.Kernel;
import dev.thredo.ThreadInfo;
import dev.thredo.Thredo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * A small web application that runs its slow requests as thredo threads, so they show up in
 * {@code GET /api/threads} while they sleep.
 */
@SpringBootApplication
public class DemoApplication {

    static final int MAX_SLEEP_SECONDS = 300;

    public static void main(String[] args) {
        SpringApplication.run(DemoApplication.class, args);
    }

    /** One kernel for the application; closing the context cancels whatever still runs in it. */
    @Bean(destroyMethod = "close")
    Kernel kernel() {
        return Kernel.create();
    }

    /** The demo's HTTP API. */
    @RestController
    @RequestMapping("/api")
    static class DemoController {

        private final Kernel kernel;

        DemoController(Kernel kernel) {
            this.kernel = kernel;
        }

        /** Sleeps {@code seconds} (0 to 300) inside a thredo thread, then answers {@code {"slept": seconds}}. */
        @GetMapping("/slow")
        Map<String, Integer> slow(@RequestParam int seconds) throws Exception {
            if (seconds < 0 || seconds > MAX_SLEEP_SECONDS) {
                throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
                        "seconds must be between 0 and " + MAX_SLEEP_SECONDS + ", was " + seconds);
            }
            return kernel.run(() -> {
                Thredo.sleep(Duration.ofSeconds(seconds));
                return Map.of("slept", seconds);
            });
        }

        /** The live thredo threads of the kernel. */
        @GetMapping("/threads")
        List<ThreadInfo> threads() {
            return kernel.threads();
        }
    }

    /** Tells whoever started the demo where to point a browser. */
    @Component
    static class ReadyBanner implements ApplicationListener<ApplicationReadyEvent> {

        private static final Logger log = LoggerFactory.getLogger(DemoApplication.class);

        @Override
        public void onApplicationEvent(ApplicationReadyEvent event) {
            Environment env = event.getApplicationContext().getEnvironment();
            String port = env.getProperty("local.server.port", env.getProperty("server.port", "8080"));
            log.info("thredo demo running at http://localhost:{} (try /api/slow?seconds=5 and /api/threads)", port);
        }
    }
}
