package dev.thredo.demo;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * A small web service whose handlers use thredo: a fan-out fare search under a deadline
 * ({@link FareSearchController}), a fastest-mirror race over real HTTP ({@link MirrorController}),
 * cancellable background jobs ({@link JobController}) and a deliberately slow endpoint
 * ({@link SlowController}). The thredo starter supplies the kernel, adopts every request thread as
 * {@code "<METHOD> <path>"}, and serves the actuator endpoint and the console that show and cancel
 * them; {@link SecurityConfig} protects those.
 */
@SpringBootApplication
@EnableConfigurationProperties(DemoProperties.class)
public class DemoApplication {

    public static void main(String[] args) {
        SpringApplication.run(DemoApplication.class, args);
    }

    /** Tells whoever started the demo where to point a browser. */
    @Component
    static class ReadyBanner implements ApplicationListener<ApplicationReadyEvent> {

        private static final Logger log = LoggerFactory.getLogger(DemoApplication.class);

        @Override
        public void onApplicationEvent(ApplicationReadyEvent event) {
            Environment env = event.getApplicationContext().getEnvironment();
            String port = env.getProperty("local.server.port", env.getProperty("server.port", "8080"));
            String user = env.getProperty("spring.security.user.name", "user");
            log.info("thredo demo running at http://localhost:{} \u2014 console at http://localhost:{}/thredo (user {})",
                    port, port, user);
        }
    }
}
